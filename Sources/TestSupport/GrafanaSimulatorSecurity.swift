import Foundation

/// The server settings and identities `tfdriftctl doctor` probes: `[auth.anonymous]`, `[users]`,
/// `[security]`, `[smtp]`, the role of the service-account token, and rule evaluation errors.
/// Defaults are Grafana's own defaults for a fresh install (anonymous off, sign-up off, brute-force
/// protection on, SMTP off).
public struct GrafanaSimulatorSecurity: Sendable {
    public enum Identity: Sendable, Equatable {
        case token, basic, anonymous
    }

    public var anonymousEnabled = false
    public var allowSignUp = false
    public var disableBruteForceProtection = false
    public var smtpEnabled = false
    public var smtpHost = "localhost:25"
    /// The token's role in its organisation: Admin, Editor or Viewer.
    public var tokenRole = "Editor"
    /// Whether the basic-auth user is a Grafana server admin (may read /api/admin/settings).
    public var basicAuthServerAdmin = true
    /// Rule title → the error its last evaluation reported.
    public var ruleErrors: [String: String] = [:]

    public init() {}
}

extension GrafanaSimulator {
    /// The identity endpoints and server settings (all in the OpenAPI document).
    func securityDispatch(_ operationID: String, _ context: Context, _ state: GrafanaOrgState) -> Response? {
        switch operationID {
        case "getSignedInUser":
            switch context.identity {
            case .anonymous: return Self.error(401, "Unauthorized")
            case .token:
                return Self.ok([
                    "id": 2, "uid": "sa-tfdrift", "login": "sa-1-tfdrift", "name": "tfdrift", "email": "sa-1-tfdrift",
                    "orgId": .number(Double(context.org)), "isGrafanaAdmin": false, "isDisabled": false, "isExternal": false,
                    "theme": "", "authLabels": [],
                ])
            case .basic:
                let login = basicAuth?.user ?? "admin"
                return Self.ok([
                    "id": 1, "uid": "u-admin", "login": .string(login), "name": .string(login), "email": "admin@localhost",
                    "orgId": .number(Double(context.org)), "isGrafanaAdmin": .bool(security.basicAuthServerAdmin),
                    "isDisabled": false, "isExternal": false, "theme": "", "authLabels": [],
                ])
            }
        case "getSignedInUserOrgList":
            let role: String
            switch context.identity {
            case .anonymous: return Self.error(401, "Unauthorized")
            case .token: role = security.tokenRole
            case .basic: role = "Admin"
            }
            return Self.ok([["orgId": .number(Double(context.org)), "name": "Main Org.", "role": .string(role)]])
        case "adminGetSettings":
            guard context.identity == .basic, security.basicAuthServerAdmin else {
                return Self.error(
                    403, "You'll need additional permissions to perform this action. Permissions needed: settings:read")
            }
            return Self.ok([
                "auth.anonymous": ["enabled": .string(String(security.anonymousEnabled)), "org_role": "Viewer"],
                "users": ["allow_sign_up": .string(String(security.allowSignUp)), "auto_assign_org_role": "Viewer"],
                "security": [
                    "disable_brute_force_login_protection": .string(String(security.disableBruteForceProtection)),
                    "admin_user": "admin", "admin_password": "************",
                ],
                "smtp": ["enabled": .string(String(security.smtpEnabled)), "host": .string(security.smtpHost)],
            ])
        case "searchOrgServiceAccountsWithPaging":
            let admin = context.identity == .basic || (context.identity == .token && security.tokenRole == "Admin")
            guard admin else {
                return Self.error(
                    403, "You'll need additional permissions to perform this action. Permissions needed: serviceaccounts:read")
            }
            return Self.ok(["totalCount": 1, "page": 1, "perPage": 1, "serviceAccounts": []])
        case "checkDatasourceHealthWithUID":
            guard let source = state.dataSources.first(where: { $0.uid == context.parameter("uid") }) else {
                return Self.error(404, "Data source not found")
            }
            let type = source.fields["type"]?.stringValue ?? ""
            return Self.ok(["message": .string(type == "loki" ? "Data source successfully connected." : "Data source is working")]
            )
        default:
            return nil
        }
    }

    /// Grafana's Prometheus-compatible rule state endpoint (`RouteGetRuleStatuses` in Grafana's ngalert
    /// API document), which `api-merged.json` does not contain. Query parameters are checked against
    /// that operation's list; unknown ones are rejected as the other operations' are.
    static let ruleStatusesPath = "/api/prometheus/grafana/api/v1/rules"
    static let ruleStatusesParameters: Set<String> = [
        "dashboard_uid", "panel_id", "limit", "limit_rules", "limit_alerts", "folder_uid", "rule_group", "rule_name",
        "receiver_name", "state", "health", "matcher", "type",
    ]

    static func supplementaryOperationID(method: String, path: String) -> String? {
        method == "GET" && path == ruleStatusesPath ? "RouteGetRuleStatuses" : nil
    }

    func supplementary(method: String, path: String, query: [String: [String]], headers: [String: String])
        -> (response: Response, problems: [String])?
    {
        guard Self.supplementaryOperationID(method: method, path: path) != nil else { return nil }
        let unknown = query.keys.filter { !Self.ruleStatusesParameters.contains($0) }.sorted()
        if !unknown.isEmpty {
            let problems = unknown.map { "query parameter \($0) is not a parameter of RouteGetRuleStatuses" }
            return (Self.error(400, problems.joined(separator: "; ")), problems)
        }
        let authorization = headers["authorization"] ?? ""
        let org: Int
        if authorization.hasPrefix("Bearer "), let token, authorization.dropFirst(7) == token {
            org = tokenOrg
        } else if authorization.hasPrefix("Basic "), let basicAuth,
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6))),
            String(decoding: decoded, as: UTF8.self) == "\(basicAuth.user):\(basicAuth.password)"
        {
            org = orgs.keys.min() ?? 1
        } else {
            return (Self.error(401, "Unauthorized"), [])
        }
        let state = orgs[org] ?? GrafanaOrgState()
        let folderFilter = query["folder_uid"]?.first
        var groups: [String: [JSONNode]] = [:]
        var files: [String: String] = [:]
        for rule in state.rules {
            let folder = rule["folderUID"]?.stringValue ?? ""
            if let folderFilter, folder != folderFilter { continue }
            let group = rule["ruleGroup"]?.stringValue ?? ""
            let title = rule["title"]?.stringValue ?? ""
            let error = security.ruleErrors[title]
            let key = "\(folder)/\(group)"
            files[key] = state.folders.first { $0.uid == folder }?.title ?? folder
            groups[key, default: []].append([
                "name": .string(title), "query": "", "health": .string(error == nil ? "ok" : "error"),
                "lastError": .string(error ?? ""), "state": "inactive", "type": "alerting",
                "labels": rule["labels"] ?? [:], "annotations": rule["annotations"] ?? [:], "folderUid": .string(folder),
                "uid": rule["uid"] ?? "",
            ])
        }
        let body: JSONNode = [
            "status": "success",
            "data": [
                "groups": .array(
                    groups.keys.sorted().map { key in
                        [
                            "name": .string(String(key.split(separator: "/", maxSplits: 1).last ?? "")),
                            "file": .string(files[key] ?? ""),
                            "folderUid": .string(String(key.split(separator: "/").first ?? "")),
                            "rules": .array(groups[key] ?? []), "interval": 60,
                        ]
                    })
            ],
        ]
        return (Self.ok(body), [])
    }
}
