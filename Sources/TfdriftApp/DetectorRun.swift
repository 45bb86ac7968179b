import Detector
import DetectorServer
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TfdriftCore
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// `tfdriftctl run`: the detector as configured. Live sources (HTTP ingest, SQS) make it a service that
/// runs until SIGTERM/SIGINT; with only file sources it processes them and ends. Either way every
/// source feeds the one engine, the sinks are flushed before it returns, and a one-shot run whose
/// sink delivered nothing is an error, not a green.
public enum DetectorRun {
    public struct Options: Sendable {
        /// Replaces the stdout JSON-lines sink (the CLI renders drift events readably on a terminal).
        public var stdout: (any DriftSink)?
        /// More services for the group (the silence horizon keeper).
        public var extraServices: [any Service] = []
        /// The build, for `tfdrift_build_info`.
        public var version = "dev"
        public init() {}
    }

    public struct Outcome: Sendable {
        public var summary: DetectionSummary
        public var sinks: [SinkHealth]
        public var seconds: Double
        /// It ended on its own (only file sources).
        public var finite: Bool
        /// What makes a one-shot run a failure although it ran (a sink that delivered nothing).
        public var failure: AppError?
    }

    /// Sources in the config that this build cannot serve: said plainly, never faked.
    static func unavailable(in config: TfdriftConfig) -> [String] {
        var result: [String] = []
        if config.cloudTrail.s3Bucket != nil, config.cloudTrail.sqsQueue == nil {
            result.append(
                "providers.aws.cloudtrail.s3_bucket without sqs_queue (to read a bucket once, use `tfdriftctl replay s3://bucket/prefix`; to follow it, configure its notifications to SQS and set sqs_queue)"
            )
        }
        return result
    }

    public static func run(config: TfdriftConfig, options: Options = Options(), logger: Logger) async throws -> Outcome {
        let unavailable = unavailable(in: config)
        guard unavailable.isEmpty else { throw AppError.unavailableSources(unavailable) }
        guard !config.cloudTrail.logPaths.isEmpty || config.server.enabled || config.cloudTrail.sqsQueue != nil else {
            throw AppError.nothingToRun
        }
        let started = ContinuousClock.now
        let catalog = try CatalogLoader.load(extraPaths: config.detection.catalogPaths)
        var runtimeOptions = DetectorRuntime.Options()
        runtimeOptions.version = options.version
        if config.outputs.loki != nil || config.outputs.slack != nil || config.outputs.webhook != nil {
            runtimeOptions.transport = try HTTPClients.sinks(loki: config.outputs.loki)
        }
        var configuration = config
        if let stdout = options.stdout, config.outputs.stdout {
            configuration.outputs.stdout = false
            runtimeOptions.extraSinks.append(stdout)
        }
        if AWSContext.needed(for: config) {
            let aws = try AWSContext(logger: logger)
            let states = config.states
            runtimeOptions.stateLoader = { try await aws.loadStates($0) }
            runtimeOptions.remoteStateChanged = { await aws.statesChanged(states) }
            if let sqs = try aws.sqsSource(config: config) { runtimeOptions.sources.append(sqs) }
        }
        if !config.cloudTrail.logPaths.isEmpty { runtimeOptions.sources.append(FileSource(paths: config.cloudTrail.logPaths)) }
        let runtime = try await DetectorRuntime.make(
            config: configuration, catalog: catalog, options: runtimeOptions, logger: logger)
        var services = runtime.services()
        services += options.extraServices.map { .init(service: $0) }
        if config.server.enabled {
            services.append(
                .init(
                    service: try runtime.application(server: config.server, logger: logger) { port in
                        logger.info("listening", metadata: ["address": "\(config.server.listen)", "port": "\(port)"])
                    }))
        }
        let finite = !config.server.enabled && config.cloudTrail.sqsQueue == nil
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE && config.server.enabled {
            throw AppError.listenAddressInUse(config.server.listen)
        }
        var healths: [SinkHealth] = []
        for sink in runtime.sinks { healths.append(await sink.health()) }
        var outcome = Outcome(
            summary: await runtime.engine.summary, sinks: healths, seconds: started.duration(to: .now).seconds, finite: finite)
        if finite {
            let silent = healths.filter { ($0.accepted > 0 && $0.delivered == 0) || $0.permanentFailure != nil }
            if !silent.isEmpty { outcome.failure = .sinksDeliveredNothing(silent) }
        }
        return outcome
    }
}
