import ArgumentParser
import Detector
import Foundation
import TfdriftCore

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the detector as configured (sources, state, sinks).",
        discussion: """
            With only file sources (providers.aws.cloudtrail.log_paths) it processes them, writes drift \
            events to the configured outputs (stdout, outputs.file) and exits 0.

            Example:
              tfdriftctl run --config examples/quickstart/tfdrift.yaml
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let config = try global.loadConfig()
        global.bootstrapLogging(config: config)
        let unavailable = LiveSources.unavailable(in: config)
        guard unavailable.isEmpty else {
            throw ValidationError(
                "this build of tfdriftctl runs on file sources only; not available yet: \(unavailable.joined(separator: ", ")). Remove them or use `replay`."
            )
        }
        guard !config.cloudTrail.logPaths.isEmpty else {
            throw ValidationError(
                "nothing to run: set providers.aws.cloudtrail.log_paths (files or directories of CloudTrail logs)")
        }
        for ignored in LiveSources.notYetDelivered(in: config) { Console.warn(ignored) }
        let setup = try DetectorSetup.load(config: config)
        warnIfNoState(setup)
        let fileSink = try config.outputs.file.map {
            try JSONLinesFileSink(path: $0.path, maxBytes: $0.maxSizeBytes, maxFiles: $0.maxFiles)
        }
        let renderer = config.outputs.stdout ? EventRenderer(format: global.output) : nil
        var replay = FileReplay(evaluator: DriftEvaluator(catalog: setup.catalog, index: setup.index, config: config))
        let started = ContinuousClock.now
        var sinkError: (any Error)?
        try replay.run(paths: config.cloudTrail.logPaths) { event in
            renderer?.render(event)
            do { try fileSink?.write(event.jsonLine()) } catch { sinkError = sinkError ?? error }
        }
        renderer?.flush()
        let elapsed = started.duration(to: .now)
        SummaryRenderer.render(
            replay.evaluator.summary, malformed: replay.malformed,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, format: global.output)
        if let sinkError { throw sinkError }
    }
}

/// Sources and sinks in the config that this build cannot serve yet: said plainly, never faked.
enum LiveSources {
    static func unavailable(in config: TfdriftConfig) -> [String] {
        var result: [String] = []
        if config.cloudTrail.sqsQueue != nil { result.append("providers.aws.cloudtrail.sqs_queue") }
        if config.cloudTrail.s3Bucket != nil { result.append("providers.aws.cloudtrail.s3_bucket") }
        if config.server.enabled { result.append("server (HTTP ingest)") }
        return result
    }

    static func notYetDelivered(in config: TfdriftConfig) -> [String] {
        var result: [String] = []
        if config.outputs.loki != nil {
            result.append(
                "outputs.loki: Loki push is not in this build; drift events go to stdout/outputs.file for Promtail or Alloy")
        }
        if config.outputs.slack != nil {
            result.append("outputs.slack: Slack notifications are not in this build; nothing will be sent")
        }
        if config.outputs.webhook != nil {
            result.append("outputs.webhook: webhooks are not in this build; nothing will be sent")
        }
        return result
    }
}
