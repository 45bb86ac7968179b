import Foundation
import GrafanaProvision
import TestSupport
import Testing
import TfdriftCore

@testable import Doctor

@Suite("Doctor model and rendering")
struct ModelTests {
    static let report = DoctorReport(checks: [
        CheckResult(
            id: "grafana.default_admin_password", title: "The default admin/admin login is refused", status: .fail,
            evidence: "one GET /api/user as admin/admin → 200", fix: "change it | now"),
        CheckResult(
            id: "config.valid", title: "Configuration loads and validates", status: .pass, evidence: "tfdrift.yaml loaded",
            fix: ""),
        CheckResult(
            id: "grafana.sign_up", title: "User sign-up is off", status: .manual,
            evidence: "cannot read \"settings\"\nGET /api/admin/settings → 403", fix: "confirm [users] allow_sign_up = false"),
        CheckResult(
            id: "loki.tls", title: "Loki is reached over TLS", status: .warn,
            evidence: "http://127.0.0.1:3100 is plain HTTP on loopback",
            fix: "use HTTPS"),
        CheckResult(
            id: "detector.ready", title: "Detector /readyz answers ready", status: .skip, evidence: "no --detector-url", fix: ""),
    ])

    @Test("ids are unique, lower-case and dotted; groups come from ids")
    func catalog() {
        #expect(Set(CheckCatalog.ids).count == CheckCatalog.ids.count)
        for id in CheckCatalog.ids {
            #expect(id == id.lowercased() && id.contains("."), "\(id)")
            #expect(id.allSatisfy { $0.isLetter || $0 == "." || $0 == "_" }, "\(id)")
        }
        #expect(CheckCatalog.groups.contains("grafana") && CheckCatalog.groups.contains("loki"))
        #expect(CheckCatalog.group(of: "state.load_time") == "state")
    }

    @Test("--only/--skip accept ids and groups and reject unknown names with a suggestion")
    func selection() throws {
        let selection = try CheckSelection(only: ["grafana", "loki.auth"], skip: ["grafana.default_admin_password"])
        #expect(selection.listed("grafana.sign_up") && selection.runs("grafana.sign_up"))
        #expect(selection.listed("loki.auth") && !selection.listed("loki.tls"))
        #expect(selection.listed("grafana.default_admin_password") && !selection.runs("grafana.default_admin_password"))
        let error = #expect(throws: DoctorError.self) { try CheckSelection(only: ["grafana.anonymous"]) }
        #expect(error?.description.contains("did you mean grafana.anonymous_access") == true)
    }

    @Test("exit code: 0 with only warnings, 2 with a failure; summary counts every status")
    func exitCode() {
        #expect(Self.report.exitCode == 2)
        #expect(Self.report.summary == DoctorSummary(Self.report.checks))
        #expect((Self.report.summary.pass, Self.report.summary.fail, Self.report.summary.warn) == (1, 1, 1))
        let warnings = DoctorReport(checks: Self.report.checks.filter { $0.status != .fail })
        #expect(warnings.exitCode == 0)
        #expect(Self.report.checks.map(\.id) == Self.report.checks.map(\.id).sorted())
    }

    @Test("golden output", arguments: DoctorRenderer.Format.allCases)
    func golden(format: DoctorRenderer.Format) throws {
        let rendered = DoctorRenderer.render(Self.report, format: format)
        let url = Fixtures.golden.appendingPathComponent(
            "report.\(["text": "txt", "json": "json", "markdown": "md"][format.rawValue] ?? "")")
        if ProcessInfo.processInfo.environment["RECORD"] == "1" {
            try FileManager.default.createDirectory(at: Fixtures.golden, withIntermediateDirectories: true)
            try Data(rendered.utf8).write(to: url)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(rendered == expected)
        #expect(DoctorRenderer.render(Self.report, format: format) == rendered, "deterministic")
    }

    @Test("JSON output is the SPEC §8 shape")
    func jsonShape() throws {
        let data = Data(DoctorRenderer.json(Self.report).utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let checks = try #require(object["checks"] as? [[String: String]])
        #expect(checks.count == 5)
        #expect(Set(checks[0].keys) == ["id", "group", "title", "status", "evidence", "fix"])
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary == ["pass": 1, "warn": 1, "fail": 1, "manual": 1, "skip": 1])
        #expect(checks.first { $0["id"] == "grafana.sign_up" }?["evidence"]?.contains("\n") == true)
    }

    @Test("a certificate's validity period is read from PEM")
    func certificate() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.currentDirectoryURL = directory
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "10",
            "-subj", "/CN=127.0.0.1",
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        await waitForExit(process)
        let validity = try CertificateValidity.read(pemFile: directory.appendingPathComponent("cert.pem").path)
        let days = validity.notAfter.timeIntervalSince(validity.notBefore) / 86400
        #expect(abs(days - 10) < 0.01)
        #expect(abs(validity.notBefore.timeIntervalSinceNow) < 300)
    }

    @Test("time intervals: weekdays, times and location as Alertmanager reads them")
    func timeIntervals() throws {
        let json = try JSONValue.parse(
            #"{"weekdays": ["sunday"], "times": [{"start_time": "02:00", "end_time": "06:00"}], "location": "Asia/Tokyo"}"#)
        // Sunday 2025-06-01 03:00 in Tokyo is Saturday 18:00 UTC.
        #expect(TimeIntervalMatcher.contains(json, Date(timeIntervalSince1970: 1_748_714_400)))
        #expect(!TimeIntervalMatcher.contains(json, Date(timeIntervalSince1970: 1_748_714_400 + 4 * 3600)))
    }
}
