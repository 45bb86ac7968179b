import Foundation
import Logging
import TfdriftCore

/// The Alertmanager v2 silence API of one of three targets: Grafana's built-in Alertmanager, an
/// Alertmanager data source proxied by Grafana, or a standalone Prometheus Alertmanager. Same API,
/// different base path and authentication; requests go through `GrafanaClient` (auth, org header,
/// deadlines, retries on 429/5xx).
public struct AlertmanagerAPI: Sendable {
    public enum Target: Sendable, Equatable {
        case grafanaBuiltIn
        case grafanaDataSource(uid: String)
        case standalone
    }

    public let target: Target
    let client: GrafanaClient
    let basePath: String

    /// Grafana's built-in Alertmanager, or with `dataSourceUID` an Alertmanager data source it proxies.
    public init(grafana client: GrafanaClient, dataSourceUID: String? = nil) {
        self.client = client
        if let dataSourceUID, dataSourceUID != "grafana" {
            target = .grafanaDataSource(uid: dataSourceUID)
            basePath = "/api/alertmanager/\(GrafanaClient.escape(dataSourceUID))/api/v2"
        } else {
            target = .grafanaBuiltIn
            basePath = "/api/alertmanager/grafana/api/v2"
        }
    }

    /// A standalone Alertmanager (`alertmanager:` in the config); its URL may carry a path prefix
    /// (`https://am.example/alertmanager`).
    public init(
        standalone config: AlertmanagerConfig, transport: any HTTPTransport, retry: RetryPolicy = RetryPolicy(),
        logger: Logger = Logger(label: "tfdrift.alertmanager")
    ) throws {
        let trimmed = config.url.hasSuffix("/") ? String(config.url.dropLast()) : config.url
        guard let url = URL(string: trimmed) else {
            throw ProvisionError("alertmanager.url is not a URL: \(Redaction.url(config.url))")
        }
        let auth: GrafanaAuth
        if let token = config.token, !token.isEmpty {
            auth = .token(token)
        } else if let user = config.username, let password = config.password {
            auth = .basic(user: user, password: password)
        } else {
            auth = .none
        }
        client = GrafanaClient(baseURL: url, auth: auth, transport: transport, retry: retry, logger: logger)
        target = .standalone
        basePath = "/api/v2"
    }

    /// For messages: which Alertmanager, where (credentials removed).
    public var label: String {
        let host = Redaction.url(client.baseURL.absoluteString)
        switch target {
        case .grafanaBuiltIn: return "Grafana's Alertmanager at \(host)"
        case .grafanaDataSource(let uid): return "Alertmanager data source \(uid) through Grafana at \(host)"
        case .standalone: return "Alertmanager at \(host)"
        }
    }

    // MARK: silences

    /// Every silence the Alertmanager holds (active, pending, and expired ones it still retains).
    public func silences() async throws -> [Silence] {
        let (_, body) = try await send("GET", "/silences")
        guard let items = body?.arrayValue else { throw ProvisionError("\(label) returned no silence list") }
        return items.compactMap(Silence.init(json:))
    }

    /// One silence, nil when the Alertmanager does not know the id.
    public func silence(id: String) async throws -> Silence? {
        let (status, body) = try await send("GET", "/silence/\(GrafanaClient.escape(id))", allowNotFound: true)
        guard status != 404, let body else { return nil }
        return Silence(json: body)
    }

    /// Creates a silence, or updates one when `body` has an `id`; returns the id Alertmanager answers,
    /// which differs from the one sent when it replaced the silence instead of updating it.
    public func post(_ body: JSONValue) async throws -> String {
        let (_, answer) = try await send("POST", "/silences", body: body)
        guard let id = answer?["silenceID"]?.stringValue ?? answer?["silenceId"]?.stringValue, !id.isEmpty else {
            throw ProvisionError("\(label) accepted the silence but returned no silenceID")
        }
        return id
    }

    public enum ExpireOutcome: Sendable, Equatable {
        case expired
        /// The silence was unknown or already expired.
        case alreadyGone
    }

    /// Expires a silence. Alertmanager answers 500 (older versions, and some proxies) or 404 for an id it
    /// does not know; that counts as gone only when a read confirms it is unknown or expired.
    public func expire(id: String) async throws -> ExpireOutcome {
        do {
            let (status, _) = try await send("DELETE", "/silence/\(GrafanaClient.escape(id))", allowNotFound: true)
            if status != 404 { return .expired }
        } catch let error as AlertmanagerError where error.status >= 500 {
            let current = try await silence(id: id)
            guard current == nil || current?.state == .expired else { throw error }
            return .alreadyGone
        }
        let current = try await silence(id: id)
        guard current == nil || current?.state == .expired else {
            throw ProvisionError(
                "\(label) answered 404 to expiring silence \(id), but still lists it as \(current!.state.rawValue)")
        }
        return .alreadyGone
    }

    // MARK: alerts (for checks and tests)

    /// Alerts as Alertmanager sees them, with their silenced state.
    public func alerts() async throws -> [JSONValue] {
        let (_, body) = try await send("GET", "/alerts")
        return body?.arrayValue ?? []
    }

    func send(_ method: String, _ path: String, body: JSONValue? = nil, allowNotFound: Bool = false) async throws -> (
        status: Int, body: JSONValue?
    ) {
        do {
            return try await client.send(method, basePath + path, body: body, allowNotFound: allowNotFound)
        } catch let error as GrafanaError {
            throw AlertmanagerError(
                target: label, standalone: target == .standalone, method: method, path: basePath + path,
                status: error.status, message: error.message)
        }
    }
}

/// An Alertmanager answer that is not a success, with its own message quoted (never a credential).
public struct AlertmanagerError: Error, CustomStringConvertible, Sendable {
    public let target: String
    let standalone: Bool
    public let method: String
    public let path: String
    public let status: Int
    public let message: String

    public var description: String {
        let hint: String
        switch (status, standalone) {
        case (401, true): hint = " (check alertmanager.token, or alertmanager.username/password)"
        case (401, false): hint = " (check grafana.token, or grafana.username/password)"
        case (403, false): hint = " (the token's role cannot manage silences; use an Editor or Admin service account)"
        case (404, false) where path.hasPrefix("/api/alertmanager/") && !path.hasPrefix("/api/alertmanager/grafana/"):
            hint = " (is advanced.silences.datasource_uid the uid of an Alertmanager data source?)"
        default: hint = ""
        }
        let quoted = message.hasPrefix("\"") && message.hasSuffix("\"") && message.count >= 2 ? message : "\"\(message)\""
        return "\(target) answered \(status) to \(method) \(path): \(quoted)\(hint)"
    }
}
