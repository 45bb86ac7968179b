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
/// Hummingbird template's pattern). Order in the service group is dependency order: sinks first,
/// the HTTP server last, so shutdown stops intake first, drains detection, then flushes sinks.
public struct DetectorRuntime: Sendable {
    public let dependencies: RouteDependencies
    public let services: [any Service]
    public let sinks: [any DriftSink]
    public let detection: DetectionService
    public let reloader: StateReloadService

    public struct Options: Sendable {
        public var transport: (any HTTPTransport)?
        public var stateLoader: StateStore.Loader = StateStore.localLoader
        public var remoteStateChanged: StateStore.RemoteCheck = { false }
        /// Extra live sources (e.g. the SQS consumer), placed after detection in the service group.
        public var sources: [any Service] = []
        public var extraSinks: [any DriftSink] = []
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
        let engine = DetectionEngine(evaluator: DriftEvaluator(catalog: catalog, index: index, config: config))

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

        let queue = IngestQueue(
            capacity: config.server.queueCapacity,
            journal: try config.server.journalDirectory.flatMap {
                try Self.openJournal($0, syncs: config.server.journalSync, enabled: config.server.enabled)
            })
        if let journal = queue.journal { try Self.recover(journal, into: queue, metrics: metrics, logger: logger) }
        let detection = DetectionService(
            queue: queue, engine: engine, sinks: sinks, metrics: metrics, activity: activity, logger: logger)
        let reloader = StateReloadService(
            store: store, engine: engine, sinks: sinks, interval: .seconds(config.stateReloadInterval), logger: logger)
        let dependencies = RouteDependencies(
            queue: queue, engine: engine, store: store, reloader: reloader, sinks: sinks, registry: registry, metrics: metrics,
            activity: activity, token: config.server.token, maxBodyBytes: config.server.maxBodyBytes,
            falcoPath: config.server.falcoPath,
            hasStates: !config.states.isEmpty, logger: logger)
        var services: [any Service] = sinks
        services.append(detection)
        if !config.states.isEmpty { services.append(reloader) }
        services.append(StalenessService(activity: activity, staleAfter: config.server.staleAfter, logger: logger))
        services.append(contentsOf: options.sources)
        return DetectorRuntime(
            dependencies: dependencies, services: services, sinks: sinks, detection: detection, reloader: reloader)
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
            // Malformed values were counted when the request was first accepted.
            let (records, _) = RecordDecoder.records(in: JSONBytes(frame.body), file: "ingest journal")
            recovered += records.count
            queue.requeueRecovered(IngestBatch(records: records, source: frame.source, journalEnd: frame.end))
        }
        metrics.journalRecovered(recovered)
        logger.notice(
            "recovered accepted events from the ingest journal",
            metadata: ["records": "\(recovered)", "requests": "\(frames.count)", "journal": "\(journal.directory)"])
    }

    /// The HTTP application (TLS and mTLS when configured), for `run` and live tests.
    /// A copy with one more live source service (placed before the HTTP server, after detection).
    public func adding(source: any Service) -> DetectorRuntime {
        DetectorRuntime(
            dependencies: dependencies, services: services + [source], sinks: sinks, detection: detection, reloader: reloader)
    }

    /// `withServices` embeds the runtime's services in the application's own service group (tests);
    /// `run` puts the application into its service group instead.
    public func application(
        server: ServerConfig, logger: Logger, withServices: Bool = false,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let (host, port) = try Self.address(server.listen)
        let router = DetectorRoutes.router(dependencies)
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
            builder = try .tls(.http1(), tlsConfiguration: tls)
        } else {
            builder = .http1()
        }
        return Application(
            router: router, server: builder,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "tfdriftctl"),
            services: withServices ? services : [],
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

    /// Feeds finite file sources (`log_paths`) into the same queue, waiting when it is full.
    public func ingestFiles(_ paths: [String], logger: Logger) async throws {
        let listing = InputFiles.list(paths)
        if let missing = listing.missing.first { throw InputFiles.ReadError(path: missing, reason: "no such file or directory") }
        for file in listing.files {
            let bytes = try InputFiles.read(file)
            let (records, problems) = RecordDecoder.records(in: bytes, file: file)
            if problems > 0 { await dependencies.engine.countMalformed(problems) }
            while dependencies.queue.offer(IngestBatch(records: records, source: "file")) == .full {
                try await Task.sleep(for: .milliseconds(50))
            }
            dependencies.metrics.received(source: "file", count: records.count)
        }
    }
}
