import ArgumentParser
import Detector
import DetectorServer
import Foundation
import Logging
import ServiceLifecycle
import TfdriftApp
import TfdriftCore
import UnixSignals

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
                "this build of tfdriftctl cannot read these sources yet: \(unavailable.joined(separator: ", ")). Remove them, or use `replay` on downloaded logs."
            )
        }
        guard !config.cloudTrail.logPaths.isEmpty || config.server.enabled || config.cloudTrail.sqsQueue != nil else {
            throw ValidationError(
                "nothing to run: set providers.aws.cloudtrail.log_paths (files or directories of CloudTrail logs) or a server: section (HTTP ingest for Falco)"
            )
        }
        if config.server.enabled || config.cloudTrail.sqsQueue != nil || config.outputs.loki != nil || config.outputs.slack != nil
            || config.outputs.webhook != nil || config.states.contains(where: { $0.backend == .s3 })
        {
            try await runService(config)
        } else {
            try await runFiles(config)
        }
    }

    /// Finite file sources, stdout/file outputs: process and exit.
    func runFiles(_ config: TfdriftConfig) async throws {
        let setup = try await loadSetup(config)
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

    /// The long-running detector (HTTP ingest, reloads, Loki with its spool), or file sources pushed
    /// through the same pipeline when Loki is configured. SIGTERM/SIGINT drain and flush, then exit 0.
    func runService(_ config: TfdriftConfig) async throws {
        let logger = Logger(label: "tfdriftctl")
        let catalog = try CatalogLoader.load(extraPaths: config.detection.catalogPaths)
        var options = DetectorRuntime.Options()
        if config.outputs.loki != nil || config.outputs.slack != nil || config.outputs.webhook != nil {
            options.transport = try HTTPClients.sinks(loki: config.outputs.loki)
        }
        let wiring = AWSWiring.needed(for: config) ? try AWSWiring(logger: logger) : nil
        if let wiring {
            let sources = config.states
            options.stateLoader = { try await wiring.loadStates($0) }
            options.remoteStateChanged = { await wiring.statesChanged(sources) }
        }
        var runtime = try await DetectorRuntime.make(config: config, catalog: catalog, options: options, logger: logger)
        if let wiring, let sqs = try wiring.sqsSource(config: config, detection: runtime.detection) {
            runtime = runtime.adding(source: sqs)
        }
        var services = runtime.services
        // advanced.silences.keep_filled: re-run `silence schedule` periodically (Silence.swift).
        if let silences = try SilenceContext.keepFilledService(config: config, logger: logger) { services.append(silences) }
        if config.server.enabled {
            services.append(
                try runtime.application(server: config.server, logger: logger) { port in
                    logger.info("listening", metadata: ["address": "\(config.server.listen)", "port": "\(port)"])
                })
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                do {
                    try await group.run()
                } catch let error where config.server.enabled && "\(error)".contains("Address already in use") {
                    // NIO's IOError (errno 98) reads "bind(descriptor:ptr:bytes:): Address already in use)".
                    throw ListenAddressInUse(listen: config.server.listen)
                }
            }
            if !config.cloudTrail.logPaths.isEmpty {
                try await runtime.ingestFiles(config.cloudTrail.logPaths, logger: logger)
                // Only files: stop once they are processed (the shutdown drains and flushes).
                if !config.server.enabled, config.cloudTrail.sqsQueue == nil { await group.triggerGracefulShutdown() }
            }
            try await tasks.waitForAll()
        }
    }
}

/// `server.listen` names an address another process already listens on.
struct ListenAddressInUse: Error, CustomStringConvertible {
    let listen: String
    var description: String {
        "server.listen \(listen): the address is already in use — another process (another tfdriftctl?) listens there; "
            + "stop it or choose another port"
    }
}

/// Sources and sinks in the config that this build cannot serve yet: said plainly, never faked.
enum LiveSources {
    static func unavailable(in config: TfdriftConfig) -> [String] {
        var result: [String] = []
        if config.cloudTrail.s3Bucket != nil, config.cloudTrail.sqsQueue == nil {
            result.append(
                "providers.aws.cloudtrail.s3_bucket without sqs_queue (listing a bucket is not supported: configure the bucket's notifications to SQS and set sqs_queue)"
            )
        }
        return result
    }
}
