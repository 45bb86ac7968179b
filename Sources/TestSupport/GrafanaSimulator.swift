import Foundation

/// An in-memory Grafana for tests. Every request is matched to an operation of Grafana's OpenAPI document
/// and validated against it (a non-conforming request gets 400 and is recorded with the reasons); then
/// the behaviour users hit is modelled: authentication, organisations, generated ids and versions,
/// conflicts (409/412), redacted secrets, whole-tree policies, provenance, rule-group replacement.
/// `GrafanaSimulatorServer` serves it over HTTP on 127.0.0.1.
public actor GrafanaSimulator {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: JSONNode?
    }

    public let spec: OpenAPISpec
    public let token: String?
    public let basicAuth: (user: String, password: String)?
    /// The organisation the token belongs to.
    public let tokenOrg: Int
    public private(set) var orgs: [Int: GrafanaOrgState]
    public private(set) var requests: [RecordedRequest] = []
    /// Responses that did not match the OpenAPI document: a simulator bug, reported by tests.
    public private(set) var responseProblems: [String] = []
    /// Server settings and identities for the security endpoints (`tfdriftctl doctor`).
    public private(set) var security = GrafanaSimulatorSecurity()
    private var injected: [(status: Int, retryAfter: String?, pathContains: String?)] = []
    private var nextID = 100
    private var clock = 0
    /// The Alertmanagers' clock (silence states, clamping); the real time unless a test sets it.
    public private(set) var alertmanagerClock: Date?

    public init(
        spec: OpenAPISpec, token: String? = "sim-token", basicAuth: (user: String, password: String)? = nil,
        orgs: [Int] = [1], tokenOrg: Int = 1
    ) {
        self.spec = spec
        self.token = token
        self.basicAuth = basicAuth
        self.tokenOrg = tokenOrg
        self.orgs = Dictionary(uniqueKeysWithValues: orgs.map { ($0, GrafanaOrgState()) })
    }

    // MARK: test hooks

    /// Reads or changes an organisation's state directly, as a UI edit or file provisioning would.
    public func withState<T: Sendable>(org: Int = 1, _ body: (inout GrafanaOrgState) throws -> T) rethrows -> T {
        var state = orgs[org] ?? GrafanaOrgState()
        defer { orgs[org] = state }
        return try body(&state)
    }

    /// The next `count` requests (whose path contains `pathContains`, if given) get `status`.
    public func inject(status: Int, count: Int = 1, retryAfter: String? = nil, pathContains: String? = nil) {
        for _ in 0..<count { injected.append((status, retryAfter, pathContains)) }
    }

    /// Sets (or with nil, releases) the clock the simulated Alertmanagers use.
    public func setAlertmanagerClock(_ date: Date?) { alertmanagerClock = date }

    /// Sets (or with nil, releases) the simulator's clock: Alertmanager states and the login-attempt window.
    public func setClock(_ date: Date?) { alertmanagerClock = date }

    /// Refused passwords per lower-cased user name, for brute-force protection.
    private var loginFailures: [String: [Date]] = [:]

    /// Grafana's brute-force protection (`pkg/services/loginattempt`): a user name with this many refused
    /// passwords in the last five minutes is blocked, even with the right password.
    public static let loginAttemptsAllowed = 5
    public static let loginAttemptsWindow: TimeInterval = 300

    /// Checks a basic-auth login as Grafana's password client does: blocked → 401 `login-attempt.blocked`;
    /// a wrong password for an existing user counts toward the block; an unknown user does not.
    func login(_ authorization: String) -> Response? {
        guard let decoded = Data(base64Encoded: String(authorization.dropFirst(6))),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return Self.error(401, "Invalid username or password") }
        let user = String(text[..<colon]).lowercased()
        let password = String(text[text.index(after: colon)...])
        let since = now().addingTimeInterval(-Self.loginAttemptsWindow)
        let recent = (loginFailures[user] ?? []).filter { $0 > since }
        if !security.disableBruteForceProtection, recent.count >= Self.loginAttemptsAllowed {
            return Self.error(
                401, "Invalid username or password", extra: ["messageId": "login-attempt.blocked", "statusCode": 401])
        }
        guard let basicAuth, basicAuth.user.lowercased() == user else {
            return Self.error(
                401, "Invalid username or password", extra: ["messageId": "password-auth.failed", "statusCode": 401])
        }
        guard basicAuth.password == password else {
            if !security.disableBruteForceProtection { loginFailures[user] = recent + [now()] }
            return Self.error(
                401, "Invalid username or password", extra: ["messageId": "password-auth.failed", "statusCode": 401])
        }
        return nil
    }

    func now() -> Date { alertmanagerClock ?? Date() }

    public func configure(security: GrafanaSimulatorSecurity) { self.security = security }

    public var writes: [RecordedRequest] { requests.filter(\.isWrite) }
    public var rejected: [RecordedRequest] { requests.filter { !$0.specProblems.isEmpty } }
    public func clearLog() { requests.removeAll() }

    public func newID() -> Int {
        nextID += 1
        return nextID
    }

    private func timestamp() -> String {
        clock += 1
        let date = Date(timeIntervalSince1970: 1_735_689_600 + Double(clock))
        return ISO8601DateFormatter().string(from: date)
    }

    // MARK: entry point

    public func handle(
        method: String, path: String, query: [String: [String]], headers: [String: String], body: [UInt8]
    ) -> Response {
        let headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        var parsedBody: JSONNode?
        var bodyError: String?
        if !body.isEmpty {
            do { parsedBody = try JSONNode.parse(body) } catch { bodyError = "\(error)" }
        }
        // Alertmanager routes (`/api/alertmanager/<uid>/api/v2/…`) are validated against Alertmanager's document.
        var activeSpec = spec
        var matched = spec.operation(method: method, path: path)
        if let route = Self.alertmanagerRoute(path), let alertmanagerSpec = try? AlertmanagerOpenAPI.spec() {
            activeSpec = alertmanagerSpec
            matched = alertmanagerSpec.operation(method: method, path: route.path).map { match in
                (match.0, match.1.merging(["DatasourceUID": route.uid]) { first, _ in first })
            }
        }
        let spec = activeSpec
        var problems: [String] = []
        let response: Response
        if let index = injected.firstIndex(where: { $0.pathContains == nil || path.contains($0.pathContains!) }) {
            let failure = injected.remove(at: index)
            var extra: [String: String] = [:]
            if let retryAfter = failure.retryAfter { extra["Retry-After"] = retryAfter }
            response = Response(status: failure.status, headers: extra, body: ["message": "injected failure"])
        } else if let (operation, parameters) = matched {
            if let bodyError {
                problems = ["body: \(bodyError)"]
                response = Self.error(400, "bad request data: \(bodyError)")
            } else {
                problems = spec.validate(
                    operation: operation, pathParameters: parameters, query: query, headers: headers, body: parsedBody)
                if !problems.isEmpty {
                    response = Self.error(400, "bad request data: " + problems.joined(separator: "; "))
                } else {
                    response = authorised(
                        operation: operation, parameters: parameters, query: query, headers: headers, body: parsedBody)
                }
            }
            if let schema = spec.responseSchema(operation: operation, status: response.status), let responseBody = response.body {
                let responseIssues = spec.validate(responseBody, schema: schema, at: "response")
                if !responseIssues.isEmpty {
                    responseProblems.append("\(method) \(path) \(response.status): " + responseIssues.joined(separator: "; "))
                }
            }
        } else if let extra = supplementary(method: method, path: path, query: query, headers: headers) {
            // Grafana's alerting API (ngalert), which the merged document leaves out: validated in
            // `GrafanaSimulatorSecurity.swift` against its own parameter list.
            problems = extra.problems
            response = extra.response
        } else {
            problems = ["no operation \(method) \(path) in the OpenAPI document"]
            response = Self.error(404, "Not found")
        }
        requests.append(
            RecordedRequest(
                method: method, path: path, query: query, headers: headers, body: parsedBody, status: response.status,
                operationID: matched?.0.operationID ?? Self.supplementaryOperationID(method: method, path: path),
                specProblems: problems))
        return response
    }

    static func error(_ status: Int, _ message: String, extra: [String: JSONNode] = [:]) -> Response {
        var body: [String: JSONNode] = ["message": .string(message)]
        body.merge(extra) { _, new in new }
        return Response(status: status, headers: [:], body: .object(body))
    }

    static func ok(_ body: JSONNode, status: Int = 200) -> Response { Response(status: status, headers: [:], body: body) }

    private func authorised(
        operation: OpenAPISpec.Operation, parameters: [String: String], query: [String: [String]], headers: [String: String],
        body: JSONNode?
    ) -> Response {
        if operation.operationID == "getHealth" {
            return Self.ok(["database": "ok", "version": "11.5.0", "commit": "simulator"])
        }
        let authorization = headers["authorization"] ?? ""
        var org: Int
        var identity = GrafanaSimulatorSecurity.Identity.token
        if authorization.isEmpty, security.anonymousEnabled {
            identity = .anonymous
            org = orgs.keys.min() ?? 1
        } else if authorization.hasPrefix("Bearer ") {
            guard let token, authorization.dropFirst(7) == token else { return Self.error(401, "Invalid API key") }
            org = tokenOrg
        } else if authorization.hasPrefix("Basic ") {
            if let refused = login(authorization) { return refused }
            identity = .basic
            org = orgs.keys.min() ?? 1
        } else {
            return Self.error(401, "Unauthorized")
        }
        if let header = headers["x-grafana-org-id"] {
            guard let requested = Int(header) else { return Self.error(400, "invalid X-Grafana-Org-Id \(header)") }
            if authorization.hasPrefix("Bearer "), requested != tokenOrg {
                return Self.error(401, "the service account token is not valid for organization \(requested)")
            }
            org = requested
        }
        guard var state = orgs[org] else { return Self.error(401, "user is not a member of organization \(org)") }
        let provenance = (headers["x-disable-provenance"] ?? "").isEmpty ? "api" : ""
        var context = Context(parameters: parameters, query: query, body: body, provenance: provenance, org: org)
        context.identity = identity
        let response = dispatch(operation.operationID, context, &state)
        orgs[org] = state
        return response
    }

    struct Context {
        let parameters: [String: String]
        let query: [String: [String]]
        let body: JSONNode?
        /// `api`, or empty with `X-Disable-Provenance`.
        let provenance: String
        let org: Int
        var identity = GrafanaSimulatorSecurity.Identity.token
        var object: [String: JSONNode] { body?.objectValue ?? [:] }
        func parameter(_ name: String) -> String { parameters[name] ?? "" }
    }

    private func dispatch(_ operationID: String, _ context: Context, _ state: inout GrafanaOrgState) -> Response {
        if let uid = context.parameters["DatasourceUID"] {
            return dispatchAlertmanager(operationID, uid: uid, context, &state)
        }
        switch operationID {
        case "getDataSources": return Self.ok(.array(state.dataSources.map { .object($0.fields) }))
        case "getDataSourceByUID", "getDataSourceByName":
            let key = context.parameters["uid"] ?? context.parameter("name")
            let byUID = operationID == "getDataSourceByUID"
            guard let found = state.dataSources.first(where: { (byUID ? $0.uid : $0.name) == key }) else {
                return Self.error(404, "Data source not found")
            }
            return Self.ok(.object(found.fields))
        case "addDataSource": return addDataSource(context, &state)
        case "updateDataSourceByUID": return updateDataSource(context, &state)
        case "deleteDataSourceByUID":
            guard let index = state.dataSources.firstIndex(where: { $0.uid == context.parameter("uid") }) else {
                return Self.error(404, "Data source not found")
            }
            if state.dataSources[index].readOnly { return Self.error(403, "Cannot delete read-only data source") }
            state.dataSources.remove(at: index)
            return Self.ok(["message": "Data source deleted"])
        case "getFolders":
            return Self.ok(
                .array(state.folders.map { ["id": .number(Double($0.id)), "uid": .string($0.uid), "title": .string($0.title)] }))
        case "getFolderByUID":
            guard let folder = state.folders.first(where: { $0.uid == context.parameter("folder_uid") }) else {
                return Self.error(404, "folder not found")
            }
            return Self.ok(folderJSON(folder, org: context.org))
        case "createFolder": return createFolder(context, &state)
        case "updateFolder": return updateFolder(context, &state)
        case "deleteFolder": return deleteFolder(context, &state)
        case "postDashboard": return postDashboard(context, &state)
        case "getDashboardByUID":
            guard let dashboard = state.dashboards.first(where: { $0.uid == context.parameter("uid") }) else {
                return Self.error(404, "Dashboard not found")
            }
            let folder = state.folders.first { $0.uid == dashboard.folderUID }
            var meta: [String: JSONNode] = [
                "slug": .string(Self.slug(dashboard.title)), "url": .string("/d/\(dashboard.uid)/\(Self.slug(dashboard.title))"),
                "version": .number(Double(dashboard.version)), "provisioned": .bool(dashboard.provisioned),
                "canEdit": true, "canSave": .bool(!dashboard.provisioned), "canAdmin": true, "canDelete": true,
                "folderTitle": .string(folder?.title ?? "General"), "type": "db", "created": "2025-01-01T00:00:00Z",
                "updated": .string(timestamp()), "isFolder": false,
            ]
            if let folder { meta["folderUid"] = .string(folder.uid) }
            return Self.ok(["dashboard": .object(dashboard.model), "meta": .object(meta)])
        case "deleteDashboardByUID":
            guard let index = state.dashboards.firstIndex(where: { $0.uid == context.parameter("uid") }) else {
                return Self.error(404, "Dashboard not found")
            }
            let dashboard = state.dashboards[index]
            if dashboard.provisioned { return Self.error(400, "provisioned dashboard cannot be deleted") }
            state.dashboards.remove(at: index)
            return Self.ok([
                "uid": .string(dashboard.uid), "title": .string(dashboard.title),
                "message": .string("Dashboard \(dashboard.title) deleted"),
            ])
        case "search": return search(context, state)
        case "RouteGetAlertRules": return Self.ok(.array(state.rules.map { .object($0) }))
        case "RouteGetAlertRuleGroup":
            let folder = context.parameter("FolderUID")
            let group = context.parameter("Group")
            let rules = state.rules(folder: folder, group: group)
            guard !rules.isEmpty else { return Self.error(404, "rule group does not exist") }
            return Self.ok(groupJSON(folder: folder, group: group, state: state))
        case "RoutePutAlertRuleGroup": return putRuleGroup(context, &state)
        case "RouteDeleteAlertRuleGroup":
            let folder = context.parameter("FolderUID")
            let group = context.parameter("Group")
            let rules = state.rules(folder: folder, group: group)
            guard !rules.isEmpty else { return Self.error(404, "rule group does not exist") }
            for rule in rules {
                if let problem = Self.provenanceProblem(from: rule["provenance"]?.stringValue ?? "", to: context.provenance) {
                    return Self.error(403, problem)
                }
            }
            state.rules.removeAll { $0["folderUID"]?.stringValue == folder && $0["ruleGroup"]?.stringValue == group }
            state.groupIntervals["\(folder)/\(group)"] = nil
            return Response(status: 204, headers: [:], body: nil)
        case "RouteGetContactpoints":
            let name = context.query["name"]?.first
            return Self.ok(.array(state.contactPoints.filter { name == nil || $0.name == name }.map(contactPointJSON)))
        case "RoutePostContactpoints": return postContactPoint(context, &state)
        case "RoutePutContactpoint": return putContactPoint(context, &state)
        case "RouteDeleteContactpoints": return deleteContactPoint(context, &state)
        case "RouteGetPolicyTree": return Self.ok(policyJSON(state))
        case "RoutePutPolicyTree": return putPolicy(context, &state)
        case "RouteResetPolicyTree":
            if let problem = Self.provenanceProblem(from: state.policyProvenance, to: "") { return Self.error(403, problem) }
            state.policy = GrafanaOrgState().policy
            state.policyProvenance = ""
            return Self.ok([:], status: 202)
        case "RouteGetTemplates":
            return Self.ok(.array(state.templates.keys.sorted().map { templateJSON($0, state.templates[$0]!) }))
        case "RouteGetTemplate":
            guard let template = state.templates[context.parameter("name")] else { return Self.error(404, "template not found") }
            return Self.ok(templateJSON(context.parameter("name"), template))
        case "RoutePutTemplate": return putTemplate(context, &state)
        case "RouteDeleteTemplate":
            let name = context.parameter("name")
            guard let template = state.templates[name] else { return Response(status: 204, headers: [:], body: nil) }
            if let problem = Self.provenanceProblem(from: template.provenance, to: context.provenance) {
                return Self.error(403, problem)
            }
            state.templates[name] = nil
            return Response(status: 204, headers: [:], body: nil)
        case "RouteGetMuteTimings":
            return Self.ok(.array(state.muteTimings.keys.sorted().map { muteTimingJSON($0, state.muteTimings[$0]!) }))
        case "RouteGetMuteTiming":
            guard let timing = state.muteTimings[context.parameter("name")] else {
                return Self.error(404, "mute timing not found")
            }
            return Self.ok(muteTimingJSON(context.parameter("name"), timing))
        case "RoutePostMuteTiming", "RoutePutMuteTiming":
            return writeMuteTiming(context, &state, create: operationID == "RoutePostMuteTiming")
        case "RouteDeleteMuteTiming":
            let name = context.parameter("name")
            guard let timing = state.muteTimings[name] else { return Response(status: 204, headers: [:], body: nil) }
            if let problem = Self.provenanceProblem(from: timing.provenance, to: context.provenance) {
                return Self.error(403, problem)
            }
            if Self.muteTimingUsed(name, state) {
                return Self.error(409, "mute time interval '\(name)' is currently used by a notification policy or alert rule")
            }
            state.muteTimings[name] = nil
            return Response(status: 204, headers: [:], body: nil)
        default:
            if let response = securityDispatch(operationID, context, state) { return response }
            return Self.error(501, "\(operationID) is not modelled by the simulator")
        }
    }

    // MARK: provenance

    /// Grafana's rule: nothing → anything; `api` → `api` or none; `file` only from file provisioning.
    static func provenanceProblem(from stored: String, to requested: String) -> String? {
        if stored == requested || stored.isEmpty || (stored == "api" && requested.isEmpty) { return nil }
        return "cannot change provenance from '\(stored)' to '\(requested.isEmpty ? "none" : requested)'"
    }

    // MARK: data sources

    private func addDataSource(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        let body = context.object
        guard let name = body["name"]?.stringValue, !name.isEmpty else { return Self.error(400, "Missing name") }
        guard let type = body["type"]?.stringValue, !type.isEmpty else { return Self.error(400, "Missing type") }
        if state.dataSources.contains(where: { $0.name == name }) {
            return Self.error(409, "data source with the same name already exists")
        }
        let uid = body["uid"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "ds\(newID())"
        if state.dataSources.contains(where: { $0.uid == uid }) {
            return Self.error(409, "data source with the same uid already exists")
        }
        let id = newID()
        var fields: [String: JSONNode] = [
            "id": .number(Double(id)), "uid": .string(uid), "orgId": .number(Double(context.org)), "name": .string(name),
            "type": .string(type), "typeLogoUrl": .string("public/app/plugins/datasource/\(type)/img/logo.svg"),
            "access": body["access"] ?? "proxy", "url": body["url"] ?? "", "user": body["user"] ?? "",
            "database": body["database"] ?? "", "basicAuth": body["basicAuth"] ?? false,
            "basicAuthUser": body["basicAuthUser"] ?? "", "withCredentials": body["withCredentials"] ?? false,
            // Grafana makes an organisation's first data source its default.
            "isDefault": state.dataSources.isEmpty ? true : body["isDefault"] ?? false, "jsonData": body["jsonData"] ?? [:],
            "version": 1, "readOnly": false,
        ]
        let secure = (body["secureJsonData"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        fields["secureJsonFields"] = .object(secure.mapValues { _ in .bool(true) })
        if fields["isDefault"]?.boolValue == true { Self.clearDefault(&state) }
        state.dataSources.append(GrafanaOrgState.DataSource(fields: fields, secure: secure))
        return Self.ok([
            "datasource": .object(fields), "id": .number(Double(id)), "name": .string(name), "message": "Datasource added",
        ])
    }

    /// One default per organisation: a data source made default takes the flag from the others.
    static func clearDefault(_ state: inout GrafanaOrgState) {
        for index in state.dataSources.indices { state.dataSources[index].fields["isDefault"] = false }
    }

    private func updateDataSource(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        let body = context.object
        guard let index = state.dataSources.firstIndex(where: { $0.uid == context.parameter("uid") }) else {
            return Self.error(404, "Data source not found")
        }
        var source = state.dataSources[index]
        if source.readOnly { return Self.error(403, "Cannot update read-only data source") }
        guard let name = body["name"]?.stringValue, !name.isEmpty else { return Self.error(400, "Missing name") }
        if state.dataSources.contains(where: { $0.name == name && $0.uid != source.uid }) {
            return Self.error(409, "data source with the same name already exists")
        }
        if let version = body["version"]?.intValue, version != 0, version != source.version {
            return Self.error(409, "Datasource has already been updated by someone else. Please reload and try again")
        }
        // An update replaces every field; secure fields not sent are kept.
        for key in [
            "access", "url", "user", "database", "basicAuth", "basicAuthUser", "withCredentials", "isDefault", "jsonData",
        ] {
            let fallback: JSONNode =
                ["basicAuth", "withCredentials", "isDefault"].contains(key)
                ? false : key == "jsonData" ? [:] : key == "access" ? "proxy" : ""
            source.fields[key] = body[key] ?? fallback
        }
        source.fields["name"] = .string(name)
        source.fields["type"] = body["type"] ?? source.fields["type"]
        for (key, value) in body["secureJsonData"]?.objectValue ?? [:] {
            if let text = value.stringValue { source.secure[key] = text }
        }
        source.fields["secureJsonFields"] = .object(source.secure.mapValues { _ in .bool(true) })
        source.fields["version"] = .number(Double(source.version + 1))
        if source.fields["isDefault"]?.boolValue == true { Self.clearDefault(&state) }
        state.dataSources[index] = source
        return Self.ok([
            "datasource": .object(source.fields), "id": source.fields["id"] ?? 0, "name": .string(name),
            "message": "Datasource updated",
        ])
    }

    // MARK: folders and dashboards

    private func folderJSON(_ folder: GrafanaOrgState.Folder, org: Int) -> JSONNode {
        var json: [String: JSONNode] = [
            "id": .number(Double(folder.id)), "uid": .string(folder.uid), "title": .string(folder.title),
            "url": .string("/dashboards/f/\(folder.uid)/"), "version": .number(Double(folder.version)),
            "orgId": .number(Double(org)), "hasAcl": false, "canSave": true, "canEdit": true, "canAdmin": true,
            "canDelete": true, "createdBy": "admin", "updatedBy": "admin", "created": "2025-01-01T00:00:00Z",
            "updated": .string(timestamp()),
        ]
        if let description = folder.description { json["description"] = .string(description) }
        return .object(json)
    }

    private func createFolder(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        let body = context.object
        guard let title = body["title"]?.stringValue, !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            return Self.error(400, "folder title cannot be empty")
        }
        let uid = body["uid"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "f\(newID())"
        if uid.count > 40 || uid.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            return Self.error(400, "uid contains illegal characters")
        }
        if state.folders.contains(where: { $0.uid == uid }) {
            return Self.error(409, "a folder with the same uid already exists")
        }
        let folder = GrafanaOrgState.Folder(
            id: newID(), uid: uid, title: title, version: 1, description: body["description"]?.stringValue)
        state.folders.append(folder)
        return Self.ok(folderJSON(folder, org: context.org))
    }

    private func updateFolder(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        let body = context.object
        guard let index = state.folders.firstIndex(where: { $0.uid == context.parameter("folder_uid") }) else {
            return Self.error(404, "folder not found")
        }
        var folder = state.folders[index]
        let overwrite = body["overwrite"]?.boolValue ?? false
        if !overwrite, let version = body["version"]?.intValue, version != folder.version {
            return Self.error(409, "the folder has been changed by someone else", extra: ["status": "version-mismatch"])
        }
        if let title = body["title"]?.stringValue, !title.isEmpty { folder.title = title }
        if let description = body["description"]?.stringValue { folder.description = description }
        folder.version += 1
        state.folders[index] = folder
        return Self.ok(folderJSON(folder, org: context.org))
    }

    private func deleteFolder(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        let uid = context.parameter("folder_uid")
        guard let index = state.folders.firstIndex(where: { $0.uid == uid }) else { return Self.error(404, "folder not found") }
        let folder = state.folders[index]
        let hasRules = state.rules.contains { $0["folderUID"]?.stringValue == uid }
        if hasRules, context.query["forceDeleteRules"]?.first != "true" {
            return Self.error(400, "folder cannot be deleted: folder contains alert rules")
        }
        state.rules.removeAll { $0["folderUID"]?.stringValue == uid }
        state.dashboards.removeAll { $0.folderUID == uid }
        state.folders.remove(at: index)
        return Self.ok([
            "id": .number(Double(folder.id)), "title": .string(folder.title),
            "message": .string("Folder \(folder.title) deleted"),
        ])
    }

    static func slug(_ title: String) -> String {
        let lowered = title.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return lowered.split(separator: "-").joined(separator: "-")
    }

    private func postDashboard(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        let body = context.object
        guard var model = body["dashboard"]?.objectValue else { return Self.error(400, "dashboard is required") }
        guard let title = model["title"]?.stringValue, !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            return Self.error(400, "Dashboard title cannot be empty")
        }
        let folderUID = body["folderUid"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if let folderUID, !state.folders.contains(where: { $0.uid == folderUID }) {
            return Self.error(400, "folder not found")
        }
        let overwrite = body["overwrite"]?.boolValue ?? false
        let uid = model["uid"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "d\(newID())"
        if uid.count > 40 || uid.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            return Self.error(400, "uid contains illegal characters")
        }
        let existingIndex = state.dashboards.firstIndex { $0.uid == uid }
        if let existingIndex {
            let existing = state.dashboards[existingIndex]
            if existing.provisioned { return Self.error(400, "Cannot save provisioned dashboard") }
            if !overwrite, (model["version"]?.intValue ?? 0) != existing.version {
                return Self.error(
                    412, "The dashboard has been changed by someone else", extra: ["status": "version-mismatch"])
            }
        }
        if !overwrite,
            state.dashboards.contains(where: { $0.uid != uid && $0.folderUID == folderUID && $0.title == title })
        {
            return Self.error(
                412, "A dashboard with the same name in the folder already exists", extra: ["status": "name-exists"])
        }
        let id = existingIndex.map { state.dashboards[$0].id } ?? newID()
        let version = (existingIndex.map { state.dashboards[$0].version } ?? 0) + 1
        model["id"] = .number(Double(id))
        model["uid"] = .string(uid)
        model["version"] = .number(Double(version))
        let dashboard = GrafanaOrgState.Dashboard(
            id: id, model: model, folderUID: folderUID, version: version, provisioned: false)
        if let existingIndex { state.dashboards[existingIndex] = dashboard } else { state.dashboards.append(dashboard) }
        var response: [String: JSONNode] = [
            "id": .number(Double(id)), "uid": .string(uid), "url": .string("/d/\(uid)/\(Self.slug(title))"),
            "status": "success", "version": .number(Double(version)), "slug": .string(Self.slug(title)),
            "title": .string(title),
        ]
        if let folderUID { response["folderUid"] = .string(folderUID) }
        return Self.ok(.object(response))
    }

    private func search(_ context: Context, _ state: GrafanaOrgState) -> Response {
        let type = context.query["type"]?.first
        let folderUIDs = context.query["folderUIDs"]
        let uids = context.query["dashboardUIDs"]
        let text = context.query["query"]?.first?.lowercased()
        var hits: [JSONNode] = []
        if type == nil || type == "dash-folder" {
            for folder in state.folders where (text == nil || folder.title.lowercased().contains(text!)) && folderUIDs == nil {
                hits.append([
                    "id": .number(Double(folder.id)), "uid": .string(folder.uid), "title": .string(folder.title),
                    "type": "dash-folder", "url": .string("/dashboards/f/\(folder.uid)/"), "tags": [],
                    "isStarred": false, "uri": .string("db/\(Self.slug(folder.title))"),
                ])
            }
        }
        if type == nil || type == "dash-db" {
            for dashboard in state.dashboards {
                if let text, !dashboard.title.lowercased().contains(text) { continue }
                if let folderUIDs, !folderUIDs.contains(dashboard.folderUID ?? "") { continue }
                if let uids, !uids.contains(dashboard.uid) { continue }
                var hit: [String: JSONNode] = [
                    "id": .number(Double(dashboard.id)), "uid": .string(dashboard.uid), "title": .string(dashboard.title),
                    "type": "dash-db", "url": .string("/d/\(dashboard.uid)/\(Self.slug(dashboard.title))"),
                    "tags": dashboard.model["tags"] ?? [], "isStarred": false,
                    "uri": .string("db/\(Self.slug(dashboard.title))"),
                ]
                if let folder = state.folders.first(where: { $0.uid == dashboard.folderUID }) {
                    hit["folderUid"] = .string(folder.uid)
                    hit["folderTitle"] = .string(folder.title)
                    hit["folderId"] = .number(Double(folder.id))
                }
                hits.append(.object(hit))
            }
        }
        return Self.ok(.array(hits))
    }

    // MARK: alert rules

    private func groupJSON(folder: String, group: String, state: GrafanaOrgState) -> JSONNode {
        [
            "title": .string(group), "folderUid": .string(folder),
            "interval": .number(Double(state.groupIntervals["\(folder)/\(group)"] ?? 60)),
            "rules": .array(state.rules(folder: folder, group: group).map { .object($0) }),
        ]
    }

    private func putRuleGroup(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        let folder = context.parameter("FolderUID")
        let group = context.parameter("Group")
        let body = context.object
        guard state.folders.contains(where: { $0.uid == folder }) else {
            return Self.error(400, "folder with uid \(folder) does not exist")
        }
        guard let interval = body["interval"]?.intValue, interval > 0, interval % 10 == 0 else {
            return Self.error(
                400,
                "invalid rule group interval \(body["interval"]?.text ?? "(none)"): must be a positive multiple of 10 seconds")
        }
        let incoming = body["rules"]?.arrayValue ?? []
        let existing = state.rules(folder: folder, group: group)
        for rule in existing {
            if let problem = Self.provenanceProblem(from: rule["provenance"]?.stringValue ?? "", to: context.provenance) {
                return Self.error(403, problem)
            }
        }
        var stored: [[String: JSONNode]] = []
        var titles: Set<String> = []
        for (offset, item) in incoming.enumerated() {
            var rule = item.objectValue ?? [:]
            let at = "rules[\(offset)]"
            if rule["folderUID"]?.stringValue != folder || rule["ruleGroup"]?.stringValue != group {
                return Self.error(400, "\(at): folderUID and ruleGroup must match the group's folder \(folder) and name \(group)")
            }
            if rule["orgID"]?.intValue != context.org {
                return Self.error(400, "\(at): orgID \(rule["orgID"]?.text ?? "") does not match organization \(context.org)")
            }
            let title = rule["title"]?.stringValue ?? ""
            if !titles.insert(title).inserted {
                return Self.error(400, "\(at): a rule titled '\(title)' is already in the group")
            }
            let uid = rule["uid"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "r\(newID())"
            if state.rules.contains(where: {
                $0["uid"]?.stringValue == uid
                    && ($0["folderUID"]?.stringValue != folder || $0["ruleGroup"]?.stringValue != group)
            }) {
                return Self.error(409, "\(at): rule uid \(uid) already exists in another rule group")
            }
            if let problem = validateRule(&rule, state: state) { return Self.error(400, "\(at): \(problem)") }
            let previous = existing.first { $0["uid"]?.stringValue == uid }
            rule["uid"] = .string(uid)
            rule["id"] = previous?["id"] ?? .number(Double(newID()))
            rule["updated"] = .string(timestamp())
            rule["provenance"] = context.provenance.isEmpty ? nil : .string(context.provenance)
            stored.append(rule)
        }
        if stored.isEmpty { return Self.error(400, "a rule group needs at least one rule; delete the group instead") }
        state.rules.removeAll { $0["folderUID"]?.stringValue == folder && $0["ruleGroup"]?.stringValue == group }
        state.rules += stored
        state.groupIntervals["\(folder)/\(group)"] = interval
        return Self.ok(groupJSON(folder: folder, group: group, state: state))
    }

    /// Grafana's checks on one rule, and the defaults it fills in.
    private func validateRule(_ rule: inout [String: JSONNode], state: GrafanaOrgState) -> String? {
        guard let forText = rule["for"]?.stringValue, let forSeconds = PromDuration.seconds(forText) else {
            return "invalid for duration \(rule["for"]?.text ?? "")"
        }
        rule["for"] = .string(PromDuration.format(forSeconds))
        if let keep = rule["keep_firing_for"]?.stringValue {
            guard let seconds = PromDuration.seconds(keep) else { return "invalid keep_firing_for \(keep)" }
            rule["keep_firing_for"] = .string(PromDuration.format(seconds))
        } else {
            rule["keep_firing_for"] = "0s"
        }
        let data = rule["data"]?.arrayValue ?? []
        if data.isEmpty { return "no queries or expressions are found" }
        var refIDs: Set<String> = []
        var filled: [JSONNode] = []
        for query in data {
            var query = query.objectValue ?? [:]
            guard let refID = query["refId"]?.stringValue, !refID.isEmpty else { return "a query has no refId" }
            guard refIDs.insert(refID).inserted else { return "duplicate refId \(refID)" }
            let source = query["datasourceUid"]?.stringValue ?? ""
            var model = query["model"]?.objectValue ?? [:]
            if source == "__expr__" {
                let kinds = ["math", "reduce", "resample", "classic_conditions", "threshold", "sql"]
                guard let kind = model["type"]?.stringValue, kinds.contains(kind) else {
                    return "expression \(refID): unknown expression type \(model["type"]?.text ?? "(none)")"
                }
                if let input = model["expression"]?.stringValue, kind != "math", !input.isEmpty,
                    !data.contains(where: { $0["refId"]?.stringValue == input })
                {
                    return "expression \(refID) refers to \(input), which is not a query of this rule"
                }
            } else {
                guard state.dataSources.contains(where: { $0.uid == source }) else {
                    return "failed to build query '\(refID)': data source not found (uid \(source.isEmpty ? "empty" : source))"
                }
                guard let range = query["relativeTimeRange"], let from = range["from"]?.intValue, let to = range["to"]?.intValue,
                    from > to
                else {
                    return "query \(refID): relativeTimeRange must have from > to (seconds before now)"
                }
            }
            model["refId"] = .string(refID)
            if model["intervalMs"] == nil { model["intervalMs"] = 1000 }
            if model["maxDataPoints"] == nil { model["maxDataPoints"] = 43200 }
            query["model"] = .object(model)
            if query["queryType"] == nil { query["queryType"] = "" }
            if query["relativeTimeRange"] == nil { query["relativeTimeRange"] = ["from": 0, "to": 0] }
            filled.append(.object(query))
        }
        rule["data"] = .array(filled)
        guard let condition = rule["condition"]?.stringValue, refIDs.contains(condition) else {
            return
                "condition \(rule["condition"]?.text ?? "") does not match any query refId (\(refIDs.sorted().joined(separator: ", ")))"
        }
        if let settings = rule["notification_settings"]?.objectValue {
            let receiver = settings["receiver"]?.stringValue ?? ""
            guard state.contactPoints.contains(where: { $0.name == receiver }) else {
                return "notification settings: receiver '\(receiver)' does not exist"
            }
            for name in (settings["mute_time_intervals"]?.arrayValue ?? [])
                + (settings["active_time_intervals"]?.arrayValue ?? [])
            {
                guard let name = name.stringValue, state.muteTimings[name] != nil else {
                    return "notification settings: time interval '\(name.stringValue ?? "")' does not exist"
                }
            }
            if let groupBy = settings["group_by"]?.arrayValue?.compactMap(\.stringValue), groupBy != ["..."],
                !(groupBy.contains("alertname") && groupBy.contains("grafana_folder"))
            {
                return "notification settings: group_by must include alertname and grafana_folder"
            }
        }
        if rule["isPaused"] == nil { rule["isPaused"] = false }
        if rule["annotations"]?.objectValue?.isEmpty == true { rule["annotations"] = nil }
        if rule["labels"]?.objectValue?.isEmpty == true { rule["labels"] = nil }
        return nil
    }

    // MARK: contact points

    private func contactPointJSON(_ point: GrafanaOrgState.ContactPoint) -> JSONNode {
        var settings = point.settings
        for key in ContactPointSecrets.keys[point.type] ?? [] where settings[key] != nil { settings[key] = "[REDACTED]" }
        var json: [String: JSONNode] = [
            "uid": .string(point.uid), "name": .string(point.name), "type": .string(point.type), "settings": .object(settings),
            "disableResolveMessage": .bool(point.disableResolveMessage),
        ]
        if !point.provenance.isEmpty { json["provenance"] = .string(point.provenance) }
        return .object(json)
    }

    private func postContactPoint(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        let body = context.object
        let type = body["type"]?.stringValue ?? ""
        let settings = body["settings"]?.objectValue ?? [:]
        guard let name = body["name"]?.stringValue, !name.isEmpty else {
            return Self.error(400, "contact point name is required")
        }
        if let problem = ContactPointSecrets.problem(type: type, settings: settings) {
            return Self.error(400, "failed to validate integration \"\(name)\" (\(type)): \(problem)")
        }
        let uid = body["uid"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "cp\(newID())"
        if state.contactPoints.contains(where: { $0.uid == uid }) {
            return Self.error(400, "contact point with uid \(uid) already exists")
        }
        let point = GrafanaOrgState.ContactPoint(
            uid: uid, name: name, type: type, settings: settings,
            disableResolveMessage: body["disableResolveMessage"]?.boolValue ?? false, provenance: context.provenance)
        state.contactPoints.append(point)
        return Self.ok(contactPointJSON(point), status: 202)
    }

    private func putContactPoint(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        let body = context.object
        guard let index = state.contactPoints.firstIndex(where: { $0.uid == context.parameter("UID") }) else {
            return Self.error(404, "contact point not found")
        }
        var point = state.contactPoints[index]
        if let problem = Self.provenanceProblem(from: point.provenance, to: context.provenance) {
            return Self.error(403, problem)
        }
        let type = body["type"]?.stringValue ?? point.type
        var settings = body["settings"]?.objectValue ?? [:]
        // "[REDACTED]" keeps the stored secret; a secure key left out is removed.
        for key in ContactPointSecrets.keys[type] ?? [] where settings[key]?.stringValue == "[REDACTED]" {
            guard type == point.type, let stored = point.settings[key] else {
                return Self.error(400, "failed to validate integration: \(key) is [REDACTED] but no stored value exists")
            }
            settings[key] = stored
        }
        guard let name = body["name"]?.stringValue, !name.isEmpty else {
            return Self.error(400, "contact point name is required")
        }
        if let problem = ContactPointSecrets.problem(type: type, settings: settings) {
            return Self.error(400, "failed to validate integration \"\(name)\" (\(type)): \(problem)")
        }
        let oldName = point.name
        point.name = name
        point.type = type
        point.settings = settings
        point.disableResolveMessage = body["disableResolveMessage"]?.boolValue ?? false
        point.provenance = context.provenance
        state.contactPoints[index] = point
        if oldName != name, !state.contactPoints.contains(where: { $0.name == oldName }) {
            state.policy = Self.renameReceiver(state.policy, from: oldName, to: name)
        }
        return Self.ok([:], status: 202)
    }

    private func deleteContactPoint(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        guard let index = state.contactPoints.firstIndex(where: { $0.uid == context.parameter("UID") }) else {
            return Response(status: 202, headers: [:], body: nil)
        }
        let point = state.contactPoints[index]
        if let problem = Self.provenanceProblem(from: point.provenance, to: context.provenance) {
            return Self.error(403, problem)
        }
        let lastOfName = state.contactPoints.filter { $0.name == point.name }.count == 1
        if lastOfName {
            if Self.receivers(in: state.policy).contains(point.name) {
                return Self.error(409, "contact point '\(point.name)' is currently used by a notification policy")
            }
            if state.rules.contains(where: { $0["notification_settings"]?["receiver"]?.stringValue == point.name }) {
                return Self.error(409, "contact point '\(point.name)' is currently used by an alert rule")
            }
        }
        state.contactPoints.remove(at: index)
        return Response(status: 202, headers: [:], body: nil)
    }

    // MARK: policies

    private func policyJSON(_ state: GrafanaOrgState) -> JSONNode {
        guard var root = state.policy.objectValue else { return state.policy }
        if !state.policyProvenance.isEmpty { root["provenance"] = .string(state.policyProvenance) }
        return .object(root)
    }

    static func receivers(in route: JSONNode) -> Set<String> {
        var names: Set<String> = []
        if let receiver = route["receiver"]?.stringValue { names.insert(receiver) }
        for child in route["routes"]?.arrayValue ?? [] { names.formUnion(receivers(in: child)) }
        return names
    }

    static func timeIntervals(in route: JSONNode) -> Set<String> {
        var names = Set(
            ((route["mute_time_intervals"]?.arrayValue ?? []) + (route["active_time_intervals"]?.arrayValue ?? []))
                .compactMap(\.stringValue))
        for child in route["routes"]?.arrayValue ?? [] { names.formUnion(timeIntervals(in: child)) }
        return names
    }

    static func renameReceiver(_ route: JSONNode, from old: String, to new: String) -> JSONNode {
        guard var fields = route.objectValue else { return route }
        if fields["receiver"]?.stringValue == old { fields["receiver"] = .string(new) }
        if let children = fields["routes"]?.arrayValue {
            fields["routes"] = .array(children.map { renameReceiver($0, from: old, to: new) })
        }
        return .object(fields)
    }

    static func muteTimingUsed(_ name: String, _ state: GrafanaOrgState) -> Bool {
        if timeIntervals(in: state.policy).contains(name) { return true }
        return state.rules.contains { rule in
            let settings = rule["notification_settings"]
            let names =
                (settings?["mute_time_intervals"]?.arrayValue ?? []) + (settings?["active_time_intervals"]?.arrayValue ?? [])
            return names.contains(.string(name))
        }
    }

    private func putPolicy(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        if let problem = Self.provenanceProblem(from: state.policyProvenance, to: context.provenance) {
            return Self.error(403, problem)
        }
        guard var root = context.body?.objectValue, let receiver = root["receiver"]?.stringValue, !receiver.isEmpty else {
            return Self.error(400, "invalid policy tree: the root route must have a receiver")
        }
        if root["object_matchers"]?.arrayValue?.isEmpty == false || root["matchers"]?.arrayValue?.isEmpty == false {
            return Self.error(400, "invalid policy tree: the root route must not have matchers")
        }
        root["provenance"] = nil
        let tree = JSONNode.object(root)
        let known = Set(state.contactPoints.map(\.name))
        for name in Self.receivers(in: tree).sorted() where !known.contains(name) {
            return Self.error(400, "invalid policy tree: receiver '\(name)' does not exist")
        }
        for name in Self.timeIntervals(in: tree).sorted() where state.muteTimings[name] == nil {
            return Self.error(400, "invalid policy tree: mute time interval '\(name)' does not exist")
        }
        if let problem = Self.matcherProblem(tree) { return Self.error(400, "invalid policy tree: \(problem)") }
        state.policy = tree
        state.policyProvenance = context.provenance
        return Self.ok([:], status: 202)
    }

    static func matcherProblem(_ route: JSONNode) -> String? {
        for matcher in route["object_matchers"]?.arrayValue ?? [] {
            guard let parts = matcher.arrayValue?.compactMap(\.stringValue), parts.count == 3,
                ["=", "!=", "=~", "!~"].contains(parts[1])
            else { return "invalid object matcher \(matcher.text): expected [name, operator, value]" }
        }
        for child in route["routes"]?.arrayValue ?? [] {
            if let problem = matcherProblem(child) { return problem }
        }
        return nil
    }

    // MARK: templates and mute timings

    private func templateJSON(_ name: String, _ template: GrafanaOrgState.Template) -> JSONNode {
        [
            "name": .string(name), "template": .string(template.template), "version": .string(template.version),
            "provenance": .string(template.provenance),
        ]
    }

    private func putTemplate(_ context: Context, _ state: inout GrafanaOrgState) -> Response {
        let name = context.parameter("name")
        let body = context.object
        let text = body["template"]?.stringValue ?? ""
        if text.components(separatedBy: "{{").count != text.components(separatedBy: "}}").count {
            return Self.error(400, "invalid template: unbalanced {{ }}")
        }
        if let existing = state.templates[name] {
            if let problem = Self.provenanceProblem(from: existing.provenance, to: context.provenance) {
                return Self.error(403, problem)
            }
            if let version = body["version"]?.stringValue, !version.isEmpty, version != existing.version {
                return Self.error(409, "template \(name) has been changed by someone else (version \(version) is not current)")
            }
        }
        let template = GrafanaOrgState.Template(template: text, version: "v\(newID())", provenance: context.provenance)
        state.templates[name] = template
        return Self.ok(templateJSON(name, template), status: 202)
    }

    private func muteTimingJSON(_ name: String, _ timing: GrafanaOrgState.MuteTiming) -> JSONNode {
        [
            "name": .string(name), "time_intervals": timing.timeIntervals, "version": .string(timing.version),
            "provenance": .string(timing.provenance),
        ]
    }

    private func writeMuteTiming(_ context: Context, _ state: inout GrafanaOrgState, create: Bool) -> Response {
        let body = context.object
        let name = create ? body["name"]?.stringValue ?? "" : context.parameter("name")
        if name.isEmpty { return Self.error(400, "mute timing name is required") }
        let intervals = body["time_intervals"] ?? []
        for interval in intervals.arrayValue ?? [] {
            for range in interval["times"]?.arrayValue ?? [] {
                var minutes: [Int] = []
                for key in ["start_time", "end_time"] {
                    let text = range[key]?.stringValue ?? ""
                    let parts = text.split(separator: ":").compactMap { Int($0) }
                    guard parts.count == 2, (0...24).contains(parts[0]), (0...59).contains(parts[1]),
                        parts[0] * 60 + parts[1] <= 1440
                    else {
                        return Self.error(400, "invalid time interval: \(key) \"\(text)\" is not HH:MM")
                    }
                    minutes.append(parts[0] * 60 + parts[1])
                }
                // Prometheus' timeinterval: a range cannot cross midnight (end 24:00 is the end of the day).
                if minutes[0] >= minutes[1] || minutes[0] >= 1440 {
                    return Self.error(400, "invalid time interval: start time cannot be equal or greater than end time")
                }
            }
            let names = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
            for day in interval["weekdays"]?.arrayValue ?? [] {
                let parts = (day.stringValue ?? "").lowercased().split(separator: ":", omittingEmptySubsequences: false)
                guard (1...2).contains(parts.count), parts.allSatisfy({ names.contains(String($0)) }) else {
                    return Self.error(400, "invalid time interval: \(day.text) is not a weekday or weekday range")
                }
            }
            if let location = interval["location"]?.stringValue, TimeZone(identifier: location) == nil {
                return Self.error(400, "invalid time interval: unknown time zone \(location)")
            }
        }
        if create {
            if state.muteTimings[name] != nil { return Self.error(409, "a mute timing named '\(name)' already exists") }
        } else {
            guard let existing = state.muteTimings[name] else { return Self.error(404, "mute timing not found") }
            if let problem = Self.provenanceProblem(from: existing.provenance, to: context.provenance) {
                return Self.error(403, problem)
            }
        }
        let timing = GrafanaOrgState.MuteTiming(timeIntervals: intervals, version: "v\(newID())", provenance: context.provenance)
        state.muteTimings[name] = timing
        return Self.ok(muteTimingJSON(name, timing), status: create ? 201 : 202)
    }
}
