import Foundation
import TfdriftCore

/// The container credentials endpoint, as the AWS SDKs read it: the ECS task role
/// (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, a path on the ECS agent at 169.254.170.2) and EKS Pod
/// Identity or any local credentials server (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, with an
/// `Authorization` header from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, re-read on every fetch because
/// the agent rotates it, or `AWS_CONTAINER_AUTHORIZATION_TOKEN`). A GET answers
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`.
public struct ContainerCredentialProvider: AWSCredentialProvider, CustomStringConvertible {
    /// The ECS agent's credentials address, which `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is a path on.
    public static let ecsAgentBase = "http://169.254.170.2"

    /// Where the `Authorization` header comes from. Printing it never shows the token.
    public enum Authorization: Sendable, CustomStringConvertible, CustomReflectable {
        /// A file read on every fetch (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`).
        case file(String)
        /// A fixed value (`AWS_CONTAINER_AUTHORIZATION_TOKEN`).
        case token(String)

        public var description: String {
            switch self {
            case .file(let path): "token file \(path)"
            case .token: "AWS_CONTAINER_AUTHORIZATION_TOKEN (redacted)"
            }
        }

        public var customMirror: Mirror { Mirror(self, children: ["source": description]) }

        /// The header value now: the file is read each time; CR or LF would split the header.
        func value() throws -> String {
            let raw: String
            let origin: String
            switch self {
            case .file(let path):
                origin = "the token file \(path) (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)"
                do {
                    raw = try String(contentsOfFile: path, encoding: .utf8)
                } catch {
                    throw AWSClientError.unreadableFile(
                        path,
                        reason: "the container authorization token file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) cannot be read")
                }
            case .token(let value):
                origin = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
                raw = value
            }
            let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else {
                throw AWSClientError.invalidCredentialSetting(name: origin, reason: "the authorization token is empty")
            }
            guard !token.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw AWSClientError.invalidCredentialSetting(
                    name: origin, reason: "the authorization token has a line break inside; it must be one header value")
            }
            return token
        }
    }

    public let url: URL
    /// The variable that named the URL, for messages.
    public let origin: String
    public let authorization: Authorization?
    public let transport: any HTTPTransport
    /// Per request (botocore: 2 s), attempts for connection failures, 5xx and 429 (botocore: 3), and the pause between.
    public var timeout: Duration = .seconds(2)
    public var attempts = 3
    public var retryDelay: Duration = .seconds(1)

    public init(url: URL, origin: String, authorization: Authorization?, transport: any HTTPTransport) {
        self.url = url
        self.origin = origin
        self.authorization = authorization
        self.transport = transport
    }

    public var description: String { "container credentials \(MetadataHost.shown(url)) (\(origin))" }

    /// The provider the environment describes, or nil when neither URI variable is set. The relative
    /// URI wins over the full one (the SDKs' order); a full URI over http must name an allowed host.
    public static func fromEnvironment(_ environment: AWSEnvironment, transport: any HTTPTransport) throws
        -> ContainerCredentialProvider?
    {
        let url: URL
        let origin: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            origin = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
            let path = relative.hasPrefix("/") ? relative : "/" + relative
            guard let parsed = URL(string: ecsAgentBase + path), parsed.host != nil else {
                throw AWSClientError.invalidCredentialSetting(
                    name: origin, reason: "\"\(relative.prefix(80))\" is not a URL path (expected /v2/credentials/…)")
            }
            url = parsed
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            origin = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
            url = try validated(fullURI: full)
        } else {
            return nil
        }
        var authorization: Authorization?
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            authorization = .file(file)
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            authorization = .token(token)
        }
        return ContainerCredentialProvider(url: url, origin: origin, authorization: authorization, transport: transport)
    }

    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`: https to any host, http only to loopback or the agents' addresses.
    static func validated(fullURI text: String) throws -> URL {
        let name = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
        let shown = Redaction.url(text)
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            let host = URLComponents(url: url, resolvingAgainstBaseURL: false)?.host, !host.isEmpty
        else {
            throw AWSClientError.invalidCredentialSetting(
                name: name, reason: "\"\(shown)\" is not an absolute URL (expected http://127.0.0.1:PORT/… or https://…)")
        }
        switch scheme {
        case "https":
            return url
        case "http":
            guard MetadataHost.isAllowedForPlainHTTP(host) else {
                throw AWSClientError.invalidCredentialSetting(
                    name: name,
                    reason:
                        "http to \(host) is not allowed: plain http only to a loopback address (127.0.0.0/8, ::1, localhost) or the ECS/EKS agents (169.254.170.2, 169.254.170.23, fd00:ec2::23); use https for any other host"
                )
            }
            return url
        default:
            throw AWSClientError.invalidCredentialSetting(name: name, reason: "scheme \"\(scheme)\" (expected http or https)")
        }
    }

    public func credentials() async throws -> AWSCredentials {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let authorization { headers.append(("Authorization", try authorization.value())) }
        let request = HTTPRequest(method: "GET", url: url, headers: headers, timeout: timeout)
        var lastReason = "no attempt made"
        let tries = max(1, attempts)
        for attempt in 1...tries {
            if attempt > 1 { try await Task.sleep(for: retryDelay) }
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch let error as HTTPTransportError {
                try Task.checkCancellation()
                // The reason only: the transport's description carries the URL, whose path may be a capability.
                lastReason = "cannot reach it (\(error.reason))"
                continue
            }
            if response.status == 200 {
                do {
                    return try MetadataCredentialsDocument.parse(response.body, source: description)
                } catch {
                    throw AWSClientError.credentialProviderFailed(provider: description, reason: error.reason)
                }
            }
            var reason = "HTTP \(response.status)"
            if let detail = MetadataCredentialsDocument.errorDetail(response.body) { reason += " (\(detail))" }
            guard response.status >= 500 || response.status == 429 else {
                if response.status == 401 || response.status == 403, authorization == nil {
                    reason += "; the endpoint wants an Authorization header: set AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
                }
                throw AWSClientError.credentialProviderFailed(provider: description, reason: reason)
            }
            lastReason = reason
        }
        throw AWSClientError.credentialProviderFailed(
            provider: description, reason: "\(lastReason), after \(tries) attempt\(tries == 1 ? "" : "s")")
    }
}
