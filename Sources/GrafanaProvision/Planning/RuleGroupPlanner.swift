import Foundation
import TfdriftCore

/// A rule group, by folder and name. Only our rules (`managed_by=tfdriftctl`) are compared; rules someone
/// else put into the group are carried over untouched. A group with a rule from file provisioning is refused.
struct RuleGroupPlanner: ResourcePlanner {
    let context: PlanContext
    var kind: ResourceKind { .ruleGroup }

    func name(of spec: RuleGroupSpec) -> String { "\(spec.folderUID)/\(spec.name)" }

    func path(_ spec: RuleGroupSpec) -> String {
        "/api/v1/provisioning/folder/\(GrafanaClient.escape(spec.folderUID))/rule-groups/\(GrafanaClient.escape(spec.name))"
    }

    func observe(_ spec: RuleGroupSpec) async throws -> Observation {
        let (status, actual) = try await context.client.send("GET", path(spec), allowNotFound: true)
        guard status == 200, let actual, !(actual["rules"]?.arrayValue ?? []).isEmpty else { return .absent }
        return .present(actual)
    }

    func isFromFiles(_ actual: JSONValue) -> Bool {
        (actual["rules"]?.arrayValue ?? []).contains { $0["provenance"]?.stringValue == "file" }
    }

    func comparable(interval: JSONValue?, rules: [JSONValue], provenance: [String]) -> JSONValue {
        [
            "interval": interval ?? .null, "rules": .array(rules.map(Normalise.rule)),
            "provenance": .array(Array(Set(provenance)).sorted().map { .string($0) }),
        ]
    }

    func desired(_ spec: RuleGroupSpec) -> JSONValue {
        comparable(
            interval: JSONValue(spec.intervalSeconds), rules: spec.rules,
            provenance: spec.rules.isEmpty ? [] : [context.provenance])
    }

    func current(_ actual: JSONValue, for spec: RuleGroupSpec) -> JSONValue {
        let managed = (actual["rules"]?.arrayValue ?? []).filter(context.isManaged)
        return comparable(
            interval: actual["interval"], rules: managed, provenance: managed.map { $0["provenance"]?.stringValue ?? "" })
    }

    func writes(_ spec: RuleGroupSpec, actual: JSONValue?) -> [WriteRequest] {
        let foreign = (actual?["rules"]?.arrayValue ?? []).filter { !context.isManaged($0) }
        let body: JSONValue = [
            "title": .string(spec.name), "folderUid": .string(spec.folderUID), "interval": JSONValue(spec.intervalSeconds),
            "rules": .array(spec.rules + foreign),
        ]
        return [WriteRequest(method: "PUT", path: path(spec), body: body, headers: context.provenanceHeaders)]
    }

    /// Our rules go; a group that holds someone else's rules too is kept with theirs.
    func removal(_ spec: RuleGroupSpec, actual: JSONValue) -> ResourceChange? {
        let rules = actual["rules"]?.arrayValue ?? []
        let foreign = rules.filter { !context.isManaged($0) }
        guard !foreign.isEmpty else {
            return deletion(spec, WriteRequest(method: "DELETE", path: path(spec), headers: context.provenanceHeaders))
        }
        return ResourceChange(
            kind: kind, name: name(of: spec), action: .update,
            fields: rules.filter(context.isManaged).map {
                FieldChange(
                    path: "rules[\($0["uid"]?.stringValue ?? "")]", before: .string($0["title"]?.stringValue ?? ""), after: nil)
            },
            requests: [
                WriteRequest(
                    method: "PUT", path: path(spec),
                    body: [
                        "title": .string(spec.name), "folderUid": .string(spec.folderUID), "interval": actual["interval"] ?? 60,
                        "rules": .array(foreign),
                    ], headers: context.provenanceHeaders)
            ])
    }
}

/// A dashboard, by uid. Grafana's `id` and `version` are not compared; a create shows the dashboard's
/// title, folder and panels rather than its whole model.
struct DashboardPlanner: ResourcePlanner {
    let context: PlanContext
    var kind: ResourceKind { .dashboard }

    func name(of spec: DashboardSpec) -> String { "\(spec.uid) \"\(spec.title)\"" }
    func path(_ spec: DashboardSpec) -> String { "/api/dashboards/uid/\(GrafanaClient.escape(spec.uid))" }

    func observe(_ spec: DashboardSpec) async throws -> Observation {
        let (status, actual) = try await context.client.send("GET", path(spec), allowNotFound: true)
        guard status == 200, let actual, actual["dashboard"] != nil else { return .absent }
        return .present(actual)
    }

    func isFromFiles(_ actual: JSONValue) -> Bool { actual["meta"]?["provisioned"]?.boolValue == true }

    func desired(_ spec: DashboardSpec) -> JSONValue {
        ["folderUid": .string(spec.folderUID ?? ""), "dashboard": Normalise.dashboard(spec.model)]
    }

    func current(_ actual: JSONValue, for spec: DashboardSpec) -> JSONValue {
        [
            "folderUid": .string(actual["meta"]?["folderUid"]?.stringValue ?? ""),
            "dashboard": Normalise.dashboard(actual["dashboard"] ?? [:]),
        ]
    }

    func createFields(_ spec: DashboardSpec) -> [FieldChange] {
        let panels = (spec.model["panels"]?.arrayValue ?? []).compactMap { $0["title"]?.stringValue }
        return [
            FieldChange(path: "title", before: nil, after: .string(spec.title)),
            FieldChange(path: "folderUid", before: nil, after: .string(spec.folderUID ?? "")),
            FieldChange(path: "panels", before: nil, after: .array(panels.map { .string($0) })),
            FieldChange(path: "source", before: nil, after: .string(spec.source)),
        ]
    }

    func writes(_ spec: DashboardSpec, actual: JSONValue?) -> [WriteRequest] {
        var model = Normalise.dashboard(spec.model)
        if let actual { model = model.setting("version", actual["dashboard"]?["version"] ?? 0) }
        var body: [String: JSONValue] = ["dashboard": model, "overwrite": false, "message": "tfdriftctl dashboards apply"]
        if let folder = spec.folderUID { body["folderUid"] = .string(folder) }
        return [WriteRequest(method: "POST", path: "/api/dashboards/db", body: .object(body))]
    }

    func removal(_ spec: DashboardSpec, actual: JSONValue) -> ResourceChange? {
        deletion(spec, WriteRequest(method: "DELETE", path: path(spec)))
    }
}
