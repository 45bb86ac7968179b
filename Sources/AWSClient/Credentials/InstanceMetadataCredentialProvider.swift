import Foundation
import Logging
import TfdriftCore

/// The instance profile's role credentials from the EC2 instance metadata service, IMDSv2 only:
/// `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` for a session token, then, with
/// that token in `X-aws-ec2-metadata-token`, `GET /latest/meta-data/iam/security-credentials/` for the
/// role's name and `GET …/<role>` for the keys. There is no IMDSv1 fallback: an instance that still
/// serves v1 serves v2 too, and requiring v2 is AWS's recommendation.
public struct InstanceMetadataCredentialProvider: AWSCredentialProvider, CustomStringConvertible {
    static let tokenPath = "/latest/api/token"
    static let rolesPath = "/latest/meta-data/iam/security-credentials/"

    public let settings: InstanceMetadataSettings
    public let transport: any HTTPTransport
    public var now: @Sendable () -> Date
    /// Extra seconds when stale credentials get a grace period (botocore: 2 to 10 minutes at random).
    public var jitter: @Sendable () -> TimeInterval
    public var logger: Logger?

    public init(
        settings: InstanceMetadataSettings, transport: any HTTPTransport, now: @escaping @Sendable () -> Date = { Date() },
        jitter: @escaping @Sendable () -> TimeInterval = { .random(in: 120...600) }, logger: Logger? = nil
    ) {
        self.settings = settings
        self.transport = transport
        self.now = now
        self.jitter = jitter
        self.logger = logger
    }

    public var description: String {
        let origin = settings.endpointOrigin == "default" ? "" : " from \(settings.endpointOrigin)"
        return "EC2 instance metadata (IMDSv2) at \(MetadataHost.shown(settings.endpoint))\(origin)"
    }

    /// Credentials this close to expiry are treated as valid for this long from now (plus jitter), as the
    /// SDKs do: during an outage of the instance's credential rotation IMDS keeps serving the last keys,
    /// and asking again on every request would only add load.
    static let graceWindow: TimeInterval = 600

    public func credentials() async throws -> AWSCredentials {
        var token = try await sessionToken()
        let role: String
        switch try await get(Self.rolesPath, token: token, what: "the role name") {
        case .answer(let response): role = try roleName(response)
        case .tokenRejected:
            token = try await sessionToken()
            guard case .answer(let response) = try await get(Self.rolesPath, token: token, what: "the role name") else {
                throw failure("IMDS refused a fresh session token (HTTP 401)")
            }
            role = try roleName(response)
        }
        guard
            let escaped = role.addingPercentEncoding(
                withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
        else {
            throw failure("the role name IMDS listed cannot be used in a URL")
        }
        let path = Self.rolesPath + escaped
        var answer = try await get(path, token: token, what: "the role's credentials")
        if case .tokenRejected = answer {
            answer = try await get(path, token: try await sessionToken(), what: "the role's credentials")
        }
        guard case .answer(let response) = answer else { throw failure("IMDS refused a fresh session token (HTTP 401)") }
        guard response.status == 200 else {
            throw failure("GET \(Self.rolesPath)\(role) answered HTTP \(response.status)\(detail(response))")
        }
        var credentials: AWSCredentials
        do {
            credentials = try MetadataCredentialsDocument.parse(
                response.body, source: "instance profile role \(role) (IMDS \(MetadataHost.shown(settings.endpoint)))")
        } catch {
            throw failure("role \(role): \(error.reason)")
        }
        if let expiration = credentials.expiration {
            let window = Self.graceWindow + jitter()
            let current = now()
            if current >= expiration.addingTimeInterval(-window) {
                credentials.expiration = current.addingTimeInterval(window)
                logger?.warning(
                    "IMDS served credentials that expire within minutes; using them and asking again later",
                    metadata: [
                        "role": "\(role)", "expiration": "\(expiration)", "retry_in_seconds": "\(Int(window))",
                    ])
            }
        }
        return credentials
    }

    // MARK: requests

    enum Answer {
        case answer(HTTPResponse)
        /// 401: the session token expired or is unknown; fetch a new one.
        case tokenRejected
    }

    static func secondsText(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    func failure(_ reason: String) -> AWSClientError {
        .credentialProviderFailed(provider: description, reason: reason)
    }

    func detail(_ response: HTTPResponse) -> String {
        MetadataCredentialsDocument.errorDetail(response.body).map { " (\($0))" } ?? ""
    }

    func sessionToken() async throws -> String {
        let response = try await send(
            "PUT", Self.tokenPath, headers: [("X-aws-ec2-metadata-token-ttl-seconds", String(settings.tokenTTL))],
            what: "a session token (PUT \(Self.tokenPath))", retryTimeouts: false)
        switch response.status {
        case 200:
            let token = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw failure("IMDS answered PUT \(Self.tokenPath) with an empty token") }
            return token
        case 400:
            throw failure("IMDS rejected the token request (HTTP 400): a TTL of \(settings.tokenTTL) s is out of its range")
        case 403:
            throw failure(
                "IMDS refused a session token (HTTP 403): the instance's metadata endpoint is disabled (http-endpoint), or the request passed a proxy (X-Forwarded-For)"
            )
        case 404, 405:
            throw failure(
                "\(Self.tokenPath) answered HTTP \(response.status): this endpoint does not serve IMDSv2 session tokens, and IMDSv1 is not used"
            )
        default:
            throw failure("PUT \(Self.tokenPath) answered HTTP \(response.status)\(detail(response))")
        }
    }

    func roleName(_ response: HTTPResponse) throws -> String {
        switch response.status {
        case 200:
            let first = response.text.split(whereSeparator: \.isNewline).first.map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let first, !first.isEmpty else {
                throw failure("IMDS lists no role: attach an instance profile with a role to this instance")
            }
            return first
        case 404:
            throw failure(
                "no instance profile: GET \(Self.rolesPath) answered HTTP 404; attach an instance profile with a role to this instance"
            )
        default:
            throw failure("GET \(Self.rolesPath) answered HTTP \(response.status)\(detail(response))")
        }
    }

    func get(_ path: String, token: String, what: String) async throws -> Answer {
        let response = try await send(
            "GET", path, headers: [("X-aws-ec2-metadata-token", token)], what: what, retryTimeouts: true)
        return response.status == 401 ? .tokenRejected : .answer(response)
    }

    /// One request with the configured attempts: connection failures and 5xx are tried again; a timeout
    /// on the token request is final, because that is what a machine without IMDS looks like.
    func send(
        _ method: String, _ path: String, headers: [(name: String, value: String)], what: String, retryTimeouts: Bool
    ) async throws -> HTTPResponse {
        guard let url = settings.url(path) else { throw failure("cannot form a URL for \(path)") }
        let request = HTTPRequest(
            method: method, url: url, headers: headers, body: method == "PUT" ? [] : nil, timeout: settings.timeout)
        var lastReason = ""
        for attempt in 1...settings.attempts {
            do {
                let response = try await transport.send(request)
                if response.status >= 500, attempt < settings.attempts {
                    lastReason = "HTTP \(response.status)"
                    continue
                }
                return response
            } catch let error as HTTPTransportError {
                try Task.checkCancellation()
                if error.kind == .timeout, !retryTimeouts {
                    throw failure(
                        "no answer to \(what) within \(Self.secondsText(settings.timeout)) s: this is not an EC2 instance (or its metadata service is off); in a container on EC2, the instance's metadata hop limit must be 2 (http-put-response-hop-limit)"
                    )
                }
                lastReason = error.reason
            }
        }
        let attempts = settings.attempts
        throw failure("cannot get \(what): \(lastReason) (after \(attempts) attempt\(attempts == 1 ? "" : "s"))")
    }
}
