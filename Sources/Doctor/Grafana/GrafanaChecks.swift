import Foundation
import GrafanaProvision
import Logging
import TfdriftCore

/// What the Grafana checks learned, for the maintenance and operations checks.
struct GrafanaFacts: Sendable {
    var client: GrafanaClient?
    var profile: AlertProfile?
    var profileError: String?
    /// Our rules as Grafana holds them (`ProvisionedAlertRule`).
    var rules: [JSONValue] = []
    var muteTimings: [JSONValue] = []
    var policy: JSONValue?
}

/// One Grafana check: its id and title (the report's), what it reads (for docs/doctor.md), what must
/// hold before it can say anything, and how it reads the answers.
struct GrafanaCheck: Sendable {
    enum Requirement: Sendable {
        /// Only the configuration.
        case configuration
        /// Grafana answers `/api/health`.
        case reachable
        /// The configured credentials work (`GET /api/user`).
        case credentials
    }

    let id: String
    let title: String
    let probe: String
    let requires: Requirement
    let evaluate: @Sendable (GrafanaCheckContext) async -> Outcome
}

/// What a check's `evaluate` gets: the shared probes, the doctor's options, the profile.
struct GrafanaCheckContext: Sendable {
    let probes: GrafanaProbes
    let doctor: DoctorContext
    let grafana: GrafanaConfig
    let profile: Result<AlertProfile, ProbeError>
}

/// `grafana.*` (seed 1.6, 1.7, 2.3; final items 7 and 8) as a table: each check reads through the shared
/// probes, so a read is made once and only for the checks that run. Reads only, through Grafana's HTTP API:
/// one unauthenticated GET to see whether anonymous users get in, and at most one admin/admin login a day
/// (`DefaultAdminProbe`).
enum GrafanaChecks {
    /// In report order; ids are part of the interface (`--only`, scripts): add, never rename.
    static let table: [GrafanaCheck] = [
        GrafanaCheck(
            id: "grafana.reachable", title: "Grafana answers", probe: "GET /api/health", requires: .configuration,
            evaluate: reachable),
        GrafanaCheck(
            id: "grafana.version", title: "Grafana version supports API provisioning of alerting", probe: "GET /api/health",
            requires: .reachable, evaluate: { await versionOutcome($0.probes.health().version ?? "?") }),
        GrafanaCheck(
            id: "grafana.https", title: "Grafana is served over HTTPS", probe: "grafana.url", requires: .configuration,
            evaluate: { httpsOutcome($0.grafana) }),
        GrafanaCheck(
            id: "grafana.credentials", title: "The configured Grafana credentials work", probe: "GET /api/user",
            requires: .reachable, evaluate: credentials),
        GrafanaCheck(
            id: "grafana.default_admin_password", title: "The default admin/admin login is refused",
            probe: "GET /api/user as admin/admin, at most once a day", requires: .reachable,
            evaluate: { await DefaultAdminProbe(context: $0).outcome() }),
        GrafanaCheck(
            id: "grafana.anonymous_access", title: "Anonymous access is off", probe: "GET /api/search without credentials",
            requires: .reachable, evaluate: anonymousAccess),
        GrafanaCheck(
            id: "grafana.sign_up", title: "User sign-up is off", probe: "GET /api/admin/settings", requires: .reachable,
            evaluate: signUp),
        GrafanaCheck(
            id: "grafana.brute_force_protection", title: "Brute-force login protection is on",
            probe: "GET /api/admin/settings", requires: .reachable, evaluate: bruteForceProtection),
        GrafanaCheck(
            id: "grafana.service_account_role", title: "The service account is not an Admin when Editor suffices",
            probe: "GET /api/user/orgs", requires: .credentials, evaluate: role),
        GrafanaCheck(
            id: "grafana.loki_datasource", title: "The Loki data source is present and healthy",
            probe: "GET /api/datasources/uid/…, …/health", requires: .credentials, evaluate: lokiDataSource),
        GrafanaCheck(
            id: "grafana.folder", title: "Our folder exists", probe: "GET /api/folders/…", requires: .credentials,
            evaluate: folder),
        GrafanaCheck(
            id: "grafana.dashboards", title: "Our dashboards are present and current",
            probe: "the dashboards plan (reads only)", requires: .credentials, evaluate: dashboards),
        GrafanaCheck(
            id: "grafana.alert_rules", title: "The profile's alert rules are present and current",
            probe: "the alerts plan (reads only)", requires: .credentials, evaluate: alertRules),
        GrafanaCheck(
            id: "grafana.alert_rules_paused", title: "No alert rule of ours is paused",
            probe: "GET /api/v1/provisioning/alert-rules", requires: .credentials, evaluate: rulesPaused),
        GrafanaCheck(
            id: "grafana.alert_rules_health", title: "Our alert rules evaluate without errors",
            probe: "GET /api/prometheus/grafana/api/v1/rules", requires: .credentials, evaluate: ruleHealth),
        GrafanaCheck(
            id: "grafana.contact_points", title: "Contact points are configured (no placeholder addresses)",
            probe: "GET /api/v1/provisioning/contact-points", requires: .credentials, evaluate: contactPoints),
        GrafanaCheck(
            id: "grafana.notification_routing", title: "Our alerts are routed to a contact point",
            probe: "GET /api/v1/provisioning/policies", requires: .credentials, evaluate: routing),
        GrafanaCheck(
            id: "grafana.test_notification", title: "A test notification reaches the contact points",
            probe: "POST …/receivers/test, only with --send-test", requires: .credentials, evaluate: testNotification),
        GrafanaCheck(
            id: "grafana.smtp", title: "SMTP is enabled when email contact points are used",
            probe: "GET /api/admin/settings", requires: .credentials, evaluate: smtp),
    ]

    static var ids: [String] { table.map(\.id) }

    static func run(_ context: DoctorContext, _ recorder: Recorder) async -> GrafanaFacts {
        var facts = GrafanaFacts()
        let profile: Result<AlertProfile, ProbeError>
        do {
            let loaded = try AlertProfile.named(
                context.options.profile, searchDirectories: context.options.searchDirectories,
                environment: context.environment.variables)
            facts.profile = loaded
            profile = .success(loaded)
        } catch {
            facts.profileError = "\(error)"
            profile = .failure(ProbeError("\(error)"))
        }
        guard let grafana = context.config.grafana else {
            for check in table {
                recorder.skip(
                    check.id, evidence: "grafana: is not configured", fix: "add grafana.url and grafana.token to the config")
            }
            return facts
        }
        guard let base = URL(string: grafana.url.hasSuffix("/") ? String(grafana.url.dropLast()) : grafana.url) else {
            for check in table { recorder.skip(check.id, evidence: "grafana.url is not a URL") }
            return facts
        }
        let transport: any HTTPTransport
        switch context.transport(TLSClientSettings(caFile: grafana.caFile), hint: "grafana.ca_file") {
        case .success(let made): transport = made
        case .failure(let error):
            await recorder.check("grafana.https") { Self.httpsOutcome(grafana) }
            for check in table { await recorder.check(check.id) { .fail("\(error)", fix: "check grafana.ca_file") } }
            return facts
        }
        let probes = GrafanaProbes(context: context, grafana: grafana, base: base, transport: transport)
        let checkContext = GrafanaCheckContext(probes: probes, doctor: context, grafana: grafana, profile: profile)
        for check in table {
            switch check.requires {
            case .configuration: break
            case .reachable:
                guard await probes.reachable else {
                    recorder.skip(check.id, evidence: "Grafana is unreachable (see grafana.reachable)")
                    continue
                }
            case .credentials:
                guard await probes.reachable else {
                    recorder.skip(check.id, evidence: "Grafana is unreachable (see grafana.reachable)")
                    continue
                }
                if let error = await probes.credentialError {
                    recorder.skip(
                        check.id, evidence: "the configured credentials do not work (see grafana.credentials): \(error)")
                    continue
                }
            }
            await recorder.check(check.id) { await check.evaluate(checkContext) }
        }
        if await probes.reachable, await probes.credentialError == nil {
            facts.client = probes.client
            facts.rules = await probes.rules()
            facts.muteTimings = await probes.muteTimings()
            facts.policy = await probes.policy()
        }
        return facts
    }

    /// Our route (matched by `managed_by=tfdriftctl`) in the policy tree.
    static func ourRoute(_ policy: JSONValue?) -> JSONValue? {
        for route in policy?["routes"]?.arrayValue ?? [] {
            for matcher in route["object_matchers"]?.arrayValue ?? [] {
                let parts = matcher.arrayValue?.compactMap(\.stringValue) ?? []
                if parts == ["managed_by", "=", "tfdriftctl"] { return route }
            }
        }
        return nil
    }
}
