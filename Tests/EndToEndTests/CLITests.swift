import Foundation
import TestSupport
import Testing

/// Runs the built `tfdriftctl` binary as a user would: exit codes, stdout/stderr contracts.
@Suite("tfdriftctl binary")
struct CLITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The executable sits next to the test bundle in SwiftPM's build directory.
    static let binary: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("tfdriftctl")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return repository.appendingPathComponent(".build/debug/tfdriftctl")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// Runs the binary to completion (on a thread of its own: see `offThePool`).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], executable: URL = binary, in directory: URL = repository
    ) async throws -> Result {
        try await offThePool { try runBlocking(arguments, environment: environment, executable: executable, in: directory) }
    }

    static func runBlocking(
        _ arguments: [String], environment: [String: String], executable: URL, in directory: URL
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting: a full pipe would block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    static func json(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tfdriftctl-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("README's first command: replay the quickstart, real drift, exit 2, summary as the last stderr line")
    func quickstartReplay() async throws {
        let result = try await Self.run([
            "replay", "--config", "examples/quickstart/tfdrift.yaml", "--output", "json", "examples/quickstart/cloudtrail",
        ])
        #expect(result.status == 2, "\(result.stderr)")
        let events = try result.stdoutLines.map(Self.json)
        #expect(events.count >= 12)
        for event in events {
            for field in [
                "timestamp", "detected_at", "action", "drift_type", "severity", "resource_type", "resource_id", "diff",
                "changed_by",
                "actor", "event_name", "event_source", "message",
            ] {
                #expect(event[field] != nil, "\(field) missing in \(event)")
            }
        }
        let opened = try #require(events.first { $0["resource_id"] as? String == "sg-003dc7f1f1c686164" })
        #expect(opened["drift_type"] as? String == "modified")
        #expect(opened["severity"] as? String == "critical")
        #expect(opened["resource_address"] as? String == "module.sandbox_network.aws_security_group.this")
        let lastLine = try #require(result.stderrLines.last)
        let summary = try #require(try Self.json(lastLine)["summary"] as? [String: Any])
        #expect(summary["records"] as? Int == 1370)
        #expect(summary["malformed"] as? Int == 0)
        #expect((summary["expected_changes"] as? Int ?? 0) > 100)
        // New drift and resolutions are counted apart, like the metrics.
        let resolvedLines = events.filter { $0["action"] as? String == "drift_resolved" }.count
        #expect(resolvedLines == 11)
        #expect(summary["drift_events"] as? Int == events.count - resolvedLines)
        #expect(summary["resolved"] as? Int == resolvedLines)
        #expect(summary["by_resolved_by"] as? [String: Int] == ["revert": 3, "deleted": 8])
        #expect((summary["by_type"] as? [String: Int])?.values.reduce(0, +) == events.count - resolvedLines)
        for key in ["mutating", "by_severity", "by_type", "skipped", "seconds"] { #expect(summary[key] != nil, "\(key)") }
        // No drift from another account's snapshot that shares a managed snapshot's name.
        #expect(
            !events.contains {
                $0["event_id"] as? String == "fef2bf02-bbea-4d0f-a91c-e6ccfe3fba46" && $0["drift_type"] as? String == "modified"
            })
    }

    @Test("the binary ships alone: copied into an empty directory it has its catalog, samples, profiles, dashboards")
    func singleFile() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("tfdriftctl")
        // Copied by `cp`, not by this process: while our copy's write descriptor is open, any child another
        // test forks at that moment inherits it until its exec, and executing the copy then fails with
        // ETXTBSY ("Text file busy"). A descriptor that only ever lives in `cp` cannot leak that way.
        let copied = try await Self.run(
            [Self.binary.path, copy.path], executable: URL(fileURLWithPath: "/bin/cp"), in: directory)
        try #require(copied.status == 0, "\(copied.stderr)")
        // No resource bundle may be needed: a container image or a host often gets the executable only.
        let quickstart = Self.repository.appendingPathComponent("examples/quickstart")
        let replay = try await Self.run(
            [
                "replay", "--config", quickstart.appendingPathComponent("tfdrift.yaml").path, "--output", "json",
                quickstart.appendingPathComponent("cloudtrail").path,
            ], executable: copy, in: directory)
        #expect(replay.status == 2, "\(replay.stderr)")
        let lastLine = try #require(replay.stderrLines.last)
        let summary = try #require(try Self.json(lastLine)["summary"] as? [String: Any])
        #expect(summary["records"] as? Int == 1370)
        #expect((summary["drift_events"] as? Int ?? 0) + (summary["resolved"] as? Int ?? 0) == replay.stdoutLines.count)
        // 43 with the hand-written catalog; EnableSerialConsoleAccess (generated, a region singleton) adds an unmanaged line.
        #expect(replay.stdoutLines.count == 44)
        // The doctor's sample run uses the built-in samples and catalog.
        let doctor = try await Self.run(
            ["doctor", "--only", "sample.events", "--output", "json"], executable: copy, in: directory)
        let report = try Self.json(doctor.stdout)
        let checks = try #require(report["checks"] as? [[String: Any]])
        let sample = try #require(checks.first { $0["id"] as? String == "sample.events" })
        #expect(sample["status"] as? String == "pass", "\(sample)")
        // With no alerts/ or dashboards/ beside it, plans use the profiles and dashboards built in
        // (against the spec-validating Grafana simulator: everything is still to create, exit 2).
        let config = directory.appendingPathComponent("tfdrift.yaml")
        let grafana = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec())
        await grafana.withState { $0.addPrometheusDataSource() }
        try await GrafanaSimulatorServer.with(grafana) { base in
            try "grafana:\n  url: \(base.absoluteString)\n  token: sim-token\n  loki_url: http://loki:3100\n".write(
                to: config, atomically: true, encoding: .utf8)
            let alerts = try await Self.run(
                ["alerts", "plan", "--profile", "large", "--config", config.path], executable: copy, in: directory)
            #expect(alerts.status == 2, "\(alerts.stderr)")
            #expect(alerts.stdout.contains("to create"), "\(alerts.stdout)")
            let dashboards = try await Self.run(["dashboards", "plan", "--config", config.path], executable: copy, in: directory)
            #expect(dashboards.status == 2, "\(dashboards.stderr)")
            #expect(dashboards.stdout.contains("dashboard tfdrift-overview"), "\(dashboards.stdout)")
        }
    }

    @Test("replay with nothing drifting exits 0")
    func noDrift() async throws {
        let result = try await Self.run([
            "replay", "--config", "examples/quickstart/tfdrift.yaml", "--output", "json", "--until", "2000-01-01T00:00:00Z",
            "examples/quickstart/cloudtrail",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("run with file sources processes them, writes the drift log, and exits 0")
    func runOnFiles() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("tfdrift.yaml")
        try """
        providers:
          aws:
            state:
              local_path: \(Self.repository.path)/examples/quickstart/terraform.tfstate
            cloudtrail:
              log_paths: [\(Self.repository.path)/examples/quickstart/cloudtrail]
        outputs:
          stdout: false
          file:
            path: \(directory.path)/drifts.log
        """.write(to: config, atomically: true, encoding: .utf8)
        let result = try await Self.run(["run", "--config", config.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let log = try String(contentsOf: directory.appendingPathComponent("drifts.log"), encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count >= 12)
        let actions = try Set(lines.map { try Self.json(String($0))["action"] as? String ?? "" })
        #expect(actions == ["drift_detected", "drift_resolved"], "\(actions)")
    }

    @Test("a config typo fails with the key path, a suggestion and the line, exit 1")
    func configError() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("tfdrift.yaml")
        try "providers:\n  aws:\n    cloudtrial:\n      sqs_queue: arn:aws:sqs:us-east-1:123456789012:q\n".write(
            to: config, atomically: true, encoding: .utf8)
        let result = try await Self.run(["replay", "--config", config.path, "examples/quickstart/cloudtrail"])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("providers.aws.cloudtrial: unknown key (did you mean cloudtrail?) at line 3"),
            "\(result.stderr)")
    }

    @Test("secrets from the config never appear in output")
    func secretsStayHidden() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("tfdrift.yaml")
        try """
        providers:
          aws:
            state:
              local_path: \(Self.repository.path)/examples/quickstart/terraform.tfstate
            cloudtrail:
              log_paths: [\(Self.repository.path)/examples/quickstart/cloudtrail]
        outputs:
          loki:
            url: http://127.0.0.1:9
            username: u
            password: "${LOKI_PASSWORD}"
          slack:
            webhook_url: "${SLACK_WEBHOOK_URL}"
        """.write(to: config, atomically: true, encoding: .utf8)
        // Nothing listens on these loopback ports: deliveries fail, and their errors must not leak secrets.
        let result = try await Self.run(
            ["run", "--config", config.path],
            environment: ["LOKI_PASSWORD": "hunter2-loki", "SLACK_WEBHOOK_URL": "http://127.0.0.1:9/services/T0/B0/sekrit"])
        // A one-shot run whose outputs delivered nothing is a failure, said plainly (issue 13 item 6).
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains(/loki took \d+ drift events and delivered none/), "\(result.stderr)")
        #expect(result.stderr.contains("they wait in its spool for the next run"), "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2-loki") && !result.stdout.contains("hunter2-loki"))
        #expect(!result.stderr.contains("sekrit") && !result.stdout.contains("sekrit"))
        // The Loki spool kept what could not be delivered (beside the config file).
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("tfdrift-spool/spool.jsonl").path))
    }

    @Test("malformed inputs are reported with their location and do not stop the run")
    func malformedInput() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("events.jsonl")
        try """
        {"eventName":"CreateVpc","eventSource":"ec2.amazonaws.com","eventID":"a","eventTime":"2026-01-01T00:00:00Z","readOnly":false,"userAgent":"aws-cli","responseElements":{"vpc":{"vpcId":"vpc-1"}}}
        {"eventName":"CreateVpc","eventSource":
        {"eventName":"CreateVpc","eventSource":"ec2.amazonaws.com","eventID":"b","eventTime":"2026-01-01T00:00:00Z","readOnly":false,"userAgent":"aws-cli","responseElements":{"vpc":{"vpcId":"vpc-2"}}}
        """.write(to: file, atomically: true, encoding: .utf8)
        let result = try await Self.run(["replay", "--config", "examples/quickstart/tfdrift.yaml", "--output", "json", file.path])
        #expect(result.status == 2)
        #expect(result.stdoutLines.count == 2)
        #expect(result.stderr.contains("events.jsonl:2"), "\(result.stderr)")
        let lastLine = try #require(result.stderrLines.last)
        let summary = try #require(try Self.json(lastLine)["summary"] as? [String: Any])
        #expect(summary["malformed"] as? Int == 1)
    }

    @Test("a missing input path is an error, exit 1")
    func missingPath() async throws {
        let result = try await Self.run(["replay", "--config", "examples/quickstart/tfdrift.yaml", "/nonexistent/trail"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/trail"))
    }

    @Test("state inspect and state coverage, text and JSON")
    func stateCommands() async throws {
        let inspect = try await Self.run(["state", "inspect", "--config", "examples/quickstart/tfdrift.yaml", "--output", "json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let report = try Self.json(inspect.stdout)
        let states = try #require(report["states"] as? [[String: Any]])
        #expect((states.first?["resources"] as? Int ?? 0) > 10)
        let coverage = try await Self.run(["state", "coverage", "--config", "examples/quickstart/tfdrift.yaml"])
        #expect(coverage.status == 0)
        #expect(coverage.stdout.contains("Observed"))
        #expect(coverage.stdout.contains("aws_security_group"))
        let coverageJSON = try Self.json(
            try await Self.run(["state", "coverage", "--config", "examples/quickstart/tfdrift.yaml", "--output", "json"]).stdout)
        #expect(coverageJSON["covered"] != nil && coverageJSON["uncovered"] != nil)
        // Without a state configured: exit 1 with one sentence naming the key to set (no usage text).
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("tfdrift.yaml")
        try "outputs:\n  stdout: true\n".write(to: empty, atomically: true, encoding: .utf8)
        for command in ["inspect", "coverage"] {
            let refused = try await Self.run(["state", command, "--config", empty.path])
            #expect(refused.status == 1)
            #expect(
                refused.stderr.contains("no Terraform state configured: set providers.aws.state.local_path"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("USAGE"))
        }
    }

    @Test("version, help with examples, shell completion")
    func versionHelpCompletion() async throws {
        let version = try await Self.run(["version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains("Terraform state format 4"))
        for command in [["replay"], ["run"], ["state", "inspect"], ["state", "coverage"]] {
            let help = try await Self.run(command + ["--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Example"), "\(command)")
        }
        let completion = try await Self.run(["--generate-completion-script", "bash"])
        #expect(completion.status == 0)
        #expect(completion.stdout.contains("_tfdriftctl"))
    }
}
