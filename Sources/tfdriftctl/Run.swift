import ArgumentParser
import Detector
import Foundation
import Logging
import TfdriftApp
import TfdriftCore

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the detector as configured (sources, state, sinks).",
        discussion: """
            With live sources (server:, providers.aws.cloudtrail.sqs_queue) it runs until SIGTERM/SIGINT, \
            then drains and flushes. With only file sources (providers.aws.cloudtrail.log_paths) it \
            processes them, flushes the outputs and exits: 0, or 1 when an output delivered nothing.

            Example:
              tfdriftctl run --config examples/quickstart/tfdrift.yaml
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let config = try global.loadConfig()
        global.bootstrapLogging(config: config)
        var options = DetectorRun.Options()
        let stdout = RenderingSink(format: global.output)
        options.stdout = stdout
        options.version = BuildInfo.version
        // advanced.silences.keep_filled: re-run `silence schedule` periodically.
        if let silences = try SilenceApp.keepFilledService(config: config, logger: Logger(label: "tfdriftctl")) {
            options.extraServices.append(silences)
        }
        if config.states.isEmpty, !config.cloudTrail.logPaths.isEmpty { warnNoState() }
        let outcome = try await DetectorRun.run(config: config, options: options, logger: Logger(label: "tfdriftctl"))
        await stdout.flush()
        if outcome.finite {
            SummaryRenderer.render(outcome.summary, malformed: [], seconds: outcome.seconds, format: global.output)
        }
        if let failure = outcome.failure { throw failure }
    }
}

func warnNoState() {
    Console.warn("no Terraform state configured (providers.aws.state.local_path): every change will be reported as unmanaged")
}

/// Drift events rendered for a person on a terminal, JSON lines otherwise: the CLI's stdout sink.
actor RenderingSink: DriftSink {
    nonisolated let name = "stdout"
    nonisolated let loop = DeliveryLoop()
    let renderer: EventRenderer
    var written = 0

    init(format: OutputFormat) { renderer = EventRenderer(format: format) }

    func flush() { renderer.flush() }

    func submit(_ events: [DriftEvent]) {
        for event in events { renderer.render(event) }
        written += events.count
    }

    func run() async {
        await loop.waitForFinish()
        renderer.flush()
    }

    nonisolated func finish() { loop.finish() }

    func health() -> SinkHealth {
        SinkHealth(name: name, healthy: true, detail: "\(written) events written", accepted: written, delivered: written)
    }
}
