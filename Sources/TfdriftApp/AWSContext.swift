import AWSClient
import Detector
import Foundation
import Logging
import Synchronization
import TfdriftCore

/// The AWS side of the application: credentials as the SDKs find them, clients per region and role,
/// Terraform states in S3 (remembering each object's ETag, so a reload happens only when it moved).
public final class AWSContext: Sendable {
    let factory: AWSClientFactory
    let credentials: CachedCredentialProvider
    let logger: Logger
    /// ETag of each S3 state at its last successful load, by state name.
    private let etags = Mutex<[String: String]>([:])

    public init(logger: Logger) throws {
        factory = AWSClientFactory(transport: try HTTPClients.aws(), logger: logger)
        credentials = factory.defaultCredentials()
        self.logger = logger
    }

    /// AWS is needed only for S3 states or CloudTrail from SQS or S3.
    public static func needed(for config: TfdriftConfig) -> Bool {
        config.states.contains { $0.backend == .s3 } || config.cloudTrail.sqsQueue != nil
    }

    func s3(region: String?, endpoint: String?, assumeRole: String?) throws -> S3Client {
        let provider = try factory.credentials(base: credentials, assumeRoleARN: assumeRole, region: region)
        return try factory.s3(region: region, endpoint: endpoint, credentials: provider)
    }

    // MARK: States

    /// Loads local files and S3 objects; remembers S3 ETags for `statesChanged`.
    public func loadStates(_ sources: [StateSourceConfig]) async throws -> [StateLoader.Loaded] {
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
                loaded.append(StateLoader.Loaded(state: state, seconds: started.duration(to: .now).seconds))
            }
        }
        return loaded
    }

    /// A cheap HEAD per S3 state: has any ETag moved since the last load?
    public func statesChanged(_ sources: [StateSourceConfig]) async -> Bool {
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
}
