import Foundation
import Logging

public protocol AWSCredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

public struct StaticCredentialProvider: AWSCredentialProvider {
    public let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials { value }
}

/// Caches credentials and refreshes them `refreshMargin` before they expire; concurrent callers
/// share one refresh. When a refresh fails while the old credentials are still valid, the old ones
/// keep working (AWS's SDKs do the same) and the error surfaces once they really expire.
public actor CachedCredentialProvider: AWSCredentialProvider {
    let base: any AWSCredentialProvider
    let refreshMargin: TimeInterval
    let now: @Sendable () -> Date
    var cached: AWSCredentials?
    var inFlight: Task<AWSCredentials, any Error>?
    /// How many times the base provider was asked (tests and metrics).
    public private(set) var fetches = 0

    public init(
        _ base: any AWSCredentialProvider, refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.base = base
        self.refreshMargin = refreshMargin
        self.now = now
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !cached.expires(within: refreshMargin, now: now()) { return cached }
        if let inFlight { return try await inFlight.value }
        fetches += 1
        let base = self.base
        let task = Task { try await base.credentials() }
        inFlight = task
        defer { inFlight = nil }
        do {
            let fresh = try await task.value
            cached = fresh
            return fresh
        } catch {
            if let cached, !cached.expires(within: 0, now: now()) { return cached }
            throw error
        }
    }

    /// Forgets the cached credentials (AWS said they expired although our clock disagreed).
    public func invalidate() {
        cached = nil
    }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: AWSCredentialProvider {
    public let environment: AWSEnvironment
    public init(environment: AWSEnvironment) { self.environment = environment }

    public static func read(_ environment: AWSEnvironment) -> AWSCredentials? {
        guard let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] else { return nil }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"], source: "environment")
    }

    public func credentials() async throws -> AWSCredentials {
        guard let credentials = Self.read(environment) else {
            throw AWSClientError.noCredentials(tried: ["environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"])
        }
        return credentials
    }
}

/// STS `AssumeRoleWithWebIdentity` with the token in a file, re-read on every refresh (EKS rotates it).
public struct WebIdentityCredentialProvider: AWSCredentialProvider {
    public let tokenFile: String
    public let roleARN: String
    public let sessionName: String
    public let sts: STSClient

    public init(tokenFile: String, roleARN: String, sessionName: String, sts: STSClient) {
        self.tokenFile = tokenFile
        self.roleARN = roleARN
        self.sessionName = sessionName
        self.sts = sts
    }

    public func credentials() async throws -> AWSCredentials {
        let token: String
        do {
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw AWSClientError.unreadableFile(
                tokenFile,
                reason: "the web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE) cannot be read: \(error.localizedDescription)")
        }
        return try await sts.assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: sessionName, token: token)
    }
}

/// STS `AssumeRole`, signed with another provider's credentials (cross-account reads, profile role chains).
public struct AssumeRoleCredentialProvider: AWSCredentialProvider {
    public let roleARN: String
    public let sessionName: String
    public let externalID: String?
    public let durationSeconds: Int?
    public let sts: STSClient

    public init(roleARN: String, sessionName: String, externalID: String? = nil, durationSeconds: Int? = nil, sts: STSClient) {
        self.roleARN = roleARN
        self.sessionName = sessionName
        self.externalID = externalID
        self.durationSeconds = durationSeconds
        self.sts = sts
    }

    public func credentials() async throws -> AWSCredentials {
        try await sts.assumeRole(
            roleARN: roleARN, sessionName: sessionName, externalID: externalID, durationSeconds: durationSeconds)
    }
}

public enum ProfileCredentialProvider {
    /// The provider a named profile describes; `visited` breaks `source_profile` cycles.
    static func provider(
        profile name: String, shared: AWSSharedConfig, factory: AWSClientFactory, visited: [String]
    ) throws -> any AWSCredentialProvider {
        guard let profile = shared.profile(name) else {
            throw AWSClientError.profileNotFound(name, files: shared.files)
        }
        if visited.contains(name) {
            throw AWSClientError.invalidProfile(
                name, reason: "source_profile cycle: \((visited + [name]).joined(separator: " → "))")
        }
        let source = "profile \(name)"
        if let roleARN = profile["role_arn"] {
            let sessionName = profile["role_session_name"] ?? factory.defaultSessionName()
            let duration = profile["duration_seconds"].flatMap { Int($0) }
            let region = profile["region"]
            if let tokenFile = profile["web_identity_token_file"] {
                return WebIdentityCredentialProvider(
                    tokenFile: factory.environment.expand(tokenFile), roleARN: roleARN, sessionName: sessionName,
                    sts: try factory.sts(region: region, credentials: nil, profile: profile))
            }
            let base: any AWSCredentialProvider
            if let sourceProfile = profile["source_profile"] {
                // A profile naming itself as source uses its own static keys for the first hop.
                if sourceProfile == name, let keys = staticKeys(profile, source: source) {
                    base = StaticCredentialProvider(keys)
                } else {
                    base = try provider(profile: sourceProfile, shared: shared, factory: factory, visited: visited + [name])
                }
            } else if let credentialSource = profile["credential_source"] {
                base = try credentialSourceProvider(credentialSource, profile: name, factory: factory)
            } else {
                throw AWSClientError.invalidProfile(
                    name, reason: "role_arn needs source_profile, credential_source or web_identity_token_file")
            }
            return AssumeRoleCredentialProvider(
                roleARN: roleARN, sessionName: sessionName, externalID: profile["external_id"], durationSeconds: duration,
                sts: try factory.sts(region: region, credentials: base, profile: profile))
        }
        if let keys = staticKeys(profile, source: source) { return StaticCredentialProvider(keys) }
        if profile["credential_process"] != nil {
            throw AWSClientError.invalidProfile(
                name, reason: "credential_process is not supported; export the credentials as AWS_* environment variables")
        }
        if profile["sso_session"] != nil || profile["sso_start_url"] != nil {
            throw AWSClientError.invalidProfile(
                name,
                reason:
                    "AWS SSO profiles are not supported; run `eval \"$(aws configure export-credentials --profile \(name) --format env)\"` first"
            )
        }
        throw AWSClientError.invalidProfile(
            name,
            reason: "no aws_access_key_id/aws_secret_access_key and no role_arn in \(shared.files.joined(separator: " or "))")
    }

    /// `credential_source`: where the first hop's credentials come from on AWS compute.
    static func credentialSourceProvider(_ source: String, profile name: String, factory: AWSClientFactory) throws
        -> any AWSCredentialProvider
    {
        switch source {
        case "Environment":
            return EnvironmentCredentialProvider(environment: factory.environment)
        case "EcsContainer":
            guard
                let container = try ContainerCredentialProvider.fromEnvironment(factory.environment, transport: factory.transport)
            else {
                throw AWSClientError.invalidProfile(
                    name,
                    reason:
                        "credential_source EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set (not in an ECS task with a task role?)"
                )
            }
            return container
        case "Ec2InstanceMetadata":
            if InstanceMetadataSettings.isDisabled(factory.environment) {
                throw AWSClientError.invalidProfile(
                    name, reason: "credential_source Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED=true")
            }
            return factory.instanceMetadataCredentials(
                settings: try InstanceMetadataSettings.resolve(
                    environment: factory.environment, profile: try factory.environment.sharedConfig().profile(name)))
        default:
            throw AWSClientError.invalidProfile(
                name, reason: "credential_source \(source) is unknown (expected Environment, EcsContainer or Ec2InstanceMetadata)"
            )
        }
    }

    /// Whether the profile says anything about credentials; one that only sets a region or endpoints
    /// leaves the chain to look further (the container endpoint, IMDS), as the SDKs do.
    static func describesCredentials(_ profile: [String: String]) -> Bool {
        let keys = [
            "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "role_arn", "web_identity_token_file",
            "credential_process", "sso_session", "sso_start_url", "credential_source", "source_profile",
        ]
        return keys.contains { profile[$0] != nil }
    }

    static func staticKeys(_ profile: [String: String], source: String) -> AWSCredentials? {
        guard let id = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] else { return nil }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: secret, sessionToken: profile["aws_session_token"], source: source)
    }
}
