import ArgumentParser
import Detector
import Foundation
import Logging
import Synchronization
import TfdriftApp
import TfdriftCore

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Backtest: run the detector over CloudTrail logs on disk or in the trail's S3 bucket.",
        discussion: """
            PATH may be a file (.json, .json.gz, NDJSON, EventBridge envelopes, Falco alerts) or a \
            directory in the S3 layout (AWSLogs/<account>/CloudTrail/…, organisation trails included). \
            Digest and Insights files are skipped. s3://bucket/prefix reads the trail bucket \
            (only the YYYY/MM/DD prefixes --since/--until need; accounts as configured). Without PATH, \
            the config's providers.aws.cloudtrail.log_paths are replayed.

            Exit status: 0 no drift, 2 drift found, 1 error — including an input that cannot be read \
            (unless --allow-partial) and a replay that read no record.

            Examples:
              tfdriftctl replay --config examples/quickstart/tfdrift.yaml examples/quickstart/cloudtrail
              tfdriftctl replay --since 2023-07-10T12:00:00Z --output json AWSLogs/ > drifts.jsonl
              tfdriftctl replay --since 2026-11-01T00:00:00Z s3://my-trail-bucket/AWSLogs/ --explain
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only events at or after this RFC 3339 time.")
    var since: String?

    @Option(help: "Only events before this RFC 3339 time.")
    var until: String?

    @Flag(help: "Do not draw a progress bar.")
    var noProgress = false

    @Flag(help: "Report the drifts of the inputs that could be read, even if some could not (exit 0/2 instead of 1).")
    var allowPartial = false

    @Flag(help: "Say, on stderr, what became of every mutating record and why (drift, resolved, repeat, expected, skipped).")
    var explain = false

    @Option(help: "Decoding workers (default: the number of cores). The drift lines do not depend on it.")
    var jobs: Int?

    @Argument(help: "CloudTrail files or directories.", completion: .file())
    var paths: [String] = []

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs: expected 1 or more workers, got \(jobs)") }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, Timestamp.parse(value) == nil {
                throw ValidationError("\(name): expected an RFC 3339 time such as 2023-07-10T12:00:00Z, got \"\(value)\"")
            }
        }
    }

    func run() async throws {
        let config = try global.loadConfig()
        global.bootstrapLogging(config: config)
        var options = ReplayJob.Options(paths: paths)
        options.since = since.flatMap(Timestamp.parse)
        options.until = until.flatMap(Timestamp.parse)
        options.allowPartial = allowPartial
        if let jobs { options.jobs = jobs }
        if explain {
            let format = global.output
            options.explain = { explanations in
                for explanation in explanations { Console.stderr(ExplanationRenderer.line(explanation, format: format)) }
            }
        }
        if config.states.isEmpty { warnNoState() }
        let stdout = RenderingSink(format: global.output)
        // The bar shares the terminal with stdout only when events go elsewhere (a file, a pipe).
        let bar = Mutex(ProgressBar(enabled: !noProgress && !Console.stdoutIsTerminal))
        let result = try await ReplayJob.run(
            config: config, options: options, sink: stdout,
            progress: { file, summary in
                bar.withLock {
                    $0.update(
                        done: file.done, total: file.total, bytes: file.bytes, totalBytes: file.totalBytes,
                        records: summary.records, drifts: summary.lines)
                }
            }, logger: Logger(label: "tfdriftctl"))
        bar.withLock { $0.finish() }
        await stdout.flush()
        SummaryRenderer.render(
            result.summary, malformed: result.malformed + result.unreadable, seconds: result.seconds, format: global.output)
        if let failure = result.failure { throw failure }
        // A resolution is a change made outside Terraform too (a hand-made resource deleted, a rule
        // put back by hand): the replay found something to report.
        if result.summary.lines > 0 { throw ExitCode(2) }
    }
}

/// `replay --explain`: one line per mutating record.
enum ExplanationRenderer {
    static func line(_ explanation: Explanation, format: OutputFormat) -> String {
        if format == .json { return explanation.jsonLine }
        let resource = explanation.resource.map { " \($0)" } ?? ""
        return "\(explanation.eventTime ?? "-") \(explanation.eventID ?? "-") \(explanation.eventName) → "
            + "\(explanation.outcome.name)\(resource): \(explanation.detail)"
    }
}
