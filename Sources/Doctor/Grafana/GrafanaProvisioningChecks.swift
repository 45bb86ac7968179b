import Foundation
import GrafanaProvision
import TfdriftCore

/// The provisioning half of the Grafana checks: what `dashboards apply` and `alerts apply` put there is
/// still there and current (through the same plan those commands make), rules evaluate, alerts reach someone.
extension GrafanaChecks {
    static func lokiDataSource(_ context: GrafanaCheckContext) async -> Outcome {
        let grafana = context.grafana
        let dataSource: JSONValue
        switch await context.probes.dataSource() {
        case .failure(let error):
            return .fail(
                error.description, fix: "tfdriftctl dashboards apply creates it (grafana.datasource_uid \(grafana.datasourceUID))"
            )
        case .success(let found): dataSource = found
        }
        let type = dataSource["type"]?.stringValue ?? "?"
        let url = dataSource["url"]?.stringValue ?? ""
        guard type == "loki" else {
            return .fail(
                "data source \(grafana.datasourceUID) has type \(type), not loki", fix: "choose another grafana.datasource_uid")
        }
        var evidence = "data source \(grafana.datasourceUID) (\(dataSource["name"]?.stringValue ?? "")) → \(Redaction.url(url))"
        if let expected = grafana.lokiURL ?? context.doctor.config.outputs.loki?.url, expected != url {
            evidence += "; the config says \(Redaction.url(expected))"
        }
        do {
            let (_, health) = try await context.probes.client.send(
                "GET", "/api/datasources/uid/\(GrafanaClient.escape(grafana.datasourceUID))/health")
            return .pass(evidence + "; health: \(health?["message"]?.stringValue ?? "OK")")
        } catch {
            return .fail(
                evidence + "; health check failed: \(error)", fix: "check the data source's URL and credentials in Grafana")
        }
    }

    static func folder(_ context: GrafanaCheckContext) async -> Outcome {
        let uid = context.grafana.folderUID
        do {
            let (status, body) = try await context.probes.client.send(
                "GET", "/api/folders/\(GrafanaClient.escape(uid))", allowNotFound: true)
            if status == 404 { return .fail("no folder with uid \(uid)", fix: "tfdriftctl dashboards apply creates it") }
            return .pass("folder \(uid) \"\(body?["title"]?.stringValue ?? "")\" exists")
        } catch {
            return .fail("\(error)", fix: "")
        }
    }

    static func dashboards(_ context: GrafanaCheckContext) async -> Outcome {
        // A dashboards directory (yours) wins; without one, compare with the dashboards built in.
        let folderUID = context.grafana.folderUID
        let directory = context.doctor.options.dashboardsDirectory ?? context.doctor.find("dashboards")
        var desired = DesiredState()
        do {
            desired.dashboards =
                try directory.map { try DashboardFiles.load(directory: $0, folderUID: folderUID) }
                ?? DashboardFiles.loadBuiltIn(folderUID: folderUID)
        } catch {
            return .fail("\(directory ?? "built-in dashboards"): \(error)", fix: "fix the dashboard files")
        }
        do {
            let plan = try await context.probes.provisioner.plan(desired)
            return planOutcome(
                plan, kind: .dashboard, total: desired.dashboards.count, noun: "dashboard", apply: "tfdriftctl dashboards apply")
        } catch {
            return .fail("\(error)", fix: "")
        }
    }

    /// The rule groups `alerts plan` would want, built by the same code (`Provisioner.alertsDesiredState`:
    /// maintenance mute timings, Prometheus or not, the default contact point), compared the same way.
    static func alertRules(_ context: GrafanaCheckContext) async -> Outcome {
        let profileName = context.doctor.options.profile
        let profile: AlertProfile
        switch context.profile {
        case .failure(let error): return .fail("alert profile \(profileName): \(error)", fix: "pass --profile small|large|PATH")
        case .success(let loaded): profile = loaded
        }
        do {
            let request = try AlertsRequest(profile: profile, config: context.doctor.config, grafana: context.grafana)
            let input = try await context.probes.provisioner.alertsDesiredState(request)
            var desired = DesiredState()
            desired.ruleGroups = input.desired.ruleGroups
            let plan = try await context.probes.provisioner.plan(desired)
            let total = desired.ruleGroups.reduce(0) { $0 + $1.rules.count }
            var outcome = planOutcome(
                plan, kind: .ruleGroup, total: desired.ruleGroups.count, noun: "rule group",
                apply: "tfdriftctl alerts apply --profile \(profileName)")
            outcome.evidence = "profile \(profile.name) (\(Text.count(total, "rule"))): " + outcome.evidence
            if let note = input.notes.first(where: { $0.hasPrefix("no Prometheus") }) { outcome.evidence += "; \(note)" }
            return outcome
        } catch {
            return .fail(
                "profile \(profile.name): \(error)", fix: "tfdriftctl alerts plan --profile \(profileName) shows the same")
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

    static func rulesPaused(_ context: GrafanaCheckContext) async -> Outcome {
        let rules = await context.probes.rules()
        guard !rules.isEmpty else { return .skip("no rules of ours in folder \(context.grafana.folderUID)") }
        let paused = rules.filter { $0["isPaused"]?.boolValue == true }.compactMap { $0["title"]?.stringValue }
        if !paused.isEmpty {
            return .fail(
                "paused: \(paused.sorted().joined(separator: ", "))",
                fix: "resume them in Grafana, or run tfdriftctl alerts apply (which sets isPaused: false)")
        }
        return .pass("\(Text.count(rules.count, "rule")) in folder \(context.grafana.folderUID), none paused")
    }

    static func ruleHealth(_ context: GrafanaCheckContext) async -> Outcome {
        let rules = await context.probes.rules()
        let folderUID = context.grafana.folderUID
        guard !rules.isEmpty else { return .skip("no rules of ours in folder \(folderUID)") }
        let body: JSONValue?
        do {
            body = try await context.probes.client.send(
                "GET", "/api/prometheus/grafana/api/v1/rules", query: [("folder_uid", folderUID)]
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
        for rule in rules {
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
        return .pass("\(Text.count(rules.count, "rule")) evaluating without errors (GET /api/prometheus/grafana/api/v1/rules)")
    }

    static let placeholderMarkers = [
        "example.com", "example.org", "example@", "<", "changeme", "change-me", "xxxx", "placeholder",
        "hooks.slack.com/services/t0000", "your-", "todo",
    ]

    static func contactPoints(_ context: GrafanaCheckContext) async -> Outcome {
        let receivers = await context.probes.receivers()
        let contactPoints = await context.probes.contactPoints()
        guard !receivers.isEmpty else {
            return await context.probes.rules().isEmpty
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
                    "define a real contact point (Slack, email, PagerDuty) and map severities to it with grafana.contact_points (or configure outputs.slack), then tfdriftctl alerts apply"
            )
        }
        return .pass("our alerts notify \(good.joined(separator: ", "))")
    }

    static func routing(_ context: GrafanaCheckContext) async -> Outcome {
        let rules = await context.probes.rules()
        guard !rules.isEmpty else { return .skip("no rules of ours deployed yet (see grafana.alert_rules)") }
        let receivers = await context.probes.receivers()
        let policy = await context.probes.policy()
        let withSettings = rules.filter { $0["notification_settings"]?["receiver"] != nil }.count
        if withSettings == rules.count {
            return .pass(
                "every rule of ours routes through its notification settings (\(receivers.sorted().joined(separator: ", ")))")
        }
        if let route = ourRoute(policy) {
            let receiver = route["receiver"]?.stringValue ?? "?"
            let timings = MaintenanceMuteTimings.names(onRoute: route)
            return .pass(
                "the notification policy routes managed_by=tfdriftctl to \(receiver)"
                    + (timings.isEmpty ? "" : ", muted by \(timings.joined(separator: ", "))"))
        }
        let root = policy?["receiver"]?.stringValue ?? "?"
        return .warn(
            "\(rules.count - withSettings) rule(s) have no notification settings and no route matches managed_by=tfdriftctl: they fall to the default policy (\(root))",
            fix: "use routing: notification_settings or routing: policy in the profile and run tfdriftctl alerts apply")
    }

    static func testNotification(_ context: GrafanaCheckContext) async -> Outcome {
        guard context.doctor.options.sendTest else {
            return .skip("not sent (pass --send-test to send one test notification per contact point)")
        }
        let used = await context.probes.usedContactPoints()
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
                let (status, _) = try await context.probes.client.send(
                    "POST", "/api/alertmanager/grafana/config/api/v1/receivers/test", body: body)
                results.append("\(name) → \(status)")
            } catch {
                failed = true
                results.append("\(name): \(error)")
            }
        }
        if failed { return .fail(results.joined(separator: "; "), fix: "check the contact point's URL, token or SMTP settings") }
        return .pass("test sent: \(results.joined(separator: "; ")); confirm it arrived (seed 2.1)")
    }
}
