import Foundation
import GrafanaProvision
import Logging
import TfdriftCore

/// The reads several Grafana checks share, each made once and only when a check that needs it runs
/// (a check skipped with `--skip` reads nothing of its own).
actor GrafanaProbes {
    let context: DoctorContext
    let grafana: GrafanaConfig
    let base: URL
    let prober: Prober
    let client: GrafanaClient
    /// Whether credentials are configured at all (token, or username and password).
    let hasCredentials: Bool

    init(context: DoctorContext, grafana: GrafanaConfig, base: URL, transport: any HTTPTransport) {
        self.context = context
        self.grafana = grafana
        self.base = base
        prober = Prober(transport: transport, timeout: context.environment.timeout)
        let auth = GrafanaAuth(config: grafana)
        hasCredentials = { if case .none = auth { return false } else { return true } }()
        client = GrafanaClient(
            baseURL: base, auth: auth, orgID: grafana.orgID, transport: transport, timeout: context.environment.timeout,
            retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(200), maxDelay: .seconds(1)),
            logger: context.environment.logger)
    }

    nonisolated var shown: String { Redaction.url(grafana.url) }

    // MARK: health (unauthenticated, documented as always open)

    struct Health: Sendable {
        var version: String?
        var error: String?
    }

    private var cachedHealth: Health?

    func health() async -> Health {
        if let cachedHealth { return cachedHealth }
        var health = Health()
        if let url = URL.joining(grafana.url, "/api/health") {
            switch await prober.get(url) {
            case .success(let response) where response.status == 200:
                let body = try? JSONValue.parse(response.body)
                health.version = body?["version"]?.stringValue ?? "unknown"
                if body?["database"]?.stringValue != "ok" {
                    health.error = "GET /api/health → 200 but database is \(body?["database"]?.stringValue ?? "?")"
                }
            case .success(let response): health.error = "GET /api/health → \(response.status) \(Text.quote(response.body))"
            case .failure(let error): health.error = "\(error)"
            }
        }
        cachedHealth = health
        return health
    }

    var reachable: Bool {
        get async {
            let health = await health()
            return health.error == nil && health.version != nil
        }
    }

    // MARK: the configured credentials

    private var cachedUser: Result<JSONValue?, ProbeError>?

    /// `GET /api/user` with the configured credentials.
    func user() async -> Result<JSONValue?, ProbeError> {
        if let cachedUser { return cachedUser }
        let result: Result<JSONValue?, ProbeError>
        if !hasCredentials {
            result = .failure(ProbeError("no grafana.token and no grafana.username/password"))
        } else {
            do { result = .success(try await client.send("GET", "/api/user").body) } catch {
                result = .failure(ProbeError("\(error)"))
            }
        }
        cachedUser = result
        return result
    }

    var credentialError: String? {
        get async {
            if case .failure(let error) = await user() { return error.description }
            return nil
        }
    }

    // MARK: server settings (a Grafana server admin, or settings:read)

    struct Settings: Sendable {
        var values: JSONValue?
        /// Why they could not be read.
        var note: String

        func value(_ section: String, _ key: String) -> String? { values?[section]?[key]?.stringValue }
    }

    private var cachedSettings: Settings?

    func settings() async -> Settings {
        if let cachedSettings { return cachedSettings }
        var settings = Settings(values: nil, note: "no credentials")
        if await credentialError == nil {
            do {
                settings.values = try await client.send("GET", "/api/admin/settings").body
            } catch let error as GrafanaError {
                settings.note = "GET /api/admin/settings → \(error.status) (needs a Grafana server admin or settings:read)"
            } catch {
                settings.note = "GET /api/admin/settings failed: \(error)"
            }
        }
        cachedSettings = settings
        return settings
    }

    // MARK: our resources

    private var cachedDataSource: Result<JSONValue, ProbeError>?

    /// Our Loki data source (`grafana.datasource_uid`).
    func dataSource() async -> Result<JSONValue, ProbeError> {
        if let cachedDataSource { return cachedDataSource }
        let result: Result<JSONValue, ProbeError>
        do {
            let (status, body) = try await client.send(
                "GET", "/api/datasources/uid/\(GrafanaClient.escape(grafana.datasourceUID))", allowNotFound: true)
            if status == 200, let body {
                result = .success(body)
            } else {
                result = .failure(ProbeError("no data source with uid \(grafana.datasourceUID)"))
            }
        } catch {
            result = .failure(ProbeError("\(error)"))
        }
        cachedDataSource = result
        return result
    }

    private var cachedLists: [String: [JSONValue]] = [:]

    private func list(_ path: String) async -> [JSONValue] {
        if let cached = cachedLists[path] { return cached }
        let items: [JSONValue]
        do { items = try await client.send("GET", path).body?.arrayValue ?? [] } catch {
            context.environment.logger.debug("cannot read \(path): \(error)")
            items = []
        }
        cachedLists[path] = items
        return items
    }

    /// Our rules as Grafana holds them (`ProvisionedAlertRule`, in our folder).
    func rules() async -> [JSONValue] {
        await list("/api/v1/provisioning/alert-rules").filter { $0["folderUID"]?.stringValue == grafana.folderUID }
    }

    func muteTimings() async -> [JSONValue] { await list("/api/v1/provisioning/mute-timings") }
    func contactPoints() async -> [JSONValue] { await list("/api/v1/provisioning/contact-points") }

    private var cachedPolicy: JSONValue??

    func policy() async -> JSONValue? {
        if let cachedPolicy { return cachedPolicy }
        let policy = try? await client.send("GET", "/api/v1/provisioning/policies").body
        cachedPolicy = .some(policy)
        return policy
    }

    /// The receivers our deployed rules name (rule notification settings), or our route's.
    func receivers() async -> Set<String> {
        var names = Set(await rules().compactMap { $0["notification_settings"]?["receiver"]?.stringValue })
        if let route = GrafanaChecks.ourRoute(await policy()), let receiver = route["receiver"]?.stringValue {
            names.insert(receiver)
        }
        return names
    }

    /// The contact points our alerts use.
    func usedContactPoints() async -> [JSONValue] {
        let receivers = await receivers()
        return await contactPoints().filter { receivers.contains($0["name"]?.stringValue ?? "") }
    }

    /// The provisioner the `alerts` and `dashboards` commands would use: same options, same normalisation.
    var provisioner: Provisioner {
        var options = ProvisionOptions()
        options.uiEditable = grafana.uiEditable
        options.orgID = grafana.orgID ?? 1
        return Provisioner(client: client, options: options, logger: context.environment.logger)
    }
}

/// A probe that did not get what it asked for, as evidence.
struct ProbeError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}
