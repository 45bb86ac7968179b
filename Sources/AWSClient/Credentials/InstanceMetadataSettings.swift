import Foundation

/// How to reach the EC2 instance metadata service, from the variables and profile keys the SDKs read:
/// `AWS_EC2_METADATA_DISABLED`, `AWS_EC2_METADATA_SERVICE_ENDPOINT` / `ec2_metadata_service_endpoint`,
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` / `ec2_metadata_service_endpoint_mode` (IPv4 or IPv6),
/// `AWS_METADATA_SERVICE_TIMEOUT` / `metadata_service_timeout` (seconds, default 1) and
/// `AWS_METADATA_SERVICE_NUM_ATTEMPTS` / `metadata_service_num_attempts` (default 1). The defaults are
/// botocore's: short, so a machine without IMDS (a laptop, CI) learns it in a second.
public struct InstanceMetadataSettings: Sendable, Equatable {
    public static let ipv4Endpoint = URL(string: "http://169.254.169.254")!
    public static let ipv6Endpoint = URL(string: "http://[fd00:ec2::254]")!
    /// The longest session token IMDS grants (6 hours).
    public static let maximumTokenTTL = 21_600

    public var endpoint: URL
    /// What chose the endpoint, for messages: "default", "AWS_EC2_METADATA_SERVICE_ENDPOINT", ….
    public var endpointOrigin: String
    public var timeout: Duration
    public var attempts: Int
    public var tokenTTL: Int

    public init(
        endpoint: URL = ipv4Endpoint, endpointOrigin: String = "default", timeout: Duration = .seconds(1), attempts: Int = 1,
        tokenTTL: Int = maximumTokenTTL
    ) {
        self.endpoint = endpoint
        self.endpointOrigin = endpointOrigin
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.tokenTTL = tokenTTL
    }

    /// True when `AWS_EC2_METADATA_DISABLED=true`: IMDS is never contacted.
    public static func isDisabled(_ environment: AWSEnvironment) -> Bool {
        environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
    }

    /// The settings in effect; throws on a value that cannot be used, naming the variable or key.
    public static func resolve(environment: AWSEnvironment, profile: [String: String]?) throws -> InstanceMetadataSettings {
        func setting(_ variable: String, _ key: String) -> (name: String, value: String)? {
            if let value = environment[variable] { return (variable, value) }
            if let value = profile?[key], !value.isEmpty { return ("profile key \(key)", value) }
            return nil
        }
        var settings = InstanceMetadataSettings()
        if let endpoint = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint") {
            guard let url = URL(string: endpoint.value), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host != nil
            else {
                throw AWSClientError.invalidCredentialSetting(
                    name: endpoint.name,
                    reason: "\"\(endpoint.value.prefix(80))\" is not an http(s) URL (expected e.g. http://169.254.169.254)")
            }
            settings.endpoint = url
            settings.endpointOrigin = endpoint.name
        } else if let mode = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode") {
            switch mode.value.lowercased() {
            case "ipv4": break
            case "ipv6":
                settings.endpoint = ipv6Endpoint
                settings.endpointOrigin = mode.name
            default:
                throw AWSClientError.invalidCredentialSetting(
                    name: mode.name, reason: "\"\(mode.value.prefix(40))\" (expected IPv4 or IPv6)")
            }
        }
        if let timeout = setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout") {
            guard let seconds = Double(timeout.value), seconds > 0, seconds <= 300 else {
                throw AWSClientError.invalidCredentialSetting(
                    name: timeout.name, reason: "\"\(timeout.value.prefix(40))\" (expected seconds, more than 0 and at most 300)")
            }
            settings.timeout = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        if let attempts = setting("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts") {
            guard let count = Int(attempts.value), (1...10).contains(count) else {
                throw AWSClientError.invalidCredentialSetting(
                    name: attempts.name, reason: "\"\(attempts.value.prefix(40))\" (expected 1 to 10)")
            }
            settings.attempts = count
        }
        return settings
    }

    /// `endpoint` + `path` (which starts with `/` and is percent-encoded), whether or not the endpoint ends in a slash.
    func url(_ path: String) -> URL? {
        var base = endpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + path)
    }
}
