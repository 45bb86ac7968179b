import ArgumentParser
import Testing

@testable import tfdriftctl

/// The whole command tree, parsed in process (swift-argument-parser's
/// `parseAsRoot`): every subcommand is reachable, options land where they belong, bad input is refused.
@Suite("command line parsing")
struct CommandParsingTests {
    @Test(
        "each of our subcommands parses to its command, with the global options",
        arguments: [
            (["dashboards", "plan"], "Dashboards.Plan"), (["dashboards", "apply", "--ui-editable"], "Dashboards.Apply"),
            (["dashboards", "export", "--to", "out"], "Dashboards.Export"),
            (["alerts", "plan", "--profile", "large"], "Alerts.Plan"),
            (["alerts", "apply"], "Alerts.Apply"), (["alerts", "export"], "Alerts.Export"),
            (["alerts", "delete", "--auto-approve"], "Alerts.Delete"), (["mute-timings", "plan"], "MuteTimings.Plan"),
            (["mute-timings", "apply"], "MuteTimings.Apply"), (["silence", "schedule", "--dry-run"], "Silence.Schedule"),
            (["silence", "list", "--all"], "Silence.List"), (["silence", "expire", "--all-ours"], "Silence.Expire"),
            (["doctor", "--only", "grafana"], "Doctor"), (["iam-policy"], "IAMPolicy"), (["version"], "Version"),
            (["run"], "Run"), (["replay", "logs/"], "Replay"), (["state", "inspect"], "State.Inspect"),
            (["state", "coverage"], "State.Coverage"), (["catalog", "list", "--service", "ec2"], "Catalog.List"),
            (["catalog", "coverage", "--uncovered"], "Catalog.Coverage"),
        ])
    func parses(arguments: [String], command: String) throws {
        let parsed = try Tfdriftctl.parseAsRoot(arguments + ["--config", "x.yaml"])
        #expect(String(reflecting: type(of: parsed)) == "tfdriftctl.\(command)")
    }

    @Test("--output json and --no-color are global options of every command that prints")
    func globalOptions() throws {
        let plan = try #require(
            try Tfdriftctl.parseAsRoot(["alerts", "plan", "--output", "json", "--no-color", "--profile", "./mine.yaml"])
                as? Alerts.Plan)
        #expect(plan.global.output == .json && plan.global.noColor)
        #expect(plan.profile.profile == "./mine.yaml")
        let version = try #require(try Tfdriftctl.parseAsRoot(["version", "--output", "json"]) as? Version)
        #expect(version.global.output == .json)
        let export = try #require(try Tfdriftctl.parseAsRoot(["dashboards", "export", "--output", "json"]) as? Dashboards.Export)
        #expect(export.global.output == .json && export.to == "dashboards")
        let doctor = try #require(try Tfdriftctl.parseAsRoot(["doctor", "--output", "markdown", "--no-color"]) as? Doctor)
        #expect(doctor.output == .markdown && doctor.noColor)
    }

    @Test("replay's options land where they belong: paths (local and s3://), time bounds, jobs, partial, explain")
    func replayOptions() throws {
        let replay = try #require(
            try Tfdriftctl.parseAsRoot([
                "replay", "--since", "2023-07-10T12:00:00Z", "--until", "2023-07-11T00:00:00Z", "--jobs", "3",
                "--allow-partial", "--explain", "--no-progress", "--output", "json", "AWSLogs/", "s3://trail/AWSLogs/",
            ]) as? Replay)
        #expect(replay.paths == ["AWSLogs/", "s3://trail/AWSLogs/"])
        #expect(replay.since == "2023-07-10T12:00:00Z" && replay.until == "2023-07-11T00:00:00Z")
        #expect(replay.jobs == 3 && replay.allowPartial && replay.explain && replay.noProgress)
        #expect(replay.global.output == .json)
        let plain = try #require(try Tfdriftctl.parseAsRoot(["replay"]) as? Replay)
        #expect(plain.paths.isEmpty && plain.jobs == nil && !plain.allowPartial && !plain.explain)
        let run = try #require(try Tfdriftctl.parseAsRoot(["run", "--config", "prod.yaml", "--log-level", "debug"]) as? Run)
        #expect(run.global.config == "prod.yaml")
    }

    @Test("alerts delete asks unless --auto-approve")
    func deleteFlag() throws {
        let asks = try #require(try Tfdriftctl.parseAsRoot(["alerts", "delete"]) as? Alerts.Delete)
        #expect(!asks.autoApprove)
        let approved = try #require(try Tfdriftctl.parseAsRoot(["alerts", "delete", "--auto-approve"]) as? Alerts.Delete)
        #expect(approved.autoApprove)
    }

    @Test(
        "bad input is refused while parsing",
        arguments: [
            ["alerts", "plan", "--output", "yaml"], ["silence", "expire"], ["silence", "expire", "id", "--all-ours"],
            ["silence", "schedule", "--horizon", "10m"], ["silence", "list", "--state", "sleeping"],
            ["doctor", "--detector-cert", "c.pem"], ["doctor", "--horizon-days", "0"],
            ["iam-policy", "--kms-key-arn", "alias/x"],
            ["mute-timings", "delete"], ["replay", "--jobs", "0"], ["replay", "--since", "yesterday"],
            ["replay", "--until", "2023-13-01T00:00:00Z"], ["run", "extra-argument"], ["catalog", "list", "--bogus"],
        ])
    func refused(arguments: [String]) {
        #expect(throws: (any Error).self) { try Tfdriftctl.parseAsRoot(arguments) }
    }

    @Test("--output json is recognised in either spelling, and not after --")
    func jsonErrorsRequested() {
        #expect(ErrorOutput.wantsJSON(["alerts", "plan", "--output", "json"]))
        #expect(ErrorOutput.wantsJSON(["version", "--output=json"]))
        #expect(!ErrorOutput.wantsJSON(["alerts", "plan", "--output", "text"]))
        #expect(!ErrorOutput.wantsJSON(["replay", "--", "--output", "json"]))
    }
}
