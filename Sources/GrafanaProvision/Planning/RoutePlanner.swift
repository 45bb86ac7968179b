import Foundation
import TfdriftCore

/// Our one sub-route of the notification policy tree (routing mode `policy`), matched by one label; the
/// rest of the tree goes back exactly as Grafana returned it. Grafana writes the tree whole, so every
/// change is a `PUT` of the tree (a removal too).
struct RoutePlanner: ResourcePlanner {
    let context: PlanContext
    var kind: ResourceKind { .notificationPolicy }

    func name(of spec: RouteSpec) -> String { "route \(spec.label)=\(spec.value)" }

    /// The whole tree; `current` picks our route out of it.
    func observe(_ spec: RouteSpec) async throws -> Observation {
        let (_, body) = try await context.client.send("GET", "/api/v1/provisioning/policies")
        guard let tree = body, tree.objectValue != nil else {
            throw ProvisionError("Grafana returned no notification policy tree")
        }
        return .present(tree)
    }

    func isFromFiles(_ tree: JSONValue) -> Bool { tree["provenance"]?.stringValue == "file" }

    func ours(in tree: JSONValue, _ spec: RouteSpec) -> Int? {
        (tree["routes"]?.arrayValue ?? []).firstIndex { ($0["object_matchers"]?.arrayValue ?? []) == [spec.matcher] }
    }

    func desired(_ spec: RouteSpec) -> JSONValue { Normalise.pruned(spec.route) ?? [:] }

    func current(_ tree: JSONValue, for spec: RouteSpec) -> JSONValue {
        guard let index = ours(in: tree, spec) else { return .null }
        return Normalise.pruned(tree["routes"]!.arrayValue![index]) ?? [:]
    }

    /// The tree is shared: unless it is already API-owned, keep it editable in the UI for everyone else.
    func treeWrite(_ tree: [String: JSONValue], provenance: String) -> WriteRequest {
        let lock = !context.options.uiEditable && provenance == "api"
        return WriteRequest(
            method: "PUT", path: "/api/v1/provisioning/policies", body: .object(tree),
            headers: lock ? [] : [("X-Disable-Provenance", "true")])
    }

    func writes(_ spec: RouteSpec, actual: JSONValue?) -> [WriteRequest] {
        guard var tree = actual?.objectValue else { return [] }
        let provenance = tree["provenance"]?.stringValue ?? ""
        tree["provenance"] = nil
        var routes = tree["routes"]?.arrayValue ?? []
        if let index = actual.flatMap({ ours(in: $0, spec) }) {
            routes[index] = spec.route
        } else {
            routes.insert(spec.route, at: 0)
        }
        tree["routes"] = .array(routes)
        return [treeWrite(tree, provenance: provenance)]
    }

    func removal(_ spec: RouteSpec, actual: JSONValue) -> ResourceChange? {
        guard var tree = actual.objectValue, let index = ours(in: actual, spec) else { return nil }
        let provenance = tree["provenance"]?.stringValue ?? ""
        tree["provenance"] = nil
        var routes = tree["routes"]?.arrayValue ?? []
        routes.remove(at: index)
        tree["routes"] = routes.isEmpty ? nil : .array(routes)
        return deletion(spec, treeWrite(tree, provenance: provenance))
    }

    /// The tree always exists: a route of ours that is not in it yet is a create.
    func plan(_ spec: RouteSpec, destroy: Bool, into plan: inout Plan) async throws {
        guard case .present(let tree) = try await observe(spec) else { return }
        if isFromFiles(tree) {
            plan.refusals.append(Refusal(kind: kind, name: name(of: spec), reason: PlanContext.refusedFileProvenance(kind)))
            return
        }
        if destroy {
            if let change = removal(spec, actual: tree) { plan.changes.append(change) }
            return
        }
        let fields = JSONDiff.diff(ours(in: tree, spec) == nil ? nil : current(tree, for: spec), desired(spec))
        if fields.isEmpty {
            plan.unchanged.append("\(kind.label) \(name(of: spec))")
            return
        }
        plan.changes.append(
            ResourceChange(
                kind: kind, name: name(of: spec), action: ours(in: tree, spec) == nil ? .create : .update,
                fields: ours(in: tree, spec) == nil ? createFields(spec) : fields, requests: writes(spec, actual: tree)))
    }
}
