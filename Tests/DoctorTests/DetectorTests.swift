import Detector
import DetectorServer
import Doctor
import Foundation
import Hummingbird
import TestSupport
import Testing
import TfdriftCore

/// The detector checks against the real detector service, with and without a token.
@Suite("doctor against a running detector", .serialized)
struct DetectorTests {
    static func withDetector<T: Sendable>(
        workspace: URL, variables: [String: String], _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let config = try ConfigLoader.load(path: workspace.appendingPathComponent("tfdrift.yaml").path, environment: variables)
        let runtime = try await DetectorRuntime.make(
            config: config, catalog: try CatalogLoader.builtIn(), logger: Fixtures.logger)
        return try await withServer("the detector") { reportPort in
            let app = try runtime.application(
                server: config.server, logger: Fixtures.logger, withServices: true, onServerRunning: reportPort)
            try await app.runService()
        } _: { port in
            try await body(port)
        }
    }

    static func config(token: Bool) -> String {
        """
        providers:
          aws:
            state: {backend: local, local_path: ./terraform.tfstate}
        server:
          listen: "127.0.0.1:0"\(token ? "\n  token: \"${DETECTOR_TOKEN}\"" : "")
        outputs:
          stdout: false
        """
    }

    @Test(
        "a token-less detector accepts an unauthenticated POST (fail); with server.token it is refused (pass)",
        arguments: [false, true])
    func token(required: Bool) async throws {
        let workspace = try Fixtures.workspace(configYAML: Self.config(token: required))
        defer { try? FileManager.default.removeItem(at: workspace) }
        let variables = ["DETECTOR_TOKEN": "detector-secret"]
        let report = try await Self.withDetector(workspace: workspace, variables: variables) { port in
            try await Fixtures.run(workspace: workspace, variables: variables, only: ["detector", "state.freshness"]) {
                $0.detectorURL = "http://127.0.0.1:\(port)"
            }
        }
        #expect(
            Fixtures.status(report, "detector.token") == (required ? .pass : .fail),
            "\(report.check("detector.token")?.evidence ?? "")")
        #expect(Fixtures.status(report, "detector.ready") == .pass, "\(report.check("detector.ready")?.evidence ?? "")")
        #expect(Fixtures.status(report, "detector.metrics") == .pass, "\(report.check("detector.metrics")?.evidence ?? "")")
        #expect(Fixtures.status(report, "detector.last_event") == .warn)  // no event since start
        #expect(Fixtures.status(report, "detector.tls") == .warn)  // plain HTTP, loopback only
        #expect(Fixtures.status(report, "detector.certificate_expiry") == .skip)
        #expect(Fixtures.status(report, "state.freshness") == .pass, "\(report.check("state.freshness")?.evidence ?? "")")
        #expect(report.exitCode == (required ? 0 : 2))
    }
}
