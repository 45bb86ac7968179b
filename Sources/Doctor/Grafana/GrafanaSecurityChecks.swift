import Foundation
import GrafanaProvision
import TfdriftCore

/// The security half of the Grafana checks (seed 1.7, 2.3): transport, credentials, anonymous access,
/// sign-up, brute-force protection, the service account's role, SMTP.
extension GrafanaChecks {
    static func reachable(_ context: GrafanaCheckContext) async -> Outcome {
        let health = await context.probes.health()
        if let error = health.error { return .fail(error, fix: "check grafana.url, the network path and grafana.ca_file") }
        return .pass("GET \(context.probes.shown)/api/health → 200, database ok, version \(health.version ?? "?")")
    }

    static func httpsOutcome(_ grafana: GrafanaConfig) -> Outcome {
        let shown = Redaction.url(grafana.url)
        let url = URL(string: grafana.url)
        if url?.scheme == "https" { return .pass("\(shown) uses HTTPS") }
        if url?.isLoopback == true {
            return .warn(
                "\(shown) is plain HTTP on loopback", fix: "serve Grafana over HTTPS before anyone reaches it over a network")
        }
        return .fail(
            "\(shown) is plain HTTP: logins and tokens cross the network in clear text",
            fix: "serve Grafana over HTTPS (server.protocol = https, or a TLS-terminating proxy) and update grafana.url")
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

    static func credentials(_ context: GrafanaCheckContext) async -> Outcome {
        switch await context.probes.user() {
        case .failure(let error):
            return .fail(
                context.doctor.config.unsetMessage("grafana.token") ?? error.description,
                fix: "set grafana.token to a service-account token (\"${GRAFANA_TOKEN}\") or GRAFANA_AUTH")
        case .success(let user):
            let login = user?["login"]?.stringValue ?? "?"
            let kind = context.grafana.token != nil ? "token" : "basic auth"
            return .pass("GET /api/user with the configured \(kind) → 200, login \(login)")
        }
    }

    static func anonymousAccess(_ context: GrafanaCheckContext) async -> Outcome {
        guard let url = URL.joining(context.grafana.url, "/api/search?limit=1") else { return .skip("bad URL") }
        let fromSettings =
            await context.probes.settings().value("auth.anonymous", "enabled").map { "; [auth.anonymous] enabled = \($0)" } ?? ""
        switch await context.probes.prober.get(url, headers: [("Accept", "application/json")]) {
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

    static func signUp(_ context: GrafanaCheckContext) async -> Outcome {
        let settings = await context.probes.settings()
        guard let value = settings.value("users", "allow_sign_up") else {
            return .manual(
                "cannot read Grafana's settings: \(settings.note)",
                fix: "confirm [users] allow_sign_up = false (GF_USERS_ALLOW_SIGN_UP=false)")
        }
        if value == "true" {
            return .fail(
                "[users] allow_sign_up = true: anyone who reaches Grafana can create an account",
                fix: "set [users] allow_sign_up = false (GF_USERS_ALLOW_SIGN_UP=false)")
        }
        return .pass("[users] allow_sign_up = \(value) (GET /api/admin/settings)")
    }

    static func bruteForceProtection(_ context: GrafanaCheckContext) async -> Outcome {
        let settings = await context.probes.settings()
        guard settings.values != nil else {
            return .manual(
                "cannot read Grafana's settings: \(settings.note)",
                fix: "confirm [security] disable_brute_force_login_protection = false")
        }
        let value = settings.value("security", "disable_brute_force_login_protection") ?? "false"
        if value == "true" {
            return .fail(
                "[security] disable_brute_force_login_protection = true: password guessing is not throttled",
                fix: "set [security] disable_brute_force_login_protection = false")
        }
        return .pass("[security] disable_brute_force_login_protection = \(value) (GET /api/admin/settings)")
    }

    static func role(_ context: GrafanaCheckContext) async -> Outcome {
        let client = context.probes.client
        guard case .success(let user) = await context.probes.user() else { return .skip("credentials do not work") }
        let dataSourceExists = if case .success = await context.probes.dataSource() { true } else { false }
        let basicAuth = context.grafana.token == nil
        let org = context.grafana.orgID ?? user?["orgId"]?.intValue ?? 1
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

    static func smtp(_ context: GrafanaCheckContext) async -> Outcome {
        let email = await context.probes.usedContactPoints().filter { $0["type"]?.stringValue == "email" }
            .compactMap { $0["name"]?.stringValue }
        guard !email.isEmpty else { return .skip("no email contact point is used by our alerts") }
        let settings = await context.probes.settings()
        guard let value = settings.value("smtp", "enabled") else {
            return .manual(
                "email contact points in use (\(email.joined(separator: ", "))) but Grafana's settings are not readable: \(settings.note)",
                fix: "confirm [smtp] enabled = true with a working host")
        }
        if value != "true" {
            return .fail(
                "email contact points in use (\(email.joined(separator: ", "))) but [smtp] enabled = \(value): no email is sent",
                fix: "configure [smtp] (host, user, password, from_address) and set enabled = true")
        }
        return .pass(
            "[smtp] enabled = true, host \(settings.value("smtp", "host") ?? "?"), used by \(email.joined(separator: ", "))")
    }
}
