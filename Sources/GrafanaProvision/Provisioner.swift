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

    var context: PlanContext { PlanContext(client: client, options: options) }

    // MARK: plan

    /// Compares the desired state with Grafana (reads only), one planner per resource kind. With
    /// `destroy`, every desired resource that exists is planned for deletion instead (the data source and
    /// folder are kept).
    public func plan(_ desired: DesiredState, destroy: Bool = false) async throws -> Plan {
        var plan = Plan()
        let context = context
        if !destroy { try await checkReferences(desired) }
        if let dataSource = desired.dataSource, !destroy {
            try await DataSourcePlanner(context: context).plan(dataSource, destroy: false, into: &plan)
        }
        if let folder = desired.folder, !destroy {
            try await FolderPlanner(context: context).plan(folder, destroy: false, into: &plan)
        }
        for template in desired.templates {
            try await TemplatePlanner(context: context).plan(template, destroy: destroy, into: &plan)
        }
        if !desired.contactPoints.isEmpty {
            let planner = try await ContactPointPlanner.load(context)
            for point in desired.contactPoints { try await planner.plan(point, destroy: destroy, into: &plan) }
        }
        if !desired.muteTimings.isEmpty {
            let planner = try await MuteTimingPlanner.load(context)
            for timing in desired.muteTimings { try await planner.plan(timing, destroy: destroy, into: &plan) }
        }
        if let route = desired.route { try await RoutePlanner(context: context).plan(route, destroy: destroy, into: &plan) }
        for group in desired.ruleGroups {
            try await RuleGroupPlanner(context: context).plan(group, destroy: destroy, into: &plan)
        }
        if desired.pruneRuleGroups, !destroy, let folder = desired.folder?.uid ?? desired.ruleGroups.first?.folderUID {
            try await pruneRuleGroups(folder: folder, keep: Set(desired.ruleGroups.map(\.name)), &plan)
        }
        for dashboard in desired.dashboards {
            try await DashboardPlanner(context: context).plan(dashboard, destroy: destroy, into: &plan)
        }
        if desired.pruneDashboards, !destroy, let folder = desired.folder?.uid {
            try await pruneDashboards(folder: folder, keep: Set(desired.dashboards.map(\.uid)), &plan)
        }
        return plan
    }

    /// Rule groups in our folder that are not desired any more and hold only our rules.
    private func pruneRuleGroups(folder: String, keep: Set<String>, _ plan: inout Plan) async throws {
        let (_, body) = try await client.send("GET", "/api/v1/provisioning/alert-rules")
        let rules = (body?.arrayValue ?? []).filter { $0["folderUID"]?.stringValue == folder }
        let groups = Set(rules.compactMap { $0["ruleGroup"]?.stringValue }).subtracting(keep)
        for group in groups.sorted() {
            let members = rules.filter { $0["ruleGroup"]?.stringValue == group }
            guard members.allSatisfy(context.isManaged), !members.contains(where: { $0["provenance"]?.stringValue == "file" })
            else {
                continue
            }
            let spec = RuleGroupSpec(folderUID: folder, name: group, intervalSeconds: 60, rules: [])
            let planner = RuleGroupPlanner(context: context)
            plan.changes.append(
                planner.deletion(
                    spec, WriteRequest(method: "DELETE", path: planner.path(spec), headers: context.provenanceHeaders)))
        }
    }

    /// Dashboards in our folder with our uid prefix that are not desired any more.
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
