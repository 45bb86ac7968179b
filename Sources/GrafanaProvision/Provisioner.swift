import Foundation
import Logging
import TfdriftCore

public struct ProvisionOptions: Sendable {
    /// Send `X-Disable-Provenance` so resources stay editable in Grafana's UI.
    public var uiEditable = false
    /// The organisation rules are written for (`orgID` in rule bodies).
    public var orgID = 1
    /// Our dashboards' uid prefix, for pruning.
    public var dashboardUIDPrefix = "tfdrift-"
    public var managedLabel = "managed_by"
    public var managedValue = "tfdriftctl"
    public init() {}
}

/// Reads Grafana, compares it with the desired state field by field, and applies the difference.
public struct Provisioner: Sendable {
    let client: GrafanaClient
    let options: ProvisionOptions
    let logger: Logger

    public init(
        client: GrafanaClient, options: ProvisionOptions = ProvisionOptions(), logger: Logger = Logger(label: "tfdrift.grafana")
    ) {
        self.client = client
        self.options = options
        self.logger = logger
    }

    var provenance: String { options.uiEditable ? "" : "api" }
    var provenanceHeaders: [(String, String)] { options.uiEditable ? [("X-Disable-Provenance", "true")] : [] }

    static func refusedFileProvenance(_ kind: ResourceKind) -> String {
        "it is provisioned from files on the Grafana host (provenance: file); tfdriftctl will not fight file provisioning. Remove it from Grafana's provisioning files, or give ours another \(kind == .contactPoint ? "uid" : "name")"
    }

    // MARK: plan

    /// Compares the desired state with Grafana (reads only). With `destroy`, every desired resource that
    /// exists is planned for deletion instead (the data source and folder are kept).
    public func plan(_ desired: DesiredState, destroy: Bool = false) async throws -> Plan {
        var plan = Plan()
        if !destroy { try await checkReferences(desired) }
        if let dataSource = desired.dataSource, !destroy { try await planDataSource(dataSource, &plan) }
        if let folder = desired.folder, !destroy { try await planFolder(folder, &plan) }
        for template in desired.templates { try await planTemplate(template, destroy: destroy, &plan) }
        if !desired.contactPoints.isEmpty {
            let (_, body) = try await client.send("GET", "/api/v1/provisioning/contact-points")
            let existing = body?.arrayValue ?? []
            for point in desired.contactPoints { planContactPoint(point, existing: existing, destroy: destroy, &plan) }
        }
        if !desired.muteTimings.isEmpty {
            let (_, body) = try await client.send("GET", "/api/v1/provisioning/mute-timings")
            let existing = body?.arrayValue ?? []
            for timing in desired.muteTimings { planMuteTiming(timing, existing: existing, destroy: destroy, &plan) }
        }
        if let route = desired.route { try await planRoute(route, destroy: destroy, &plan) }
        for group in desired.ruleGroups { try await planRuleGroup(group, destroy: destroy, &plan) }
        if desired.pruneRuleGroups || destroy, let folder = desired.folder?.uid ?? desired.ruleGroups.first?.folderUID {
            try await pruneRuleGroups(folder: folder, keep: Set(desired.ruleGroups.map(\.name)), destroy: destroy, &plan)
        }
        for dashboard in desired.dashboards { try await planDashboard(dashboard, destroy: destroy, &plan) }
        if desired.pruneDashboards, !destroy, let folder = desired.folder?.uid {
            try await pruneDashboards(folder: folder, keep: Set(desired.dashboards.map(\.uid)), &plan)
        }
        return plan
    }

    private func planDataSource(_ spec: DataSourceSpec, _ plan: inout Plan) async throws {
        let name = "\(spec.name) (uid \(spec.uid))"
        let (status, actual) = try await client.send(
            "GET", "/api/datasources/uid/\(GrafanaClient.escape(spec.uid))", allowNotFound: true)
        var jsonData: [String: JSON] = ["maxLines": 1000]
        var secure: [String: Secret] = [:]
        if let tenant = spec.tenant {
            jsonData["httpHeaderName1"] = "X-Scope-OrgID"
            secure["httpHeaderValue1"] = Secret(tenant)
        }
        if let password = spec.basicAuthPassword { secure["basicAuthPassword"] = password }
        if let hash = SecretHash.of(secure, identity: "datasource/\(spec.uid)") { jsonData["tfdriftSecretsHash"] = .string(hash) }
        let desired: [String: JSON] = [
            "name": .string(spec.name), "type": "loki", "access": "proxy", "url": .string(spec.url),
            "basicAuth": .bool(spec.basicAuthUser != nil), "basicAuthUser": .string(spec.basicAuthUser ?? ""),
            "isDefault": false,
        ]
        let secureBody = JSON.object(secure.mapValues { .string($0.value) })
        guard status == 200, let actual else {
            let (byNameStatus, byName) = try await client.send(
                "GET", "/api/datasources/name/\(GrafanaClient.escape(spec.name))", allowNotFound: true)
            if byNameStatus == 200, let other = byName?["uid"]?.stringValue {
                plan.refusals.append(
                    Refusal(
                        kind: .dataSource, name: name,
                        reason:
                            "a data source named \"\(spec.name)\" already exists with uid \(other); set grafana.datasource_uid: \(other) to adopt it, or choose another grafana.datasource_name"
                    ))
                return
            }
            var body = desired
            body["uid"] = .string(spec.uid)
            body["jsonData"] = .object(jsonData)
            if !secure.isEmpty { body["secureJsonData"] = secureBody }
            plan.changes.append(
                ResourceChange(
                    kind: .dataSource, name: name, action: .create, fields: JSONDiff.diff(nil, .object(desired)),
                    requests: [WriteRequest(method: "POST", path: "/api/datasources", body: .object(body))]))
            return
        }
        if actual["readOnly"]?.boolValue == true {
            plan.refusals.append(Refusal(kind: .dataSource, name: name, reason: Self.refusedFileProvenance(.dataSource)))
            return
        }
        // Only our keys of jsonData are compared; keys added in the UI (derived fields…) are kept.
        let actualJSONData = actual["jsonData"]?.objectValue ?? [:]
        var before: [String: JSON] = [:]
        for key in desired.keys { before[key] = actual[key] }
        var after = desired
        before["jsonData"] = .object(
            actualJSONData.filter { jsonData[$0.key] != nil || $0.key == "httpHeaderName1" || $0.key == "tfdriftSecretsHash" })
        after["jsonData"] = .object(jsonData)
        let fields = JSONDiff.diff(Normalise.pruned(.object(before)), Normalise.pruned(.object(after)))
        guard !fields.isEmpty else {
            plan.unchanged.append("\(ResourceKind.dataSource.label) \(name)")
            return
        }
        var body = desired
        body["uid"] = .string(spec.uid)
        body["jsonData"] = .object(actualJSONData.merging(jsonData) { _, new in new })
        if actualJSONData["tfdriftSecretsHash"] != jsonData["tfdriftSecretsHash"] {
            body["secureJsonData"] = secureBody
            if spec.tenant == nil, actualJSONData["httpHeaderName1"] != nil {
                body["jsonData"] = body["jsonData"]?.setting("httpHeaderName1", nil)
            }
        }
        body["version"] = actual["version"] ?? 0
        plan.changes.append(
            ResourceChange(
                kind: .dataSource, name: name, action: .update, fields: fields,
                requests: [
                    WriteRequest(
                        method: "PUT", path: "/api/datasources/uid/\(GrafanaClient.escape(spec.uid))", body: .object(body))
                ]))
    }

    private func planFolder(_ spec: FolderSpec, _ plan: inout Plan) async throws {
        let name = "\(spec.uid) \"\(spec.title)\""
        let (status, actual) = try await client.send("GET", "/api/folders/\(GrafanaClient.escape(spec.uid))", allowNotFound: true)
        guard status == 200, let actual else {
            plan.changes.append(
                ResourceChange(
                    kind: .folder, name: name, action: .create,
                    fields: [FieldChange(path: "title", before: nil, after: .string(spec.title))],
                    requests: [
                        WriteRequest(
                            method: "POST", path: "/api/folders", body: ["uid": .string(spec.uid), "title": .string(spec.title)])
                    ]))
            return
        }
        if actual["title"]?.stringValue == spec.title {
            plan.unchanged.append("folder \(name)")
            return
        }
        plan.changes.append(
            ResourceChange(
                kind: .folder, name: name, action: .update,
                fields: [FieldChange(path: "title", before: actual["title"], after: .string(spec.title))],
                requests: [
                    WriteRequest(
                        method: "PUT", path: "/api/folders/\(GrafanaClient.escape(spec.uid))",
                        body: ["title": .string(spec.title), "version": actual["version"] ?? 0])
                ]))
    }

    private func planTemplate(_ spec: TemplateSpec, destroy: Bool, _ plan: inout Plan) async throws {
        let path = "/api/v1/provisioning/templates/\(GrafanaClient.escape(spec.name))"
        let (status, actual) = try await client.send("GET", path, allowNotFound: true)
        let exists = status == 200 && actual != nil
        let actualProvenance = actual?["provenance"]?.stringValue ?? ""
        if exists, actualProvenance == "file" {
            plan.refusals.append(Refusal(kind: .template, name: spec.name, reason: Self.refusedFileProvenance(.template)))
            return
        }
        if destroy {
            if exists {
                plan.changes.append(
                    ResourceChange(
                        kind: .template, name: spec.name, action: .delete, fields: [],
                        requests: [WriteRequest(method: "DELETE", path: path, headers: provenanceHeaders)]))
            }
            return
        }
        let desired: JSON = ["template": .string(Normalise.template(spec.template)), "provenance": .string(provenance)]
        let before: JSON? =
            exists
            ? [
                "template": .string(Normalise.template(actual?["template"]?.stringValue ?? "")),
                "provenance": .string(actualProvenance),
            ]
            : nil
        let fields = JSONDiff.diff(before, desired)
        if fields.isEmpty {
            plan.unchanged.append("template \(spec.name)")
            return
        }
        var body: [String: JSON] = ["template": .string(spec.template)]
        if exists, let version = actual?["version"] { body["version"] = version }
        plan.changes.append(
            ResourceChange(
                kind: .template, name: spec.name, action: exists ? .update : .create, fields: fields,
                requests: [WriteRequest(method: "PUT", path: path, body: .object(body), headers: provenanceHeaders)]))
    }

    private func planContactPoint(_ spec: ContactPointSpec, existing: [JSON], destroy: Bool, _ plan: inout Plan) {
        let name = "\(spec.name) (uid \(spec.uid))"
        let actual = existing.first { $0["uid"]?.stringValue == spec.uid }
        let actualProvenance = actual?["provenance"]?.stringValue ?? ""
        if actual != nil, actualProvenance == "file" {
            plan.refusals.append(Refusal(kind: .contactPoint, name: name, reason: Self.refusedFileProvenance(.contactPoint)))
            return
        }
        let path = "/api/v1/provisioning/contact-points/\(GrafanaClient.escape(spec.uid))"
        if destroy {
            if actual != nil {
                plan.changes.append(
                    ResourceChange(
                        kind: .contactPoint, name: name, action: .delete, fields: [],
                        requests: [WriteRequest(method: "DELETE", path: path, headers: provenanceHeaders)]))
            }
            return
        }
        let secretKeys = Set(spec.secrets.keys)
        let hash = SecretHash.of(spec.secrets, identity: "contact-point/\(spec.uid)")
        var settings = spec.settings
        if let hash { settings[Self.secretHashKey] = .string(hash) }
        func comparable(_ name: JSON?, _ type: JSON?, _ settings: [String: JSON], _ disable: JSON?, _ provenance: String) -> JSON
        {
            [
                "name": name ?? .null, "type": type ?? .null,
                "settings": Normalise.pruned(.object(settings.filter { !secretKeys.contains($0.key) })) ?? [:],
                "disableResolveMessage": disable ?? false, "provenance": .string(provenance),
            ]
        }
        let desired = comparable(.string(spec.name), .string(spec.type), settings, .bool(spec.disableResolveMessage), provenance)
        let actualSettings = actual?["settings"]?.objectValue ?? [:]
        let before = actual.map {
            comparable($0["name"], $0["type"], actualSettings, $0["disableResolveMessage"], actualProvenance)
        }
        var fields = JSONDiff.diff(before, desired)
        // Secrets are write-only: compare the hash we stored with the desired one; a key that the
        // desired state no longer has must go.
        let secretsChanged = actual == nil || actualSettings[Self.secretHashKey]?.stringValue != hash
        for key in secretKeys.sorted() where actual != nil && actualSettings[key] == nil {
            fields.append(FieldChange(path: "settings.\(key)", before: nil, after: "(secret)"))
        }
        if fields.isEmpty {
            plan.unchanged.append("contact point \(name)")
            return
        }
        var bodySettings = settings
        for (key, secret) in spec.secrets {
            bodySettings[key] = .string(secretsChanged || actualSettings[key] == nil ? secret.value : "[REDACTED]")
        }
        let body: JSON = [
            "uid": .string(spec.uid), "name": .string(spec.name), "type": .string(spec.type), "settings": .object(bodySettings),
            "disableResolveMessage": .bool(spec.disableResolveMessage),
        ]
        let request =
            actual == nil
            ? WriteRequest(method: "POST", path: "/api/v1/provisioning/contact-points", body: body, headers: provenanceHeaders)
            : WriteRequest(method: "PUT", path: path, body: body, headers: provenanceHeaders)
        plan.changes.append(
            ResourceChange(
                kind: .contactPoint, name: name, action: actual == nil ? .create : .update, fields: fields, requests: [request]))
    }

    static let secretHashKey = "tfdrift_secrets_hash"

    private func planMuteTiming(_ spec: MuteTimingSpec, existing: [JSON], destroy: Bool, _ plan: inout Plan) {
        let actual = existing.first { $0["name"]?.stringValue == spec.name }
        let actualProvenance = actual?["provenance"]?.stringValue ?? ""
        if actual != nil, actualProvenance == "file" {
            plan.refusals.append(Refusal(kind: .muteTiming, name: spec.name, reason: Self.refusedFileProvenance(.muteTiming)))
            return
        }
        let path = "/api/v1/provisioning/mute-timings/\(GrafanaClient.escape(spec.name))"
        if destroy {
            if actual != nil {
                plan.changes.append(
                    ResourceChange(
                        kind: .muteTiming, name: spec.name, action: .delete, fields: [],
                        requests: [WriteRequest(method: "DELETE", path: path, headers: provenanceHeaders)]))
            }
            return
        }
        let desired: JSON = ["time_intervals": Normalise.pruned(spec.timeIntervals) ?? [], "provenance": .string(provenance)]
        let before: JSON? = actual.map {
            ["time_intervals": Normalise.pruned($0["time_intervals"] ?? []) ?? [], "provenance": .string(actualProvenance)]
        }
        let fields = JSONDiff.diff(before, desired)
        if fields.isEmpty {
            plan.unchanged.append("mute timing \(spec.name)")
            return
        }
        var body: [String: JSON] = ["name": .string(spec.name), "time_intervals": spec.timeIntervals]
        if let version = actual?["version"] { body["version"] = version }
        let request =
            actual == nil
            ? WriteRequest(
                method: "POST", path: "/api/v1/provisioning/mute-timings", body: .object(body), headers: provenanceHeaders)
            : WriteRequest(method: "PUT", path: path, body: .object(body), headers: provenanceHeaders)
        plan.changes.append(
            ResourceChange(
                kind: .muteTiming, name: spec.name, action: actual == nil ? .create : .update, fields: fields, requests: [request]
            ))
    }

    /// Our sub-route only: the rest of the tree goes back exactly as Grafana returned it.
    private func planRoute(_ spec: RouteSpec, destroy: Bool, _ plan: inout Plan) async throws {
        let name = "route \(spec.label)=\(spec.value)"
        let (_, body) = try await client.send("GET", "/api/v1/provisioning/policies")
        guard var tree = body?.objectValue else { throw ProvisionError("Grafana returned no notification policy tree") }
        let treeProvenance = tree["provenance"]?.stringValue ?? ""
        if treeProvenance == "file" {
            plan.refusals.append(
                Refusal(kind: .notificationPolicy, name: name, reason: Self.refusedFileProvenance(.notificationPolicy)))
            return
        }
        tree["provenance"] = nil
        var routes = tree["routes"]?.arrayValue ?? []
        let ours = routes.firstIndex { ($0["object_matchers"]?.arrayValue ?? []) == [spec.matcher] }
        let desired = spec.route
        if destroy {
            guard let ours else { return }
            routes.remove(at: ours)
            tree["routes"] = routes.isEmpty ? nil : .array(routes)
        } else {
            let fields = JSONDiff.diff(ours.map { Normalise.pruned(routes[$0]) ?? [:] }, Normalise.pruned(desired))
            if fields.isEmpty {
                plan.unchanged.append("notification policy \(name)")
                return
            }
            if let ours { routes[ours] = desired } else { routes.insert(desired, at: 0) }
            tree["routes"] = .array(routes)
            plan.changes.append(
                ResourceChange(
                    kind: .notificationPolicy, name: name, action: ours == nil ? .create : .update, fields: fields,
                    requests: [policyWrite(.object(tree), treeProvenance: treeProvenance)]))
            return
        }
        plan.changes.append(
            ResourceChange(
                kind: .notificationPolicy, name: name, action: .delete, fields: [],
                requests: [policyWrite(.object(tree), treeProvenance: treeProvenance)]))
    }

    /// The tree is shared: unless it is already API-owned, keep it editable in the UI for everyone else.
    private func policyWrite(_ tree: JSON, treeProvenance: String) -> WriteRequest {
        let lock = !options.uiEditable && treeProvenance == "api"
        return WriteRequest(
            method: "PUT", path: "/api/v1/provisioning/policies", body: tree,
            headers: lock ? [] : [("X-Disable-Provenance", "true")])
    }

    private func isManaged(_ rule: JSON) -> Bool { rule["labels"]?[options.managedLabel]?.stringValue == options.managedValue }

    private func planRuleGroup(_ spec: RuleGroupSpec, destroy: Bool, _ plan: inout Plan) async throws {
        let name = "\(spec.folderUID)/\(spec.name)"
        let path =
            "/api/v1/provisioning/folder/\(GrafanaClient.escape(spec.folderUID))/rule-groups/\(GrafanaClient.escape(spec.name))"
        let (status, actual) = try await client.send("GET", path, allowNotFound: true)
        let actualRules = status == 200 ? actual?["rules"]?.arrayValue ?? [] : []
        if actualRules.contains(where: { $0["provenance"]?.stringValue == "file" }) {
            plan.refusals.append(Refusal(kind: .ruleGroup, name: name, reason: Self.refusedFileProvenance(.ruleGroup)))
            return
        }
        // Rules someone else put into the group are carried over untouched.
        let foreign = actualRules.filter { !isManaged($0) }
        if destroy {
            guard !actualRules.isEmpty else { return }
            if foreign.isEmpty {
                plan.changes.append(
                    ResourceChange(
                        kind: .ruleGroup, name: name, action: .delete, fields: [],
                        requests: [WriteRequest(method: "DELETE", path: path, headers: provenanceHeaders)]))
            } else {
                plan.changes.append(
                    ResourceChange(
                        kind: .ruleGroup, name: name, action: .update,
                        fields: actualRules.filter(isManaged).map {
                            FieldChange(
                                path: "rules[\($0["uid"]?.stringValue ?? "")]", before: .string($0["title"]?.stringValue ?? ""),
                                after: nil)
                        },
                        requests: [
                            WriteRequest(
                                method: "PUT", path: path,
                                body: [
                                    "title": .string(spec.name), "folderUid": .string(spec.folderUID),
                                    "interval": actual?["interval"] ?? 60,
                                    "rules": .array(foreign),
                                ], headers: provenanceHeaders)
                        ]))
            }
            return
        }
        func comparable(_ interval: JSON?, _ rules: [JSON], provenance: [String]) -> JSON {
            [
                "interval": interval ?? .null, "rules": .array(rules.map(Normalise.rule)),
                "provenance": .array(Array(Set(provenance)).sorted().map { .string($0) }),
            ]
        }
        let desired = comparable(
            .number(Double(spec.intervalSeconds)), spec.rules, provenance: spec.rules.isEmpty ? [] : [provenance])
        let managedActual = actualRules.filter(isManaged)
        let before: JSON? =
            actualRules.isEmpty
            ? nil
            : comparable(
                actual?["interval"], managedActual, provenance: managedActual.map { $0["provenance"]?.stringValue ?? "" })
        let fields = JSONDiff.diff(before, desired)
        if fields.isEmpty {
            plan.unchanged.append("rule group \(name)")
            return
        }
        let body: JSON = [
            "title": .string(spec.name), "folderUid": .string(spec.folderUID), "interval": .number(Double(spec.intervalSeconds)),
            "rules": .array(spec.rules + foreign),
        ]
        plan.changes.append(
            ResourceChange(
                kind: .ruleGroup, name: name, action: actualRules.isEmpty ? .create : .update, fields: fields,
                requests: [WriteRequest(method: "PUT", path: path, body: body, headers: provenanceHeaders)]))
    }

    private func pruneRuleGroups(folder: String, keep: Set<String>, destroy: Bool, _ plan: inout Plan) async throws {
        guard !destroy else { return }
        let (_, body) = try await client.send("GET", "/api/v1/provisioning/alert-rules")
        let rules = (body?.arrayValue ?? []).filter { $0["folderUID"]?.stringValue == folder }
        let groups = Set(rules.compactMap { $0["ruleGroup"]?.stringValue }).subtracting(keep)
        for group in groups.sorted() {
            let members = rules.filter { $0["ruleGroup"]?.stringValue == group }
            guard members.allSatisfy(isManaged), !members.contains(where: { $0["provenance"]?.stringValue == "file" }) else {
                continue
            }
            plan.changes.append(
                ResourceChange(
                    kind: .ruleGroup, name: "\(folder)/\(group)", action: .delete, fields: [],
                    requests: [
                        WriteRequest(
                            method: "DELETE",
                            path:
                                "/api/v1/provisioning/folder/\(GrafanaClient.escape(folder))/rule-groups/\(GrafanaClient.escape(group))",
                            headers: provenanceHeaders)
                    ]))
        }
    }

    private func planDashboard(_ spec: DashboardSpec, destroy: Bool, _ plan: inout Plan) async throws {
        let name = "\(spec.uid) \"\(spec.title)\""
        let path = "/api/dashboards/uid/\(GrafanaClient.escape(spec.uid))"
        let (status, actual) = try await client.send("GET", path, allowNotFound: true)
        let exists = status == 200 && actual?["dashboard"] != nil
        if exists, actual?["meta"]?["provisioned"]?.boolValue == true {
            plan.refusals.append(Refusal(kind: .dashboard, name: name, reason: Self.refusedFileProvenance(.dashboard)))
            return
        }
        if destroy {
            if exists {
                plan.changes.append(
                    ResourceChange(
                        kind: .dashboard, name: name, action: .delete, fields: [],
                        requests: [WriteRequest(method: "DELETE", path: path)]))
            }
            return
        }
        let desired: JSON = ["folderUid": .string(spec.folderUID ?? ""), "dashboard": Normalise.dashboard(spec.model)]
        let before: JSON? =
            exists
            ? [
                "folderUid": .string(actual?["meta"]?["folderUid"]?.stringValue ?? ""),
                "dashboard": Normalise.dashboard(actual?["dashboard"] ?? [:]),
            ] : nil
        let fields = JSONDiff.diff(before, desired)
        if fields.isEmpty {
            plan.unchanged.append("dashboard \(name)")
            return
        }
        var model = Normalise.dashboard(spec.model)
        if exists { model = model.setting("version", actual?["dashboard"]?["version"] ?? 0) }
        var body: [String: JSON] = ["dashboard": model, "overwrite": false, "message": "tfdriftctl dashboards apply"]
        if let folder = spec.folderUID { body["folderUid"] = .string(folder) }
        plan.changes.append(
            ResourceChange(
                kind: .dashboard, name: name, action: exists ? .update : .create,
                fields: exists ? fields : [FieldChange(path: "title", before: nil, after: .string(spec.title))],
                requests: [WriteRequest(method: "POST", path: "/api/dashboards/db", body: .object(body))]))
    }

    private func pruneDashboards(folder: String, keep: Set<String>, _ plan: inout Plan) async throws {
        let (_, body) = try await client.send("GET", "/api/search", query: [("type", "dash-db"), ("folderUIDs", folder)])
        for hit in body?.arrayValue ?? [] {
            guard let uid = hit["uid"]?.stringValue, uid.hasPrefix(options.dashboardUIDPrefix), !keep.contains(uid) else {
                continue
            }
            plan.changes.append(
                ResourceChange(
                    kind: .dashboard, name: "\(uid) \"\(hit["title"]?.stringValue ?? "")\"", action: .delete, fields: [],
                    requests: [WriteRequest(method: "DELETE", path: "/api/dashboards/uid/\(GrafanaClient.escape(uid))")]))
        }
    }

    // MARK: apply

    /// Sends the plan's writes in dependency order; a failure is reported and the rest go on.
    public func apply(_ plan: Plan) async -> ApplyReport {
        var report = ApplyReport(refusals: plan.refusals)
        for change in plan.ordered {
            var failure: String?
            for request in change.requests {
                do {
                    try await client.send(
                        request.method, request.path, query: request.query, body: request.body, headers: request.headers)
                } catch {
                    failure = Self.explain(error, change)
                    break
                }
            }
            if let failure {
                logger.error("\(change.action.rawValue) \(change.kind.label) \(change.name) failed: \(failure)")
            }
            report.results.append(ApplyResult(kind: change.kind, name: change.name, action: change.action, error: failure))
        }
        return report
    }

    static func explain(_ error: any Error, _ change: ResourceChange) -> String {
        if let grafana = error as? GrafanaError {
            if grafana.status == 412 || (grafana.status == 409 && grafana.message.contains("changed by someone else")) {
                return "\(grafana) — it changed in Grafana since the plan; run plan again"
            }
            return grafana.description
        }
        return "\(error)"
    }
}
