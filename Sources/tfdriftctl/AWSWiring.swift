import AWSClient
import Detector
import DetectorServer
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TfdriftApp
import TfdriftCore

/// Connects the AWS client to the detector: Terraform states in S3 (read with ETag change checks) and
/// CloudTrail log files announced through SQS. Only the executable knows both sides.
final class AWSWiring: Sendable {
    let factory: AWSClientFactory
    let credentials: CachedCredentialProvider
    let logger: Logger
    /// ETag of each S3 state at its last successful load, by state name.
    private let etags = Mutex<[String: String]>([:])

    init(logger: Logger) throws {
        // States can be large: allow bodies up to 1 GiB on this client.
        factory = AWSClientFactory(
            transport: try HTTPClients.aws(), logger: logger)
        credentials = factory.defaultCredentials()
        self.logger = logger
    }

    /// AWS is needed only for S3 states or CloudTrail from SQS.
    static func needed(for config: TfdriftConfig) -> Bool {
        config.states.contains { $0.backend == .s3 } || config.cloudTrail.sqsQueue != nil
    }

    func s3(region: String?, endpoint: String?, assumeRole: String?) throws -> S3Client {
        let provider = try factory.credentials(base: credentials, assumeRoleARN: assumeRole, region: region)
        return try factory.s3(region: region, endpoint: endpoint, credentials: provider)
    }

    // MARK: States

    /// Loads local files and S3 objects; remembers S3 ETags for `statesChanged`.
    func loadStates(_ sources: [StateSourceConfig]) async throws -> [StateLoader.Loaded] {
        var loaded: [StateLoader.Loaded] = []
        for source in sources {
            switch source.backend {
            case .local:
                loaded.append(contentsOf: try StateLoader.loadLocal(source))
            case .s3:
                guard let location = S3StateLocation(source) else { continue }
                let started = ContinuousClock.now
                let reader = S3StateReader(
                    s3: try s3(region: source.region, endpoint: source.endpoint, assumeRole: source.assumeRoleARN),
                    location: location)
                guard let object = try await reader.fetchIfChanged(knownETag: nil) else {
                    throw StateLoadError(origin: location.description, message: "S3 returned no body")
                }
                var state = try StateParser.parse(JSONBytes(object.bytes), name: source.name, origin: location.description)
                state.accountID = source.accountID
                if let etag = object.etag { etags.withLock { $0[source.name] = etag } }
                let elapsed = started.duration(to: .now)
                loaded.append(
                    StateLoader.Loaded(
                        state: state, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                )
            }
        }
        return loaded
    }

    /// A cheap HEAD per S3 state: has any ETag moved since the last load?
    func statesChanged(_ sources: [StateSourceConfig]) async -> Bool {
        for source in sources where source.backend == .s3 {
            guard let location = S3StateLocation(source) else { continue }
            do {
                let info = try await s3(region: source.region, endpoint: source.endpoint, assumeRole: source.assumeRoleARN)
                    .headObject(bucket: location.bucket, key: location.key)
                if info.etag != etags.withLock({ $0[source.name] }) { return true }
            } catch {
                logger.warning(
                    "cannot check the S3 state for changes", metadata: ["state": "\(source.name)", "error": "\(error)"])
            }
        }
        return false
    }

    // MARK: CloudTrail from SQS

    /// The SQS consumer as a service: log files are evaluated and their drift events handed to the
    /// sinks before the message is deleted; on shutdown it stops receiving and finishes what it holds.
    func sqsSource(config: TfdriftConfig, detection: DetectionService) throws -> (any Service)? {
        guard let queue = config.cloudTrail.sqsQueue else { return nil }
        let cloudTrail = config.cloudTrail
        // A cross-account log archive: assume cloudtrail.assume_role_arn for both the queue and the bucket.
        let provider = try factory.credentials(
            base: credentials, assumeRoleARN: cloudTrail.assumeRoleARN, region: cloudTrail.region)
        let sqs = try factory.sqs(queue: queue, region: cloudTrail.region, endpoint: cloudTrail.endpoint, credentials: provider)
        let s3 = try self.s3(region: cloudTrail.region, endpoint: cloudTrail.endpoint, assumeRole: cloudTrail.assumeRoleARN)
        var configuration = CloudTrailQueueConsumer<CloudTrailPayloadClosure>.Configuration()
        configuration.accounts = Set(cloudTrail.accounts)
        if let bucket = cloudTrail.s3Bucket { configuration.buckets = [bucket] }
        configuration.keyPrefix = cloudTrail.s3Prefix
        let handler = CloudTrailPayloadClosure { bytes, origin in
            let buffer: JSONBytes =
                bytes.withUnsafeBufferPointer { raw in Gzip.isGzip(raw.baseAddress!, count: raw.count) }
                ? try bytes.withUnsafeBufferPointer { try Gzip.decompress($0.baseAddress!, count: $0.count) } : JSONBytes(bytes)
            let (records, malformed) = RecordDecoder.records(in: buffer, file: origin.description)
            await detection.handleDirectly(records, source: "sqs", malformed: malformed)
        }
        let consumer = CloudTrailQueueConsumer(sqs: sqs, s3: s3, handler: handler, configuration: configuration, logger: logger)
        return SQSSourceService(consumer: consumer)
    }
}

struct SQSSourceService: Service {
    let consumer: CloudTrailQueueConsumer<CloudTrailPayloadClosure>

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await consumer.run()
        } onGracefulShutdown: {
            consumer.control.stopReceiving()
        }
    }
}

/// Catalog and states for the one-shot commands (`replay`, `state …`), S3 states included.
func loadSetup(_ config: TfdriftConfig) async throws -> DetectorSetup {
    guard AWSWiring.needed(for: config) else { return try DetectorSetup.load(config: config) }
    let wiring = try AWSWiring(logger: Logger(label: "tfdriftctl"))
    let catalog = try CatalogLoader.load(extraPaths: config.detection.catalogPaths)
    return DetectorSetup(catalog: catalog, loaded: try await wiring.loadStates(config.states))
}
