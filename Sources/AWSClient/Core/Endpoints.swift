import Foundation

/// The services this client speaks, with their signing names and SDK endpoint-variable suffixes.
public enum AWSService: String, Sendable, CaseIterable {
    case s3, sqs, sns, sts, iam

    public var signingName: String { rawValue }
    /// `AWS_ENDPOINT_URL_<ID>` and the `[services]` key: the SDKs' service id, upper snake case.
    public var endpointVariable: String { "AWS_ENDPOINT_URL_\(rawValue.uppercased())" }
    public var displayName: String {
        switch self {
        case .s3: "S3"
        case .sqs: "SQS"
        case .sns: "SNS"
        case .sts: "STS"
        case .iam: "IAM"
        }
    }
}

/// Where requests for a service go, and whether the user chose it (path-style S3 when overridden).
public struct AWSEndpoint: Sendable, Equatable {
    public var url: URL
    public var overridden: Bool
    /// Where the choice came from, for logs and `doctor` ("AWS_ENDPOINT_URL_S3", "config", "default").
    public var origin: String

    public init(url: URL, overridden: Bool, origin: String) {
        self.url = url
        self.overridden = overridden
        self.origin = origin
    }
}

public enum AWSEndpointResolver {
    /// Precedence: the configuration's value, `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the
    /// profile's `[services]` section, the profile's `endpoint_url`, then AWS's public endpoint.
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` ignores the environment and the profile, as the SDKs do.
    public static func resolve(
        service: AWSService, region: String, configured: String?, environment: AWSEnvironment,
        profile: [String: String]? = nil, shared: AWSSharedConfig? = nil
    ) throws -> AWSEndpoint {
        if let configured, !configured.isEmpty {
            return AWSEndpoint(url: try parse(configured), overridden: true, origin: "configuration")
        }
        let ignore = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
        if !ignore {
            if let value = environment[service.endpointVariable] {
                return AWSEndpoint(url: try parse(value), overridden: true, origin: service.endpointVariable)
            }
            if let value = environment["AWS_ENDPOINT_URL"] {
                return AWSEndpoint(url: try parse(value), overridden: true, origin: "AWS_ENDPOINT_URL")
            }
            if let profile {
                if let section = profile["services"], let value = shared?.services[section]?["\(service.rawValue).endpoint_url"] {
                    return AWSEndpoint(url: try parse(value), overridden: true, origin: "[services \(section)]")
                }
                if let value = profile["endpoint_url"] {
                    return AWSEndpoint(url: try parse(value), overridden: true, origin: "profile endpoint_url")
                }
            }
        }
        return AWSEndpoint(url: defaultURL(service: service, region: region), overridden: false, origin: "default")
    }

    public static func defaultURL(service: AWSService, region: String) -> URL {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        switch service {
        case .iam:
            return URL(string: region.hasPrefix("cn-") ? "https://iam.cn-north-1.amazonaws.com.cn" : "https://iam.amazonaws.com")!
        default:
            return URL(string: "https://\(service.rawValue).\(region).\(suffix)")!
        }
    }

    static func parse(_ text: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host?.isEmpty == false
        else {
            throw AWSClientError.invalidEndpoint(text, reason: "not an http(s) URL with a host")
        }
        if url.query != nil { throw AWSClientError.invalidEndpoint(text, reason: "an endpoint has no query string") }
        return url
    }
}

public enum AWSRegionResolver {
    /// The configuration's value, `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`.
    public static func resolve(configured: String?, environment: AWSEnvironment, profile: [String: String]?) -> String? {
        if let configured, !configured.isEmpty { return configured }
        if let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] { return region }
        if let region = profile?["region"], !region.isEmpty { return region }
        return nil
    }
}
