import ArgumentParser
import Detector
import Foundation
import TfdriftCore

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Backtest: run the detector over CloudTrail logs on disk.",
        discussion: """
            PATH may be a file (.json, .json.gz, NDJSON, EventBridge envelopes, Falco alerts) or a \
            directory in the S3 layout (AWSLogs/<account>/CloudTrail/…, organisation trails included). \
            Digest and Insights files are skipped. Without PATH, the config's \
            providers.aws.cloudtrail.log_paths are replayed.

            Exit status: 0 no drift, 2 drift found, 1 error.

            Examples:
              tfdriftctl replay --config examples/quickstart/tfdrift.yaml examples/quickstart/cloudtrail
              tfdriftctl replay --since 2023-07-10T12:00:00Z --output json AWSLogs/ > drifts.jsonl
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only events at or after this RFC 3339 time.")
    var since: String?

    @Option(help: "Only events before this RFC 3339 time.")
    var until: String?

    @Flag(help: "Do not draw a progress bar.")
    var noProgress = false

    @Argument(help: "CloudTrail files or directories.", completion: .file())
    var paths: [String] = []

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, Timestamp.parse(value) == nil {
                throw ValidationError("\(name): expected an RFC 3339 time such as 2023-07-10T12:00:00Z, got \"\(value)\"")
            }
        }
    }

    func run() async throws {
        let config = try global.loadConfig()
        global.bootstrapLogging(config: config)
        let inputs = paths.isEmpty ? config.cloudTrail.logPaths : paths
        guard !inputs.isEmpty else {
            throw ValidationError(
                "nothing to replay: give CloudTrail files or directories, or set providers.aws.cloudtrail.log_paths")
        }
        let started = ContinuousClock.now
        let setup = try await loadSetup(config)
        warnIfNoState(setup)
        var evaluator = DriftEvaluator(catalog: setup.catalog, index: setup.index, config: config)
        evaluator.since = since.flatMap(Timestamp.parse)
        evaluator.until = until.flatMap(Timestamp.parse)

        let renderer = EventRenderer(format: global.output)
        // The bar shares the terminal with stdout only when events go elsewhere (a file, a pipe).
        var progress = ProgressBar(enabled: !noProgress && !Console.stdoutIsTerminal)
        var replay = FileReplay(evaluator: evaluator)
        try replay.run(
            paths: inputs, onEvent: { renderer.render($0) },
            onProgress: { done, total, summary in
                progress.update(done: done, total: total, records: summary.records, drifts: summary.driftEvents)
            })
        progress.finish()
        renderer.flush()
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        SummaryRenderer.render(replay.evaluator.summary, malformed: replay.malformed, seconds: seconds, format: global.output)
        if replay.evaluator.summary.driftEvents > 0 { throw ExitCode(2) }
    }
}

func warnIfNoState(_ setup: DetectorSetup) {
    if setup.loaded.isEmpty {
        Console.warn("no Terraform state configured (providers.aws.state.local_path): every change will be reported as unmanaged")
    }
}
