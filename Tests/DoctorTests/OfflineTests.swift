import Doctor
import Foundation
import TestSupport
import Testing

@Suite("doctor without Grafana, Loki or a detector")
struct OfflineTests {
    @Test("the quickstart: states, coverage and the bundled samples are checked in process; the rest is skipped")
    func quickstart() async throws {
        let config = Fixtures.repository.appendingPathComponent("examples/quickstart/tfdrift.yaml").path
        let report = await DoctorRunner(
            configPath: config, options: DoctorOptions(searchDirectories: [Fixtures.repository.path]),
            environment: Fixtures.environment()
        ).run()
        #expect(report.checks.map(\.id) == CheckCatalog.ids.sorted(), "every check exactly once, sorted by id")
        #expect(Fixtures.status(report, "config.valid") == .pass)
        #expect(Fixtures.status(report, "state.loads") == .pass)
        #expect(Fixtures.status(report, "state.load_time") == .pass)
        #expect(report.check("state.resource_count")?.evidence.contains("managed resource instance") == true)
        #expect(Fixtures.status(report, "sample.events") == .pass, "\(report.check("sample.events")?.evidence ?? "")")
        #expect(report.check("sample.events")?.evidence.contains("modified aws_security_group sg-0d0c7000000000001") == true)
        let coverage = try #require(report.check("coverage.resource_types"))
        #expect([.pass, .warn, .fail].contains(coverage.status))
        for id in ["grafana.reachable", "loki.auth", "detector.ready", "state.freshness"] {
            #expect(Fixtures.status(report, id) == .skip, "\(id)")
        }
        #expect(Fixtures.status(report, "iam.least_privilege") == .manual)
        #expect(Fixtures.status(report, "operations.escalation") == .manual)
    }

    @Test("a configuration that does not load fails config.valid and skips the rest")
    func brokenConfig() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tfdrift.yaml").path
        try Data("providers:\n  aws:\n    cloudtrial: {}\n".utf8).write(to: URL(fileURLWithPath: path))
        let report = await DoctorRunner(
            configPath: path, options: DoctorOptions(searchDirectories: [Fixtures.repository.path]),
            environment: Fixtures.environment()
        ).run()
        #expect(Fixtures.status(report, "config.valid") == .fail)
        #expect(report.check("config.valid")?.evidence.contains("cloudtrail") == true)
        #expect(report.summary.skip == CheckCatalog.ids.count - 1)
        #expect(report.exitCode == 2)
    }

    @Test("IAM: wildcards fail, extra permissions warn, the exact least privilege passes")
    func iam() async throws {
        let workspace = try Fixtures.workspace(
            configYAML: """
                providers:
                  aws:
                    cloudtrail: {s3_bucket: trail-logs, s3_prefix: AWSLogs/, sqs_queue: "arn:aws:sqs:us-east-1:123456789012:cloudtrail-events"}
                """)
        defer { try? FileManager.default.removeItem(at: workspace) }
        func policy(_ statements: String) throws -> String {
            let path = workspace.appendingPathComponent("policy-\(UUID().uuidString).json").path
            try Data("{\"Version\": \"2012-10-17\", \"Statement\": [\(statements)]}".utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let exact = """
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::trail-logs/AWSLogs/*"},
            {"Effect": "Allow", "Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"], "Resource": "arn:aws:sqs:us-east-1:123456789012:cloudtrail-events"}
            """
        let cases: [(String, CheckStatus)] = [
            (exact, .pass),
            (exact + #", {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::trail-logs"}"#, .warn),
            (exact + #", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#, .fail),
            (#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::trail-logs/AWSLogs/*"}"#, .fail),
        ]
        for (statements, expected) in cases {
            let file = try policy(statements)
            let report = try await Fixtures.run(workspace: workspace, only: ["iam"]) { $0.iamPolicyFile = file }
            #expect(report.checks.map(\.id) == ["iam.least_privilege"])
            #expect(
                Fixtures.status(report, "iam.least_privilege") == expected,
                "\(report.check("iam.least_privilege")?.evidence ?? "")")
        }
    }
}

@Suite("doctor: detector TLS from the configuration")
struct TLSConfigTests {
    static func certificate(days: Int, in directory: URL) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.currentDirectoryURL = directory
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.pem", "-days",
            String(days), "-subj", "/CN=detector",
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        await waitForExit(process)
    }

    @Test("TLS without mTLS warns; a certificate expiring within 30 days warns, a year-long one passes")
    func tls() async throws {
        for (days, expected) in [(10, CheckStatus.warn), (365, .pass)] {
            let workspace = try Fixtures.workspace(
                configYAML: """
                    server:
                      listen: "0.0.0.0:8443"
                      tls_cert_file: server.pem
                      tls_key_file: server.key
                    """)
            defer { try? FileManager.default.removeItem(at: workspace) }
            try await Self.certificate(days: days, in: workspace)
            let environment = Fixtures.environment()
            let report = await DoctorRunner(
                configPath: workspace.appendingPathComponent("tfdrift.yaml").path,
                options: DoctorOptions(selection: try CheckSelection(only: ["detector"]), searchDirectories: []),
                environment: DoctorEnvironment(
                    makeTransport: environment.makeTransport, now: Date.init, variables: [:], logger: Fixtures.logger)
            ).run()
            #expect(Fixtures.status(report, "detector.tls") == .warn, "\(report.check("detector.tls")?.evidence ?? "")")
            #expect(report.check("detector.tls")?.evidence.contains("no client_ca_file") == true)
            let expiry = try #require(report.check("detector.certificate_expiry"))
            #expect(expiry.status == expected, "\(expiry.evidence)")
        }
    }

    @Test("plain HTTP on a non-loopback listener fails")
    func plain() async throws {
        let workspace = try Fixtures.workspace(configYAML: "server:\n  listen: \"0.0.0.0:8080\"\n")
        defer { try? FileManager.default.removeItem(at: workspace) }
        let report = try await Fixtures.run(workspace: workspace, only: ["detector.tls"])
        #expect(Fixtures.status(report, "detector.tls") == .fail)
        #expect(report.exitCode == 2)
    }
}

@Suite("doctor: ingest journal from the configuration")
struct JournalConfigTests {
    @Test("the ingest journal: on and synced passes; off or unsynced warns; no listener skips")
    func journal() async throws {
        for (yaml, expected, evidence) in [
            ("server:\n  listen: \"127.0.0.1:8080\"\n", CheckStatus.pass, "every 202 follows an fdatasync"),
            ("server:\n  journal: false\n", .warn, "lost if the detector crashes"),
            ("server:\n  journal_sync: false\n", .warn, "a lost machine may lose"),
            ("outputs:\n  stdout: true\n", .skip, "no HTTP ingest"),
        ] {
            let workspace = try Fixtures.workspace(configYAML: yaml)
            defer { try? FileManager.default.removeItem(at: workspace) }
            let report = try await Fixtures.run(workspace: workspace, only: ["detector.journal"])
            let check = try #require(report.check("detector.journal"))
            #expect(check.status == expected, "\(yaml): \(check.evidence)")
            #expect(check.evidence.contains(evidence), "\(check.evidence)")
        }
    }
}
