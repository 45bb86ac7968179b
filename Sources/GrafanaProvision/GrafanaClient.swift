import Foundation
import Logging
import TfdriftCore

/// How the client authenticates: a service-account token (preferred) or basic auth.
public enum GrafanaAuth: Sendable {
    case token(Secret)
    case basic(user: String, password: Secret)
    case none

    /// The credentials `grafana:` configures: a token, else a user and password; `.none` when neither.
    public init(config: GrafanaConfig) {
        if let token = config.token, !token.isEmpty {
            self = .token(token)
        } else if let user = config.username, let password = config.password, !password.isEmpty {
            self = .basic(user: user, password: password)
        } else {
            self = .none
        }
    }

    var header: String? {
        switch self {
        case .token(let token): return "Bearer \(token.value)"
        case .basic(let user, let password): return "Basic " + Data("\(user):\(password.value)".utf8).base64EncodedString()
        case .none: return nil
        }
    }
}

/// Retries on 429 and 5xx (5xx only for requests that are safe to repeat), with exponential backoff
/// that honours `Retry-After`.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    /// Attempts when Grafana cannot be reached at all. Fewer than `maxAttempts` because each one already
    /// lasts the transport's whole connect timeout (AsyncHTTPClient keeps reconnecting for it): five of them
    /// kept a user with a wrong URL waiting ~33 s.
    public var maxConnectAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public init(
        maxAttempts: Int = 5, maxConnectAttempts: Int = 2, baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(10)
    ) {
        self.maxAttempts = maxAttempts
        self.maxConnectAttempts = min(maxConnectAttempts, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }
}

/// A Grafana answer that is not a success, with Grafana's own message quoted.
public struct GrafanaError: Error, CustomStringConvertible, Sendable {
    public let method: String
    public let path: String
    public let status: Int
    public let message: String

    public var description: String {
        let hint: String
        switch status {
        case 401: hint = " (check grafana.token, or grafana.username/password)"
        case 403: hint = " (the token's role cannot do this; provisioning needs an Admin or Editor service account)"
        default: hint = ""
        }
        return "Grafana answered \(status) to \(method) \(path): \"\(message)\"\(hint)"
    }
}

/// A thin Grafana HTTP API client over `HTTPTransport`: authentication, `X-Grafana-Org-Id`, a deadline
/// per request, retries, JSON in and out. It never logs bodies or credentials.
public struct GrafanaClient: Sendable {
    public let baseURL: URL
    let auth: GrafanaAuth
    let orgID: Int?
    let transport: any HTTPTransport
    let timeout: Duration
    let retry: RetryPolicy
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void

    public init(
        baseURL: URL, auth: GrafanaAuth, orgID: Int? = nil, transport: any HTTPTransport, timeout: Duration = .seconds(30),
        retry: RetryPolicy = RetryPolicy(), logger: Logger = Logger(label: "tfdrift.grafana"),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.baseURL = baseURL
        self.auth = auth
        self.orgID = orgID
        self.transport = transport
        self.timeout = timeout
        self.retry = retry
        self.logger = logger
        self.sleep = sleep
    }

    /// A client for `grafana:` in the config.
    public init(config: GrafanaConfig, transport: any HTTPTransport, logger: Logger = Logger(label: "tfdrift.grafana")) throws {
        guard let url = URL(string: config.url.hasSuffix("/") ? String(config.url.dropLast()) : config.url) else {
            throw ProvisionError("grafana.url is not a URL: \(Redaction.url(config.url))")
        }
        let auth = GrafanaAuth(config: config)
        if case .none = auth {
            throw ProvisionError(
                "Grafana credentials missing: set grafana.token (a service-account token, e.g. \"${GRAFANA_TOKEN}\") or grafana.username and grafana.password (or GRAFANA_AUTH)"
            )
        }
        self.init(baseURL: url, auth: auth, orgID: config.orgID, transport: transport, logger: logger)
    }

    /// Performs a request; 404 is returned (not thrown) when `allowNotFound`, other failures throw.
    @discardableResult
    public func send(
        _ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
        headers: [(String, String)] = [],
        allowNotFound: Bool = false
    ) async throws -> (status: Int, body: JSONValue?) {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        components.percentEncodedPath = components.percentEncodedPath + path
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components.url else { throw ProvisionError("cannot build a URL for \(path)") }
        var allHeaders: [(name: String, value: String)] = [("Accept", "application/json")]
        if let header = auth.header { allHeaders.append(("Authorization", header)) }
        if let orgID { allHeaders.append(("X-Grafana-Org-Id", String(orgID))) }
        if body != nil { allHeaders.append(("Content-Type", "application/json")) }
        allHeaders += headers.map { (name: $0.0, value: $0.1) }
        let request = HTTPRequest(
            method: method, url: url, headers: allHeaders, body: body.map(JSONWriter.encodeBytes), timeout: timeout)
        let idempotent = method != "POST"
        var attempt = 1
        while true {
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch let error as HTTPTransportError {
                let limit = error.kind == .connect ? retry.maxConnectAttempts : retry.maxAttempts
                let retryable = error.kind == .connect || (idempotent && error.kind == .timeout)
                guard retryable, attempt < limit else { throw error }
                let wait = delay(attempt: attempt, retryAfter: nil)
                // Said at warning level: a CLI user otherwise waits in silence through the backoff.
                logger.warning(
                    "cannot reach Grafana; retrying",
                    metadata: [
                        "url": "\(baseURL.absoluteString)", "attempt": "\(attempt) of \(limit)", "wait": "\(wait)",
                        "error": "\(error)",
                    ])
                try await sleep(wait)
                attempt += 1
                continue
            }
            let retryable = response.status == 429 || response.status == 503 || (idempotent && response.status >= 500)
            if retryable, attempt < retry.maxAttempts {
                let wait = delay(attempt: attempt, retryAfter: response.header("Retry-After"))
                logger.debug(
                    "Grafana answered \(response.status); retrying",
                    metadata: ["method": "\(method)", "path": "\(path)", "attempt": "\(attempt)"])
                try await sleep(wait)
                attempt += 1
                continue
            }
            let parsed = response.body.isEmpty ? nil : try? JSONValue.parse(response.body)
            if (200..<300).contains(response.status) { return (response.status, parsed) }
            if response.status == 404, allowNotFound { return (404, parsed) }
            let message =
                parsed?["message"]?.stringValue
                ?? String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw GrafanaError(
                method: method, path: path, status: response.status, message: message.isEmpty ? "(no message)" : message)
        }
    }

    func delay(attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Double(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return min(.milliseconds(Int(seconds * 1000)), retry.maxDelay)
        }
        let exponential = retry.baseDelay * (1 << min(attempt - 1, 10))
        let jitter = Double.random(in: 0.8...1.2)
        return min(exponential * jitter, retry.maxDelay)
    }

    /// `segment` percent-encoded for use inside a path (rule-group and template names may hold spaces).
    public static func escape(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}

/// A provisioning error users can act on.
public struct ProvisionError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
