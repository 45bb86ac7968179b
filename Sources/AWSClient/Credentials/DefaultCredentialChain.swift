import Foundation

/// The SDKs' default chain, resolved on every (cached) refresh, first match wins:
///
/// 1. environment keys (`AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`);
/// 2. the shared files' profile, when it describes credentials (static keys, `role_arn` with
///    `source_profile`, `credential_source` or `web_identity_token_file`);
/// 3. web identity from the environment (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`: EKS IRSA);
/// 4. the container endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`: ECS task roles,
///    EKS Pod Identity);
/// 5. the EC2 instance metadata service (instance profiles), unless `AWS_EC2_METADATA_DISABLED=true`.
///
/// A step that applies and fails ends the search with its own error (a broken configuration is not
/// papered over by a later source); IMDS is the last resort, so its failure reports every step tried.
public struct DefaultCredentialChain: AWSCredentialProvider {
    public let factory: AWSClientFactory

    public init(factory: AWSClientFactory) { self.factory = factory }

    /// The provider that applies now: a name for messages, and what the earlier steps said.
    public struct Resolution: Sendable {
        public var provider: any AWSCredentialProvider
        public var name: String
        /// Steps that did not apply, and why (for the error when the last resort fails too).
        public var skipped: [String]
        /// The last resort (IMDS): its failure is reported as "no credentials found" with every step.
        public var isLastResort: Bool
    }

    public func credentials() async throws -> AWSCredentials {
        let resolution = try resolve()
        guard resolution.isLastResort else { return try await resolution.provider.credentials() }
        do {
            return try await resolution.provider.credentials()
        } catch let error as AWSClientError {
            guard case .credentialProviderFailed(_, let reason) = error else { throw error }
            throw AWSClientError.noCredentials(tried: resolution.skipped + ["\(resolution.name): \(reason)"])
        }
    }

    public func resolve() throws -> Resolution {
        let environment = factory.environment
        var skipped: [String] = []

        if let credentials = EnvironmentCredentialProvider.read(environment) {
            return Resolution(
                provider: StaticCredentialProvider(credentials), name: "environment", skipped: [], isLastResort: false)
        }
        if environment["AWS_ACCESS_KEY_ID"] != nil {
            skipped.append("environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        } else {
            skipped.append("environment: AWS_ACCESS_KEY_ID is not set")
        }

        let shared = try environment.sharedConfig()
        let name = environment.profileName
        if let profile = shared.profile(name) {
            if ProfileCredentialProvider.describesCredentials(profile) {
                let provider = try ProfileCredentialProvider.provider(
                    profile: name, shared: shared, factory: factory, visited: [])
                return Resolution(provider: provider, name: "profile \(name)", skipped: skipped, isLastResort: false)
            }
            skipped.append("profile \(name): no credentials in it")
        } else if environment.profileExplicit {
            throw AWSClientError.profileNotFound(name, files: shared.files)
        } else {
            skipped.append("profile \(name): not in \(environment.credentialsFile) or \(environment.configFile)")
        }

        if let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], let roleARN = environment["AWS_ROLE_ARN"] {
            let provider = WebIdentityCredentialProvider(
                tokenFile: tokenFile, roleARN: roleARN,
                sessionName: environment["AWS_ROLE_SESSION_NAME"] ?? factory.defaultSessionName(),
                sts: try factory.sts(region: nil, credentials: nil))
            return Resolution(provider: provider, name: "web identity", skipped: skipped, isLastResort: false)
        }
        if environment["AWS_WEB_IDENTITY_TOKEN_FILE"] != nil || environment["AWS_ROLE_ARN"] != nil {
            skipped.append("web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must both be set")
        } else {
            skipped.append("web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set")
        }

        if let container = try ContainerCredentialProvider.fromEnvironment(environment, transport: factory.transport) {
            return Resolution(provider: container, name: container.description, skipped: skipped, isLastResort: false)
        }
        skipped.append("container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set")

        if InstanceMetadataSettings.isDisabled(environment) {
            throw AWSClientError.noCredentials(tried: skipped + ["EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED"])
        }
        let settings = try InstanceMetadataSettings.resolve(environment: environment, profile: shared.profile(name))
        let imds = factory.instanceMetadataCredentials(settings: settings)
        return Resolution(provider: imds, name: imds.description, skipped: skipped, isLastResort: true)
    }
}
