import Detector
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import Prometheus
import ServiceLifecycle
import TfdriftCore

/// Builds the running detector from a config: one factory for `run` and for the tests (the
/// Hummingbird template's pattern). Every source — HTTP ingest, SQS, files — feeds the one engine,
/// which hands drift events to the sinks. Order in the service group is dependency order: sinks
/// first, then state reloads, then the sources, the HTTP server last — so shutdown stops intake first,
/// drains the sources through the engine, then lets the sinks deliver what they hold.
public struct DetectorRuntime: Sendable {
    public let engine: DetectionEngine
    public let dependencies: RouteDependencies
    public let sinks: [any DriftSink]
    public let reloader: StateReloadService
    public let metrics: DetectorMetrics
    let sources: [any RecordSource]
    let supportServices: [any Service]

    public struct Options: Sendable {
        public var transport: (any HTTPTransport)?
        public var stateLoader: StateStore.Loader = StateStore.localLoader
        public var remoteStateChanged: StateStore.RemoteCheck = { false }
        /// Sources besides HTTP ingest (the SQS consumer, file sources).
        public var sources: [any RecordSource] = []
        public var extraSinks: [any DriftSink] = []
        /// `tfdrift_build_info{version}`.
        public var version = "dev"
        public init() {}
    }

    public struct SetupError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func make(config: TfdriftConfig, catalog: EventCatalog, options: Options = Options(), logger: Logger)
        async throws -> DetectorRuntime
    {
        let registry = PrometheusCollectorRegistry()
        let metrics = DetectorMetrics(registry: registry)
        let activity = Activity(metrics: metrics)

        let store = StateStore(
            sources: config.states, metrics: metrics, logger: logger, loader: options.stateLoader,
            remoteChanged: options.remoteStateChanged)
        let index: StateIndex
        if config.states.isEmpty {
            index = StateIndex(states: [])
        } else {
            switch await store.load() {
            case .success: index = await store.current ?? StateIndex(states: [])
            case .failure(let error): throw error
            }
        }
        let sinks = try makeSinks(config: config, options: options, metrics: metrics, logger: logger)
        var sourceNames = options.sources.map(\.name)
        if config.server.enabled { sourceNames += ["http", "falco"] }
        metrics.registerAtZero(
            sources: sourceNames, sinks: sinks.map(\.name), states: config.states.map(\.name), version: options.version)
        let engine = DetectionEngine(
            evaluator: DriftEvaluator(catalog: catalog, index: index, config: config), sinks: sinks,
            observer: EngineMetrics(metrics: metrics, activity: activity))
        let pictureStore = Self.pictureStore(config)
        if let pictureStore, let saved = pictureStore.load(capacity: config.detection.pictureMaxResources, logger: logger) {
            await engine.restore(saved)
            metrics.openDrifts(await engine.openDriftCount, evicted: 0)
            logger.notice(
                "restored the live picture", metadata: ["resources": "\(saved.count)", "file": "\(pictureStore.path)"])
        }

        let queue = IngestQueue(
            capacity: config.server.queueCapacity,
            journal: try config.server.journalDirectory.flatMap {
                try Self.openJournal($0, syncs: config.server.journalSync, enabled: config.server.enabled)
            },
            onDone: { journal in if let journal { metrics.journal(bytes: journal.bytesOnDisk) } })
        if let journal = queue.journal { try Self.recover(journal, into: queue, metrics: metrics, logger: logger) }
        var sources = options.sources
        if config.server.enabled { sources.insert(HTTPIngestSource(queue: queue), at: 0) }
        let reloader = StateReloadService(
            store: store, engine: engine, interval: .seconds(config.stateReloadInterval), logger: logger)
        let dependencies = RouteDependencies(
            queue: queue, store: store, reloader: reloader, sinks: sinks, registry: registry, metrics: metrics,
            activity: activity, token: config.server.token, maxBodyBytes: config.server.maxBodyBytes,
            readTimeout: config.server.readTimeout,
            falcoPath: config.server.falcoPath,
            hasStates: !config.states.isEmpty, logger: logger)
        var supportServices: [any Service] = []
        if let pictureStore { supportServices.append(PictureService(store: pictureStore, engine: engine, logger: logger)) }
        if !config.states.isEmpty { supportServices.append(reloader) }
        supportServices.append(StalenessService(activity: activity, staleAfter: config.server.staleAfter, logger: logger))
        // A live detector beats into Loki (a one-shot run over files has nothing to say when it is done).
        if config.server.enabled || config.cloudTrail.sqsQueue != nil,
            let loki = sinks.first(where: { $0 is LokiSink }) as? LokiSink
        {
            supportServices.append(HeartbeatService(loki: loki, activity: activity))
        }
        return DetectorRuntime(
            engine: engine, dependencies: dependencies, sinks: sinks, reloader: reloader, metrics: metrics, sources: sources,
            supportServices: supportServices)
    }

    static func makeSinks(config: TfdriftConfig, options: Options, metrics: DetectorMetrics, logger: Logger) throws
        -> [any DriftSink]
    {
        var sinks: [any DriftSink] = options.extraSinks
        if config.outputs.stdout { sinks.append(StdoutSink()) }
        if let file = config.outputs.file {
            sinks.append(
                try FileSink(
                    path: file.path, maxBytes: file.maxSizeBytes, maxFiles: file.maxFiles, metrics: metrics, logger: logger))
        }
        if let loki = config.outputs.loki {
            guard let transport = options.transport else { throw SetupError(message: "outputs.loki needs an HTTP transport") }
            sinks.append(try LokiSink(config: loki, transport: transport, metrics: metrics, logger: logger))
        }
        for kind in [
            config.outputs.slack.map(NotificationSink.Kind.slack), config.outputs.webhook.map(NotificationSink.Kind.webhook),
        ] {
            guard let kind else { continue }
            guard let transport = options.transport else { throw SetupError(message: "notifications need an HTTP transport") }
            sinks.append(
                NotificationSink(
                    kind: kind, transport: transport, windows: config.maintenanceWindows,
                    maintenancePolicy: config.outputs.maintenanceNotifications, metrics: metrics, logger: logger))
        }
        return sinks
    }

    /// The detector's services in dependency order, for a service group: sinks, state reloads and
    /// staleness, the sources. A finite source (files) that finishes ends the group — draining and
    /// flushing the sinks — when no live source runs beside it; otherwise the others go on.
    public func services() -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let onlyFinite = sources.allSatisfy(\.isFinite)
        var services = sinks.map { ServiceGroupConfiguration.ServiceConfiguration(service: SinkService(sink: $0)) }
        services += supportServices.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        for source in sources {
            services.append(
                ServiceGroupConfiguration.ServiceConfiguration(
                    service: SourceService(source: source, engine: engine, logger: dependencies.logger),
                    successTerminationBehavior: !source.isFinite ? .cancelGroup : onlyFinite ? .gracefullyShutdownGroup : .ignore)
            )
        }
        return services
    }

    /// Where a live detector (HTTP ingest or SQS) keeps its picture: `detection.live_picture_file`, else
    /// `live-picture.jsonl` in the ingest journal's directory (`tfdrift-journal` beside the config). A
    /// one-shot run over files keeps none: run twice, the same files must give the same lines.
    static func pictureStore(_ config: TfdriftConfig) -> PictureStore? {
        guard config.server.enabled || config.cloudTrail.sqsQueue != nil else { return nil }
        if let file = config.detection.pictureFile { return PictureStore(path: file) }
        let beside = config.sourceFile.map { ($0 as NSString).deletingLastPathComponent }.map {
            (($0.isEmpty ? "." : $0) as NSString).appendingPathComponent("tfdrift-journal")
        }
        guard let directory = config.server.journalDirectory ?? beside else { return nil }
        return PictureStore(path: (directory as NSString).appendingPathComponent("live-picture.jsonl"))
    }

    static func openJournal(_ directory: String, syncs: Bool, enabled: Bool) throws -> IngestJournal? {
        guard enabled else { return nil }  // no listener, nothing to journal
        do {
            return try IngestJournal(directory: directory, syncs: syncs)
        } catch {
            throw SetupError(message: "server.journal_dir: \(error)")
        }
    }

    /// Requests an earlier process answered 202 but did not finish go first, in their original order.
    static func recover(_ journal: IngestJournal, into queue: IngestQueue, metrics: DetectorMetrics, logger: Logger) throws {
        let (frames, problems) = try journal.recover()
        for problem in problems {
            logger.warning("ingest journal: \(problem) (a write cut short by a crash, never acknowledged)")
        }
        guard !frames.isEmpty else { return }
        var recovered = 0
        for frame in frames {
            var batch = RecordBatch.decoding(JSONBytes(frame.body), name: "ingest journal", source: frame.source)
            // Malformed values were counted when the request was first accepted.
            batch.malformed = []
            batch.malformedCount = 0
            recovered += batch.records.count
            queue.requeueRecovered(batch, journalEnd: frame.end)
        }
        metrics.journalRecovered(recovered)
        logger.notice(
            "recovered accepted events from the ingest journal",
            metadata: ["records": "\(recovered)", "requests": "\(frames.count)", "journal": "\(journal.directory)"])
    }

    /// The HTTP application (TLS and mTLS when configured), for `run` and live tests.
    /// `withServices` embeds the runtime's services in the application's own service group (tests);
    /// `run` puts the application into its service group instead.
    public func application(
        server: ServerConfig, logger: Logger, withServices: Bool = false,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let (host, port) = try Self.address(server.listen)
        let router = DetectorRoutes.router(dependencies)
        // A connection idle this long is closed, a request whose body stalls included (server.idle_timeout).
        let http1 = HTTP1Channel.Configuration(idleTimeout: .milliseconds(Int64(server.idleTimeout * 1000)))
        let builder: HTTPServerBuilder
        if let certificate = server.tlsCertFile, let key = server.tlsKeyFile {
            var tls: TLSConfiguration
            do {
                tls = TLSConfiguration.makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            } catch {
                throw SetupError(message: "server.tls_cert_file/tls_key_file: cannot read the certificate or key (\(error))")
            }
            if let clientCA = server.clientCAFile {
                do {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
                } catch {
                    throw SetupError(message: "server.client_ca_file: cannot read \(clientCA) (\(error))")
                }
                tls.certificateVerification = .noHostnameVerification  // require and verify client certificates
            }
            builder = try .tls(.http1(configuration: http1), tlsConfiguration: tls)
        } else {
            builder = .http1(configuration: http1)
        }
        return Application(
            router: router, server: builder,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "tfdriftctl"),
            services: withServices ? services().map(\.service) : [],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    static func address(_ listen: String) throws -> (String, Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw SetupError(message: "server.listen: expected HOST:PORT, got \(listen)")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}
