import Foundation
import TestSupport
import Testing

@testable import tfdriftctl

/// The Grafana, doctor and version commands run as a user runs them (the built binary against the
/// spec-validating Grafana simulator): JSON everywhere with `--output json`, errors as one JSON object,
/// the Grafana provider's environment variables, confirmation before deleting.
@Suite("tfdriftctl's Grafana commands")
struct GrafanaCommandTests {
    static func workspace(_ config: String) throws -> URL {
        let directory = try CLITests.temporaryDirectory()
        try config.write(to: directory.appendingPathComponent("tfdrift.yaml"), atomically: true, encoding: .utf8)
        return directory
    }

    static func grafana(_ seed: @Sendable (inout GrafanaOrgState) -> Void = { $0.addPrometheusDataSource() }) async throws
        -> GrafanaSimulator
    {
        let simulator = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec())
        await simulator.withState { seed(&$0) }
        return simulator
    }

    static func config(_ base: URL) -> String {
        "grafana:\n  url: \(base.absoluteString)\n  token: \"${GRAFANA_TOKEN}\"\n  loki_url: http://loki:3100\n"
    }

    /// A working directory whose tfdrift.yaml points at a simulated Grafana, and the binary run in it.
    struct Workspace: Sendable {
        let directory: URL
        var config: String { directory.appendingPathComponent("tfdrift.yaml").path }

        func run(_ arguments: [String]) async throws -> CLITests.Result {
            try await CLITests.run(
                arguments + ["--config", config], environment: ["GRAFANA_TOKEN": "sim-token"], in: directory)
        }
    }

    /// A simulated Grafana with a Prometheus data source, and a workspace configured for it.
    static func withGrafana(_ body: @Sendable (GrafanaSimulator, Workspace) async throws -> Void) async throws {
        let grafana = try await Self.grafana()
        try await GrafanaSimulatorServer.with(grafana) { base in
            let workspace = Workspace(directory: try Self.workspace(Self.config(base)))
            defer { try? FileManager.default.removeItem(at: workspace.directory) }
            try await body(grafana, workspace)
        }
    }

    @Test("with --output json an error is one JSON object on stderr: message, exit code, and each config problem with its line")
    func jsonErrors() async throws {
        let directory = try Self.workspace("outputs:\n  stdout: maybe\ngrafana:\n  url: grafana:3000\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("tfdrift.yaml").path
        let result = try await CLITests.run(["alerts", "plan", "--config", config, "--output", "json"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        let error = try #require(try CLITests.json(result.stderr)["error"] as? [String: Any])
        #expect(error["exit_code"] as? Int == 1)
        #expect((error["message"] as? String)?.contains("2 problems in the configuration") == true)
        let problems = try #require(error["problems"] as? [[String: Any]])
        #expect(problems.map { $0["key"] as? String } == ["outputs.stdout", "grafana.url"])
        #expect(problems.map { $0["line"] as? Int } == [2, 4])

        // Usage errors too, and doctor's.
        let usage = try await CLITests.run(["silence", "expire", "--output", "json"])
        #expect(usage.status == 1)
        #expect((try CLITests.json(usage.stderr)["error"] as? [String: Any])?["message"] != nil, "\(usage.stderr)")
        let doctor = try await CLITests.run(["doctor", "--only", "grafana.nope", "--output", "json"])
        #expect(doctor.status == 1)
        let doctorError = try #require(try CLITests.json(doctor.stderr)["error"] as? [String: Any])
        #expect((doctorError["message"] as? String)?.contains("unknown check or group") == true)
        // In text, the argument parser's sentence as before.
        let text = try await CLITests.run(["alerts", "plan", "--config", config])
        #expect(text.stderr.hasPrefix("Error: ") && text.stderr.contains("at line 2"), "\(text.stderr)")
    }

    @Test("an unset ${GRAFANA_TOKEN} is named as unset, not as a key to set")
    func unsetToken() async throws {
        let grafana = try await Self.grafana()
        try await GrafanaSimulatorServer.with(grafana) { base in
            let directory = try Self.workspace(Self.config(base))
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = try await CLITests.run(
                ["alerts", "plan", "--config", directory.appendingPathComponent("tfdrift.yaml").path],
                environment: ["GRAFANA_TOKEN": ""])
            #expect(result.status == 1)
            #expect(result.stderr.contains("grafana.token: ${GRAFANA_TOKEN} is not set in the environment"), "\(result.stderr)")
            #expect(await grafana.requests.isEmpty, "nothing is sent without credentials")
        }
    }

    @Test("GRAFANA_URL and GRAFANA_AUTH stand in for grafana.url and the token, as for the Grafana provider")
    func providerEnvironment() async throws {
        let grafana = try await Self.grafana()
        try await GrafanaSimulatorServer.with(grafana) { base in
            let directory = try CLITests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = try await CLITests.run(
                ["mute-timings", "plan", "--output", "json"],
                environment: ["GRAFANA_URL": base.absoluteString, "GRAFANA_AUTH": "sim-token"], in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try CLITests.json(result.stdout)["summary"] != nil)
            let requests = await grafana.requests
            #expect(!requests.isEmpty && requests.allSatisfy { $0.headers["authorization"] == "Bearer sim-token" })
        }
    }

    @Test("plan: each create in full (multi-line values as blocks), the summary last; --output json on export and version")
    func planAndJSON() async throws {
        try await Self.withGrafana { _, workspace in
            let plan = try await workspace.run(["alerts", "plan"])
            #expect(plan.status == 2, "\(plan.stderr)")
            let lines = plan.stdoutLines
            #expect(lines.last?.hasPrefix("Plan: ") == true, "\(lines.suffix(3))")
            #expect(lines.contains("+ rule group tfdrift/tfdrift-drift"))
            #expect(
                lines.contains { $0.hasPrefix("    rules[tfdrift-critical-drift].data[A].model.expr = \"sum(count_over_time(") })
            #expect(lines.contains("    template = <<EOT"), "a template reads as a block")

            let apply = try await workspace.run(["dashboards", "apply", "--output", "json"])
            #expect(apply.status == 0, "\(apply.stderr)")
            let export = try await workspace.run([
                "dashboards", "export", "--to", workspace.directory.appendingPathComponent("out").path, "--output", "json",
            ])
            #expect(export.status == 0, "\(export.stderr)")
            let written = try #require(try CLITests.json(export.stdout)["written"] as? [String])
            #expect(written.count == 3 && written.allSatisfy { FileManager.default.fileExists(atPath: $0) })

            let version = try await CLITests.run(["version", "--output", "json"])
            let fields = try CLITests.json(version.stdout)
            #expect(fields["version"] as? String == BuildInfo.version)
            #expect((fields["cloudtrail_inputs"] as? [String])?.isEmpty == false)
        }
    }

    @Test("alerts delete plans first, refuses without a terminal or --auto-approve, deletes with it")
    func deleteNeedsApproval() async throws {
        try await Self.withGrafana { grafana, workspace in
            let apply = try await workspace.run(["alerts", "apply"])
            #expect(apply.status == 0, "\(apply.stderr)")
            let rules = await grafana.withState { $0.rules.count }
            #expect(rules == 7)

            await grafana.clearLog()
            let refused = try await workspace.run(["alerts", "delete"])
            #expect(refused.status == 1)
            #expect(refused.stdout.contains("- rule group tfdrift/tfdrift-drift"), "the plan is shown first: \(refused.stdout)")
            #expect(refused.stderr.contains("--auto-approve"), "\(refused.stderr)")
            #expect(await grafana.writes.isEmpty, "nothing is deleted without approval")
            #expect(await grafana.withState { $0.rules.count } == 7)

            let approved = try await workspace.run(["alerts", "delete", "--auto-approve"])
            #expect(approved.status == 0, "\(approved.stderr)")
            #expect(await grafana.withState { $0.rules.isEmpty })
        }
    }

    @Test("colours: off with --no-color, off when NO_COLOR is set (and not empty), on otherwise")
    func colours() {
        Console.configure(arguments: ["alerts", "plan", "--no-color"], environment: [:])
        #expect(!Console.colours)
        Console.configure(arguments: [], environment: ["NO_COLOR": "1"])
        #expect(!Console.colours)
        Console.configure(arguments: [], environment: ["NO_COLOR": ""])
        #expect(Console.colours)
        #expect(Console.paint("x", "31", terminal: true) == "\u{1B}[31mx\u{1B}[0m")
        Console.configure(arguments: ["--no-color"], environment: [:])
        #expect(Console.paint("x", "31", terminal: true) == "x")
    }
}
