import Foundation
import TfdriftCore

/// What a planner found in Grafana for one desired resource.
enum Observation: Sendable {
    case absent
    case present(JSONValue)
    /// Grafana holds something tfdriftctl must not take over, and why.
    case refused(String)
}

/// What every planner needs: the client, and whether writes lock resources to the API (provenance).
struct PlanContext: Sendable {
    let client: GrafanaClient
    let options: ProvisionOptions

    /// The provenance our writes leave: `api`, or none with `--ui-editable` (`X-Disable-Provenance`).
    var provenance: String { options.uiEditable ? "" : "api" }
    var provenanceHeaders: [(String, String)] { options.uiEditable ? [("X-Disable-Provenance", "true")] : [] }

    /// A list Grafana returns whole (contact points, mute timings), read once per plan.
    func list(_ path: String) async throws -> [JSONValue] { try await client.send("GET", path).body?.arrayValue ?? [] }

    func isManaged(_ rule: JSONValue) -> Bool { rule["labels"]?[options.managedLabel]?.stringValue == options.managedValue }

    static func refusedFileProvenance(_ kind: ResourceKind) -> String {
        "it is provisioned from files on the Grafana host (provenance: file); tfdriftctl will not fight file provisioning. Remove it from Grafana's provisioning files, or give ours another \(kind == .contactPoint ? "uid" : "name")"
    }
}

/// One kind of Grafana resource: how to read it, put it in the canonical form both sides are compared
/// in (`Normalise`), and write it. The steps every kind shares — read, refuse what files provision,
/// destroy or diff, unchanged / create / update — are `plan(_:destroy:into:)`, written once.
///
/// Adding a kind: a `ResourceKind` case (its apply order), a spec in DesiredState.swift, a planner here
/// in Planning/, and one line in `Provisioner.plan`.
protocol ResourcePlanner: Sendable {
    associatedtype Spec: Sendable
    var kind: ResourceKind { get }
    func name(of spec: Spec) -> String
    func observe(_ spec: Spec) async throws -> Observation
    /// Provisioned from files on the Grafana host: refused, never fought over.
    func isFromFiles(_ actual: JSONValue) -> Bool
    /// The desired resource in canonical form.
    func desired(_ spec: Spec) -> JSONValue
    /// Grafana's resource in the same canonical form.
    func current(_ actual: JSONValue, for spec: Spec) -> JSONValue
    /// Changes the canonical forms cannot show (write-only secrets).
    func extraChanges(_ spec: Spec, actual: JSONValue) -> [FieldChange]
    /// What a create shows: every field of the desired form, by default.
    func createFields(_ spec: Spec) -> [FieldChange]
    /// The writes that create (`actual` nil) or update it.
    func writes(_ spec: Spec, actual: JSONValue?) -> [WriteRequest]
    /// What `destroy` does with an existing resource; nil keeps it (the folder and data source dashboards use).
    func removal(_ spec: Spec, actual: JSONValue) -> ResourceChange?
}

extension ResourcePlanner {
    func isFromFiles(_ actual: JSONValue) -> Bool { actual["provenance"]?.stringValue == "file" }
    func extraChanges(_ spec: Spec, actual: JSONValue) -> [FieldChange] { [] }
    func createFields(_ spec: Spec) -> [FieldChange] { JSONDiff.leaves(desired(spec)) }
    func removal(_ spec: Spec, actual: JSONValue) -> ResourceChange? { nil }

    func plan(_ spec: Spec, destroy: Bool, into plan: inout Plan) async throws {
        let name = name(of: spec)
        let actual: JSONValue?
        switch try await observe(spec) {
        case .refused(let reason):
            plan.refusals.append(Refusal(kind: kind, name: name, reason: reason))
            return
        case .absent: actual = nil
        case .present(let value): actual = value
        }
        if let actual, isFromFiles(actual) {
            plan.refusals.append(Refusal(kind: kind, name: name, reason: PlanContext.refusedFileProvenance(kind)))
            return
        }
        if destroy {
            if let actual, let change = removal(spec, actual: actual) { plan.changes.append(change) }
            return
        }
        guard let actual else {
            plan.changes.append(
                ResourceChange(
                    kind: kind, name: name, action: .create, fields: createFields(spec), requests: writes(spec, actual: nil)))
            return
        }
        let fields = JSONDiff.diff(current(actual, for: spec), desired(spec)) + extraChanges(spec, actual: actual)
        if fields.isEmpty {
            plan.unchanged.append("\(kind.label) \(name)")
            return
        }
        plan.changes.append(
            ResourceChange(kind: kind, name: name, action: .update, fields: fields, requests: writes(spec, actual: actual)))
    }

    /// A deletion by one request.
    func deletion(_ spec: Spec, _ request: WriteRequest) -> ResourceChange {
        ResourceChange(kind: kind, name: name(of: spec), action: .delete, fields: [], requests: [request])
    }
}

extension JSONDiff {
    /// Every leaf of a value as a field to create (`rules[tfdrift-critical-drift].data[A].model.expr`), so a
    /// new resource reads in full in a plan. Arrays of scalars stay one value; arrays of objects with `uid`
    /// or `refId` are keyed by it.
    static func leaves(_ value: JSONValue, path: String = "") -> [FieldChange] {
        switch value {
        case .object(let fields) where !fields.isEmpty:
            return fields.keys.sorted().flatMap { key in leaves(fields[key]!, path: path.isEmpty ? key : "\(path).\(key)") }
        case .array(let items) where items.contains(where: { $0.objectValue != nil || $0.arrayValue != nil }):
            if let key = identityKey(items) {
                return items.flatMap { leaves($0, path: "\(path)[\($0[key]?.stringValue ?? "")]") }
            }
            return items.enumerated().flatMap { leaves($1, path: "\(path)[\($0)]") }
        default:
            return [FieldChange(path: path.isEmpty ? "(value)" : path, before: nil, after: value)]
        }
    }
}
