import Foundation
import Logging
import TfdriftCore

/// Builds service clients the way the AWS SDKs would from the same environment: region, endpoint
/// overrides, credentials (default chain, optionally assuming a role per source), retries.
public struct AWSClientFactory: Sendable {
    public var environment: AWSEnvironment
    public var transport: any HTTPTransport
    public var retry: RetryPolicy
    public var logger: Logger
    public var now: @Sendable () -> Date

    public init(
        environment: AWSEnvironment = .process, transport: any HTTPTransport, retry: RetryPolicy = .standard,
        logger: Logger = Logger(label: "tfdrift.aws"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.environment = environment
        self.transport = transport
        self.retry = retry
        self.logger = logger
        self.now = now
    }

    /// The active profile's settings from the shared files (nil when absent or unreadable).
    public var profile: [String: String]? {
        (try? environment.sharedConfig())?.profile(environment.profileName)
    }

    public func region(configured: String?) -> String? {
        AWSRegionResolver.resolve(configured: configured, environment: environment, profile: profile)
    }

    public func endpoint(_ service: AWSService, region: String, configured: String?) throws -> AWSEndpoint {
        let shared = try? environment.sharedConfig()
        return try AWSEndpointResolver.resolve(
            service: service, region: region, configured: configured, environment: environment,
            profile: shared?.profile(environment.profileName), shared: shared)
    }

    func defaultSessionName() -> String { "tfdriftctl-\(Int(now().timeIntervalSince1970))" }

    /// The default chain behind a cache; build it once per process and share it.
    public func defaultCredentials() -> CachedCredentialProvider {
        CachedCredentialProvider(DefaultCredentialChain(factory: self), now: now)
    }

    /// The EC2 instance metadata provider with this factory's transport, clock and logger.
    public func instanceMetadataCredentials(settings: InstanceMetadataSettings) -> InstanceMetadataCredentialProvider {
        InstanceMetadataCredentialProvider(settings: settings, transport: transport, now: now, logger: logger)
    }

    /// `base`, or — with `assumeRoleARN` — a cached provider that assumes that role with `base`.
    public func credentials(
        base: any AWSCredentialProvider, assumeRoleARN: String?, region: String? = nil, sessionName: String? = nil
    ) throws -> any AWSCredentialProvider {
        guard let assumeRoleARN, !assumeRoleARN.isEmpty else { return base }
        let provider = AssumeRoleCredentialProvider(
            roleARN: assumeRoleARN, sessionName: sessionName ?? defaultSessionName(),
            sts: try sts(region: region, credentials: base))
        return CachedCredentialProvider(provider, now: now)
    }

    public func serviceClient(
        _ service: AWSService, region configuredRegion: String?, endpoint configuredEndpoint: String?,
        credentials: (any AWSCredentialProvider)?
    ) throws -> AWSServiceClient {
        guard let region = region(configured: configuredRegion) else {
            throw AWSClientError.noRegion(service: service.displayName)
        }
        let endpoint = try endpoint(service, region: region, configured: configuredEndpoint)
        return AWSServiceClient(
            service: service, region: region, endpoint: endpoint, transport: transport, credentials: credentials, retry: retry,
            logger: logger, now: now)
    }

    /// STS for credential providers: the profile's or environment's region, else us-east-1.
    public func sts(region: String?, credentials: (any AWSCredentialProvider)?, profile: [String: String]? = nil) throws
        -> STSClient
    {
        let resolved =
            AWSRegionResolver.resolve(configured: region, environment: environment, profile: profile ?? self.profile)
            ?? "us-east-1"
        let shared = try? environment.sharedConfig()
        let endpoint = try AWSEndpointResolver.resolve(
            service: .sts, region: resolved, configured: nil, environment: environment,
            profile: profile ?? shared?.profile(environment.profileName), shared: shared)
        return STSClient(
            client: AWSServiceClient(
                service: .sts, region: resolved, endpoint: endpoint, transport: transport, credentials: credentials, retry: retry,
                logger: logger, now: now))
    }

    public func s3(region: String?, endpoint: String?, credentials: any AWSCredentialProvider) throws -> S3Client {
        S3Client(client: try serviceClient(.s3, region: region, endpoint: endpoint, credentials: credentials))
    }

    /// An SQS client for `queue` (ARN or URL): the region comes from the queue unless configured.
    public func sqs(queue: String, region: String?, endpoint: String?, credentials: any AWSCredentialProvider) throws -> SQSClient
    {
        let reference = try SQSQueueReference(queue)
        let client = try serviceClient(.sqs, region: region ?? reference.region, endpoint: endpoint, credentials: credentials)
        return SQSClient(client: client, queue: reference)
    }
}
