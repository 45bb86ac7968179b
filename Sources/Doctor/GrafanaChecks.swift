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

/// `grafana.*` (seed 1.6, 1.7, 2.3; final items 7 and 8). Reads only, through Grafana's HTTP API:
/// one unauthenticated GET to see whether anonymous users get in, and a single admin/admin attempt.
struct GrafanaChecks {
    let context: DoctorContext

    static let ids = CheckCatalog.ids.filter { $0.hasPrefix("grafana.") }

    func run(_ recorder: Recorder) async -> GrafanaFacts {
        var facts = GrafanaFacts()
        do {
            facts.profile = try AlertProfile.named(
                context.options.profile, searchDirectories: context.options.searchDirectories,
                environment: context.environment.variables)
        } catch {
            facts.profileError = "\(error)"
        }
        guard let grafana = context.config.grafana else {
            for id in Self.ids {
                recorder.skip(id, evidence: "grafana: is not configured", fix: "add grafana.url and grafana.token to the config")
            }
            return facts
        }
        guard let base = URL(string: grafana.url.hasSuffix("/") ? String(grafana.url.dropLast()) : grafana.url) else {
            for id in Self.ids { recorder.skip(id, evidence: "grafana.url is not a URL") }
            return facts
        }
        let shown = Redaction.url(grafana.url)
        await recorder.check("grafana.https") {
            if base.scheme == "https" { return .pass("\(shown) uses HTTPS") }
            if base.isLoopback {
                return .warn(
                    "\(shown) is plain HTTP on loopback", fix: "serve Grafana over HTTPS before anyone reaches it over a network")
            }
            return .fail(
                "\(shown) is plain HTTP: logins and tokens cross the network in clear text",
                fix: "serve Grafana over HTTPS (server.protocol = https, or a TLS-terminating proxy) and update grafana.url")
        }
        let transport: any HTTPTransport
        switch context.transport(TLSClientSettings(caFile: grafana.caFile), hint: "grafana.ca_file") {
        case .success(let made): transport = made
        case .failure(let error):
            for id in Self.ids { await recorder.check(id) { .fail("\(error)", fix: "check grafana.ca_file") } }
            return facts
        }
        let prober = Prober(transport: transport, timeout: context.environment.timeout)

        // Health: unauthenticated, documented as always open.
        var version: String?
        var healthError: String?
        if let url = URL.joining(grafana.url, "/api/health") {
            switch await prober.get(url) {
            case .success(let response) where response.status == 200:
                let body = try? JSONValue.parse(response.body)
                version = body?["version"]?.stringValue ?? "unknown"
                if body?["database"]?.stringValue != "ok" {
                    healthError = "GET /api/health → 200 but database is \(body?["database"]?.stringValue ?? "?")"
                }
            case .success(let response): healthError = "GET /api/health → \(response.status) \(Text.quote(response.body))"
            case .failure(let error): healthError = "\(error)"
            }
        }
        await recorder.check("grafana.reachable") {
            if let healthError { return .fail(healthError, fix: "check grafana.url, the network path and grafana.ca_file") }
            return .pass("GET \(shown)/api/health → 200, database ok, version \(version ?? "?")")
        }
        guard let version, healthError == nil else {
            for id in Self.ids { recorder.skip(id, evidence: "Grafana is unreachable (see grafana.reachable)") }
            return facts
        }
        await recorder.check("grafana.version") { Self.versionOutcome(version) }

        let auth: GrafanaAuth
        if let token = grafana.token, !token.isEmpty {
            auth = .token(token)
        } else if let user = grafana.username, let password = grafana.password, !password.isEmpty {
            auth = .basic(user: user, password: password)
        } else {
            auth = .none
        }
        let client = GrafanaClient(
            baseURL: base, auth: auth, orgID: grafana.orgID, transport: transport, timeout: context.environment.timeout,
            retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(200), maxDelay: .seconds(1)),
            logger: context.environment.logger)
        facts.client = client

        var user: JSONValue?
        var credentialError: String?
        if case .none = auth {
            credentialError = "no grafana.token and no grafana.username/password"
        } else {
            do { user = try await client.send("GET", "/api/user").body } catch { credentialError = "\(error)" }
        }
        await recorder.check("grafana.credentials") {
            if let credentialError {
                return .fail(credentialError, fix: "set grafana.token to a service-account token (\"${GRAFANA_TOKEN}\")")
            }
            let login = user?["login"]?.stringValue ?? "?"
            let kind = grafana.token != nil ? "token" : "basic auth"
            return .pass("GET /api/user with the configured \(kind) → 200, login \(login)")
        }
        await recorder.check("grafana.default_admin_password") {
            await defaultAdmin(prober: prober, grafana: grafana)
        }

        // Server settings: only a Grafana server admin may read them; anything else → manual.
        var settings: JSONValue?
        var settingsNote = ""
        if credentialError == nil,
            recorder.wants("grafana.anonymous_access", "grafana.sign_up", "grafana.brute_force_protection", "grafana.smtp")
        {
            do {
                settings = try await client.send("GET", "/api/admin/settings").body
            } catch let error as GrafanaError {
                settingsNote = "GET /api/admin/settings → \(error.status) (needs a Grafana server admin or settings:read)"
            } catch {
                settingsNote = "GET /api/admin/settings failed: \(error)"
            }
        }
        func setting(_ section: String, _ key: String) -> String? { settings?[section]?[key]?.stringValue }

        await recorder.check("grafana.anonymous_access") {
            guard let url = URL.joining(grafana.url, "/api/search?limit=1") else { return .skip("bad URL") }
            let fromSettings = setting("auth.anonymous", "enabled").map { "; [auth.anonymous] enabled = \($0)" } ?? ""
            switch await prober.get(url, headers: [("Accept", "application/json")]) {
            case .failure(let error): return .fail("\(error)", fix: "")
            case .success(let response):
                let evidence = "GET /api/search without credentials → \(response.status)\(fromSettings)"
                if response.status == 200 {
                    return .fail(
                        evidence + ": anonymous users can browse dashboards",
                        fix: "set [auth.anonymous] enabled = false (GF_AUTH_ANONYMOUS_ENABLED=false) and restart Grafana")
                }
                if response.status == 401 || response.status == 403 { return .pass(evidence + ": refused") }
                return .warn(evidence, fix: "check [auth.anonymous] enabled = false")
            }
        }
        await recorder.check("grafana.sign_up") {
            guard let value = setting("users", "allow_sign_up") else {
                return .manual(
                    "cannot read Grafana's settings: \(settingsNote.isEmpty ? "no credentials" : settingsNote)",
                    fix: "confirm [users] allow_sign_up = false (GF_USERS_ALLOW_SIGN_UP=false)")
            }
            if value == "true" {
                return .fail(
                    "[users] allow_sign_up = true: anyone who reaches Grafana can create an account",
                    fix: "set [users] allow_sign_up = false (GF_USERS_ALLOW_SIGN_UP=false)")
            }
            return .pass("[users] allow_sign_up = \(value) (GET /api/admin/settings)")
        }
        await recorder.check("grafana.brute_force_protection") {
            guard settings != nil else {
                return .manual(
                    "cannot read Grafana's settings: \(settingsNote.isEmpty ? "no credentials" : settingsNote)",
                    fix: "confirm [security] disable_brute_force_login_protection = false")
            }
            let value = setting("security", "disable_brute_force_login_protection") ?? "false"
            if value == "true" {
                return .fail(
                    "[security] disable_brute_force_login_protection = true: password guessing is not throttled",
                    fix: "set [security] disable_brute_force_login_protection = false")
            }
            return .pass("[security] disable_brute_force_login_protection = \(value) (GET /api/admin/settings)")
        }

        // Data source first: the role check depends on whether it already exists.
        var dataSource: JSONValue?
        var dataSourceError: String?
        if credentialError == nil {
            do {
                let (status, body) = try await client.send(
                    "GET", "/api/datasources/uid/\(GrafanaClient.escape(grafana.datasourceUID))", allowNotFound: true)
                if status == 200 {
                    dataSource = body
                } else {
                    dataSourceError = "no data source with uid \(grafana.datasourceUID)"
                }
            } catch {
                dataSourceError = "\(error)"
            }
        }
        await recorder.check("grafana.service_account_role") {
            if let credentialError { return .skip("credentials do not work: \(credentialError)") }
            return await role(client: client, user: user, dataSourceExists: dataSource != nil, basicAuth: grafana.token == nil)
        }
        await recorder.check("grafana.loki_datasource") {
            if let credentialError { return .skip("credentials do not work: \(credentialError)") }
            guard let dataSource else {
                return .fail(
                    dataSourceError ?? "missing",
                    fix: "tfdriftctl dashboards apply creates it (grafana.datasource_uid \(grafana.datasourceUID))")
            }
            let type = dataSource["type"]?.stringValue ?? "?"
            let url = dataSource["url"]?.stringValue ?? ""
            guard type == "loki" else {
                return .fail(
                    "data source \(grafana.datasourceUID) has type \(type), not loki",
                    fix: "choose another grafana.datasource_uid")
            }
            var evidence =
                "data source \(grafana.datasourceUID) (\(dataSource["name"]?.stringValue ?? "")) → \(Redaction.url(url))"
            let expected = grafana.lokiURL ?? context.config.outputs.loki?.url
            if let expected, expected != url {
                evidence += "; the config says \(Redaction.url(expected))"
            }
            do {
                let (_, health) = try await client.send(
                    "GET", "/api/datasources/uid/\(GrafanaClient.escape(grafana.datasourceUID))/health")
                return .pass(evidence + "; health: \(health?["message"]?.stringValue ?? "OK")")
            } catch {
                return .fail(
                    evidence + "; health check failed: \(error)", fix: "check the data source's URL and credentials in Grafana")
            }
        }
        guard credentialError == nil else {
            for id in Self.ids { recorder.skip(id, evidence: "the configured credentials do not work (see grafana.credentials)") }
            return facts
        }
        await recorder.check("grafana.folder") {
            do {
                let (status, body) = try await client.send(
                    "GET", "/api/folders/\(GrafanaClient.escape(grafana.folderUID))", allowNotFound: true)
                if status == 404 {
                    return .fail("no folder with uid \(grafana.folderUID)", fix: "tfdriftctl dashboards apply creates it")
                }
                return .pass("folder \(grafana.folderUID) \"\(body?["title"]?.stringValue ?? "")\" exists")
            } catch {
                return .fail("\(error)", fix: "")
            }
        }
        let provisioner = Provisioner(client: client, logger: context.environment.logger)
        await recorder.check("grafana.dashboards") { await dashboards(provisioner: provisioner, grafana: grafana) }

        // Our rules as deployed, the policy tree and mute timings: reads shared by several checks.
        do {
            let (_, body) = try await client.send("GET", "/api/v1/provisioning/alert-rules")
            facts.rules = (body?.arrayValue ?? []).filter { $0["folderUID"]?.stringValue == grafana.folderUID }
        } catch {
            context.environment.logger.debug("cannot list alert rules: \(error)")
        }
        facts.muteTimings = (try? await client.send("GET", "/api/v1/provisioning/mute-timings").body?.arrayValue) ?? []
        facts.policy = try? await client.send("GET", "/api/v1/provisioning/policies").body
        let contactPoints = (try? await client.send("GET", "/api/v1/provisioning/contact-points").body?.arrayValue) ?? []

        await recorder.check("grafana.alert_rules") { await alertRules(provisioner: provisioner, grafana: grafana, facts: facts) }
        await recorder.check("grafana.alert_rules_paused") {
            guard !facts.rules.isEmpty else { return .skip("no rules of ours in folder \(grafana.folderUID)") }
            let paused = facts.rules.filter { $0["isPaused"]?.boolValue == true }.compactMap { $0["title"]?.stringValue }
            if !paused.isEmpty {
                return .fail(
                    "paused: \(paused.sorted().joined(separator: ", "))",
                    fix: "resume them in Grafana, or run tfdriftctl alerts apply (which sets isPaused: false)")
            }
            return .pass("\(Text.count(facts.rules.count, "rule")) in folder \(grafana.folderUID), none paused")
        }
        await recorder.check("grafana.alert_rules_health") { await ruleHealth(client: client, grafana: grafana, facts: facts) }
        let receivers = Self.receivers(facts: facts)
        let used = contactPoints.filter { receivers.contains($0["name"]?.stringValue ?? "") }
        await recorder.check("grafana.contact_points") {
            Self.contactPointsOutcome(receivers: receivers, contactPoints: contactPoints, facts: facts)
        }
        await recorder.check("grafana.notification_routing") { routing(facts: facts, receivers: receivers) }
        await recorder.check("grafana.test_notification") {
            guard context.options.sendTest else {
                return .skip("not sent (pass --send-test to send one test notification per contact point)")
            }
            return await testNotification(client: client, used: used)
        }
        await recorder.check("grafana.smtp") {
            let email = used.filter { $0["type"]?.stringValue == "email" }.compactMap { $0["name"]?.stringValue }
            guard !email.isEmpty else { return .skip("no email contact point is used by our alerts") }
            guard let value = setting("smtp", "enabled") else {
                return .manual(
                    "email contact points in use (\(email.joined(separator: ", "))) but Grafana's settings are not readable: \(settingsNote)",
                    fix: "confirm [smtp] enabled = true with a working host")
            }
            if value != "true" {
                return .fail(
                    "email contact points in use (\(email.joined(separator: ", "))) but [smtp] enabled = \(value): no email is sent",
                    fix: "configure [smtp] (host, user, password, from_address) and set enabled = true")
            }
            return .pass(
                "[smtp] enabled = true, host \(setting("smtp", "host") ?? "?"), used by \(email.joined(separator: ", "))")
        }
        return facts
    }

    static func versionOutcome(_ version: String) -> Outcome {
        let parts = version.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard parts.count >= 2 else { return .warn("version \"\(version)\" not understood", fix: "") }
        let (major, minor) = (parts[0], parts[1])
        if major > 10 || (major == 10 && minor >= 4) {
            return .pass("Grafana \(version): alerting provisioning API and rule notification settings (10.4+)")
        }
        if major > 9 || (major == 9 && minor >= 1) {
            return .warn(
                "Grafana \(version): provisioning API present, rule notification settings (10.4+) are not",
                fix: "upgrade to 10.4 or later, or use routing: policy in the alert profile")
        }
        return .fail("Grafana \(version) has no alerting provisioning API (9.1+)", fix: "upgrade Grafana")
    }

    /// One attempt, never retried: brute-force protection counts failures per login.
    func defaultAdmin(prober: Prober, grafana: GrafanaConfig) async -> Outcome {
        if grafana.username == "admin", grafana.password?.value == "admin" {
            return .fail(
                "the configuration itself logs in as admin/admin (not probed)",
                fix: "change the admin password (grafana-cli admin reset-admin-password) and use a service-account token")
        }
        guard let url = URL.joining(grafana.url, "/api/user") else { return .skip("bad URL") }
        let header = "Basic " + Data("admin:admin".utf8).base64EncodedString()
        switch await prober.get(url, headers: [("Authorization", header), ("Accept", "application/json")]) {
        case .failure(let error): return .warn("the single login probe did not complete: \(error)", fix: "")
        case .success(let response):
            let evidence =
                "one GET /api/user as admin/admin → \(response.status) (never repeated; skip with --skip grafana.default_admin_password)"
            if response.status == 200 {
                return .fail(
                    evidence + ": the default password still works",
                    fix: "change it now: grafana-cli admin reset-admin-password, or [security] admin_password for new installs")
            }
            if response.status == 401 || response.status == 403 { return .pass(evidence + ": refused") }
            return .warn(evidence, fix: "check by hand that admin/admin does not log in")
        }
    }

    func role(client: GrafanaClient, user: JSONValue?, dataSourceExists: Bool, basicAuth: Bool) async -> Outcome {
        let org = context.config.grafana?.orgID ?? user?["orgId"]?.intValue ?? 1
        var role: String?
        var evidence: [String] = []
        if let orgs = try? await client.send("GET", "/api/user/orgs").body?.arrayValue {
            role = orgs.first { $0["orgId"]?.intValue == org }?["role"]?.stringValue
            evidence.append("GET /api/user/orgs → role \(role ?? "none") in org \(org)")
        } else {
            // Fallback: whether the credentials may list service accounts (an Admin permission).
            do {
                _ = try await client.send("GET", "/api/serviceaccounts/search", query: [("perpage", "1")])
                role = "Admin"
                evidence.append("GET /api/serviceaccounts/search → 200 (an Admin permission)")
            } catch let error as GrafanaError where error.status == 403 {
                role = "Editor or lower"
                evidence.append("GET /api/serviceaccounts/search → 403 (not an Admin)")
            } catch {
                return .manual("cannot determine the role: \(error)", fix: "check the service account's role in Grafana")
            }
        }
        if user?["isGrafanaAdmin"]?.boolValue == true {
            return .warn(
                evidence.joined(separator: "; ") + "; the credentials are a Grafana server admin",
                fix: "use a service-account token with the Editor role (Admin only to create the data source once)")
        }
        switch role {
        case "Admin":
            if dataSourceExists {
                return .warn(
                    evidence.joined(separator: "; ") + "; the Loki data source already exists, so Editor suffices",
                    fix: "lower the service account to Editor (Administration → Service accounts)")
            }
            return .pass(evidence.joined(separator: "; ") + "; Admin is needed once to create the data source")
        case "Editor", "Editor or lower":
            return .pass(evidence.joined(separator: "; ") + (basicAuth ? "; prefer a service-account token to a user login" : ""))
        default:
            return .fail(
                evidence.joined(separator: "; ") + ": cannot provision dashboards or alert rules",
                fix: "give the service account the Editor role")
        }
    }

    func dashboards(provisioner: Provisioner, grafana: GrafanaConfig) async -> Outcome {
        // A dashboards directory (yours) wins; without one, compare with the dashboards built in.
        let directory = context.options.dashboardsDirectory ?? context.find("dashboards")
        var desired = DesiredState()
        do {
            desired.dashboards =
                try directory.map { try DashboardFiles.load(directory: $0, folderUID: grafana.folderUID) }
                ?? DashboardFiles.loadBuiltIn(folderUID: grafana.folderUID)
        } catch {
            return .fail("\(directory ?? "built-in dashboards"): \(error)", fix: "fix the dashboard files")
        }
        do {
            let plan = try await provisioner.plan(desired)
            return Self.planOutcome(
                plan, kind: .dashboard, total: desired.dashboards.count, noun: "dashboard", apply: "tfdriftctl dashboards apply")
        } catch {
            return .fail("\(error)", fix: "")
        }
    }

    func alertRules(provisioner: Provisioner, grafana: GrafanaConfig, facts: GrafanaFacts) async -> Outcome {
        guard let profile = facts.profile else {
            return .fail(
                "alert profile \(context.options.profile): \(facts.profileError ?? "not found")",
                fix: "pass --profile small|large|PATH")
        }
        var desired = profile.desiredState(
            folderUID: grafana.folderUID, lokiUID: grafana.datasourceUID, orgID: grafana.orgID ?? 1,
            contactPointOverrides: grafana.contactPoints)
        desired.pruneRuleGroups = false
        desired.contactPoints = []
        desired.templates = []
        desired.muteTimings = []
        desired.route = nil
        do {
            let plan = try await provisioner.plan(desired)
            let total = desired.ruleGroups.reduce(0) { $0 + $1.rules.count }
            var outcome = Self.planOutcome(
                plan, kind: .ruleGroup, total: desired.ruleGroups.count, noun: "rule group",
                apply: "tfdriftctl alerts apply --profile \(context.options.profile)")
            outcome.evidence = "profile \(profile.name) (\(Text.count(total, "rule"))): " + outcome.evidence
            return outcome
        } catch {
            return .fail(
                "profile \(profile.name): \(error)",
                fix: "tfdriftctl alerts plan --profile \(context.options.profile) shows the same")
        }
    }

    static func planOutcome(_ plan: Plan, kind: ResourceKind, total: Int, noun: String, apply: String) -> Outcome {
        let changes = plan.changes.filter { $0.kind == kind }
        let missing = changes.filter { $0.action == .create }.map(\.name)
        let differing = changes.filter { $0.action == .update }.map { change in
            "\(change.name) (\(Text.list(change.fields.map(\.path), limit: 3)))"
        }
        if !plan.refusals.isEmpty {
            return .fail(plan.refusals.map(\.description).joined(separator: "; "), fix: "see the refusal")
        }
        if !missing.isEmpty {
            return .fail(
                "missing: \(Text.list(missing.sorted()))" + (differing.isEmpty ? "" : "; differ: \(Text.list(differing))"),
                fix: apply)
        }
        if !differing.isEmpty {
            return .warn("present but changed in Grafana: \(Text.list(differing))", fix: "\(apply) (or export the edits back)")
        }
        return .pass("all \(Text.count(total, noun)) present and identical to the files")
    }

    func ruleHealth(client: GrafanaClient, grafana: GrafanaConfig, facts: GrafanaFacts) async -> Outcome {
        guard !facts.rules.isEmpty else { return .skip("no rules of ours in folder \(grafana.folderUID)") }
        let body: JSONValue?
        do {
            body = try await client.send(
                "GET", "/api/prometheus/grafana/api/v1/rules", query: [("folder_uid", grafana.folderUID)]
            ).body
        } catch {
            return .manual(
                "cannot read rule evaluation states: \(error)",
                fix: "open Alerting → Alert rules in Grafana and check that no tfdrift rule shows an error")
        }
        var health: [String: (String, String?)] = [:]
        for group in body?["data"]?["groups"]?.arrayValue ?? [] {
            for rule in group["rules"]?.arrayValue ?? [] {
                guard let name = rule["name"]?.stringValue else { continue }
                health[name] = (rule["health"]?.stringValue ?? "unknown", rule["lastError"]?.stringValue)
            }
        }
        var errors: [String] = []
        var unknown: [String] = []
        for rule in facts.rules {
            let title = rule["title"]?.stringValue ?? "?"
            guard let (state, lastError) = health[title] else {
                unknown.append(title)
                continue
            }
            if state == "error" { errors.append("\(title): \(lastError ?? "error")") }
        }
        if !errors.isEmpty {
            return .fail(
                "evaluation errors: \(errors.sorted().joined(separator: "; "))",
                fix: "fix the data source or the query (a missing Prometheus data source breaks the operational rules)")
        }
        if !unknown.isEmpty {
            return .warn(
                "no evaluation state yet for \(Text.list(unknown.sorted()))", fix: "wait one evaluation interval and re-run")
        }
        return .pass(
            "\(Text.count(facts.rules.count, "rule")) evaluating without errors (GET /api/prometheus/grafana/api/v1/rules)")
    }

    /// The receivers our deployed rules name (rule notification settings), or our route's.
    static func receivers(facts: GrafanaFacts) -> Set<String> {
        var names = Set(facts.rules.compactMap { $0["notification_settings"]?["receiver"]?.stringValue })
        if let route = ourRoute(facts.policy), let receiver = route["receiver"]?.stringValue { names.insert(receiver) }
        return names
    }

    static func ourRoute(_ policy: JSONValue?) -> JSONValue? {
        for route in policy?["routes"]?.arrayValue ?? [] {
            for matcher in route["object_matchers"]?.arrayValue ?? [] {
                let parts = matcher.arrayValue?.compactMap(\.stringValue) ?? []
                if parts == ["managed_by", "=", "tfdriftctl"] { return route }
            }
        }
        return nil
    }

    static let placeholderMarkers = [
        "example.com", "example.org", "example@", "<", "changeme", "change-me", "xxxx", "placeholder",
        "hooks.slack.com/services/t0000",
        "your-", "todo",
    ]

    static func contactPointsOutcome(receivers: Set<String>, contactPoints: [JSONValue], facts: GrafanaFacts) -> Outcome {
        guard !receivers.isEmpty else {
            return facts.rules.isEmpty
                ? .skip("no rules of ours deployed yet (see grafana.alert_rules)")
                : .fail("our rules name no contact point", fix: "set receivers in the profile and run tfdriftctl alerts apply")
        }
        var problems: [String] = []
        var good: [String] = []
        for name in receivers.sorted() {
            let points = contactPoints.filter { $0["name"]?.stringValue == name }
            guard !points.isEmpty else {
                problems.append("\(name): no such contact point")
                continue
            }
            for point in points {
                let type = point["type"]?.stringValue ?? "?"
                let values = (point["settings"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { key, value in
                    value.stringValue.map { (key, $0) }
                }
                let placeholder = values.first { _, value in
                    let lowered = value.lowercased()
                    return value != "[REDACTED]" && placeholderMarkers.contains { lowered.contains($0) }
                }
                if let (key, value) = placeholder {
                    problems.append("\(name) (\(type)): \(key) is a placeholder (\(Redaction.url(value)))")
                } else {
                    good.append("\(name) (\(type))")
                }
            }
        }
        if !problems.isEmpty {
            return .fail(
                problems.joined(separator: "; ") + (good.isEmpty ? "" : "; fine: \(good.joined(separator: ", "))"),
                fix:
                    "define a real contact point (Slack, email, PagerDuty) and map severities to it with grafana.contact_points, then tfdriftctl alerts apply"
            )
        }
        return .pass("our alerts notify \(good.joined(separator: ", "))")
    }

    func routing(facts: GrafanaFacts, receivers: Set<String>) -> Outcome {
        guard !facts.rules.isEmpty else { return .skip("no rules of ours deployed yet (see grafana.alert_rules)") }
        let withSettings = facts.rules.filter { $0["notification_settings"]?["receiver"] != nil }.count
        if withSettings == facts.rules.count {
            return .pass(
                "every rule of ours routes through its notification settings (\(receivers.sorted().joined(separator: ", ")))")
        }
        if let route = Self.ourRoute(facts.policy) {
            let receiver = route["receiver"]?.stringValue ?? "?"
            let timings = route["mute_time_intervals"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return .pass(
                "the notification policy routes managed_by=tfdriftctl to \(receiver)"
                    + (timings.isEmpty ? "" : ", muted by \(timings.joined(separator: ", "))"))
        }
        let root = facts.policy?["receiver"]?.stringValue ?? "?"
        return .warn(
            "\(facts.rules.count - withSettings) rule(s) have no notification settings and no route matches managed_by=tfdriftctl: they fall to the default policy (\(root))",
            fix: "use routing: notification_settings or routing: policy in the profile and run tfdriftctl alerts apply")
    }

    func testNotification(client: GrafanaClient, used: [JSONValue]) async -> Outcome {
        guard !used.isEmpty else { return .skip("no contact point to test") }
        var results: [String] = []
        var failed = false
        for point in used {
            let name = point["name"]?.stringValue ?? "?"
            let body: JSONValue = [
                "receivers": [
                    [
                        "name": .string(name),
                        "grafana_managed_receiver_configs": [
                            [
                                "uid": point["uid"] ?? "", "name": .string(name), "type": point["type"] ?? "",
                                "settings": point["settings"] ?? [:], "disableResolveMessage": false,
                            ]
                        ],
                    ]
                ],
                "alert": [
                    "labels": ["alertname": "TfdriftDoctorTest", "managed_by": "tfdriftctl"],
                    "annotations": ["summary": "tfdriftctl doctor --send-test: a test notification"],
                ],
            ]
            do {
                let (status, _) = try await client.send(
                    "POST", "/api/alertmanager/grafana/config/api/v1/receivers/test", body: body)
                results.append("\(name) → \(status)")
            } catch {
                failed = true
                results.append("\(name): \(error)")
            }
        }
        if failed {
            return .fail(results.joined(separator: "; "), fix: "check the contact point's URL, token or SMTP settings")
        }
        return .pass("test sent: \(results.joined(separator: "; ")); confirm it arrived (seed 2.1)")
    }
}
