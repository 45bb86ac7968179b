import Foundation
import GrafanaProvision
import TestSupport
import Testing
import TfdriftCore

@Suite("Provisioning against the simulated Grafana")
struct ProvisionTests {
    @Test("dashboards: plan, apply, second apply sends no write, UI edit shows up field by field, export round-trips")
    func dashboards() async throws {
        try await GrafanaHarness.run { grafana in
            let provisioner = try grafana.provisioner()
            let desired = try Fixture.dashboardsDesired()
            let plan = try await provisioner.plan(desired)
            #expect(plan.creates == 5)  // data source, folder, three dashboards
            #expect(plan.changes.map(\.kind) == [.dataSource, .folder, .dashboard, .dashboard, .dashboard])
            let mark = await grafana.requestCount
            #expect(await grafana.writes(since: 0).isEmpty, "plan must not write")
            let report = await provisioner.apply(plan)
            #expect(report.results.allSatisfy { $0.error == nil }, "\(report.results)")
            #expect(await grafana.writes(since: mark).count == 5)
            let source = await grafana.simulator.withState { $0.dataSources.first { $0.uid == "tfdrift-loki" } }
            #expect(source?.secure == ["basicAuthPassword": "loki-password", "httpHeaderValue1": "team-a"])
            #expect(source?.fields["jsonData"]?["httpHeaderName1"] == "X-Scope-OrgID")

            // Second run: nothing to do, nothing sent.
            let second = try await provisioner.plan(try Fixture.dashboardsDesired())
            #expect(!second.hasChanges, "\(second.changes.map { ($0.name, $0.fields) })")
            let before = await grafana.requestCount
            let again = await provisioner.apply(second)
            #expect(again.results.isEmpty)
            #expect(await grafana.writes(since: before).isEmpty)

            // Someone edits a panel title in the UI.
            await grafana.simulator.withState { state in
                let index = state.dashboards.firstIndex { $0.uid == "tfdrift-overview" }!
                var panels = state.dashboards[index].model["panels"]!.arrayValue!
                var first = panels[0].objectValue!
                first["title"] = "Edited in the UI"
                panels[0] = .object(first)
                state.dashboards[index].model["panels"] = .array(panels)
                state.dashboards[index].version += 1
                state.dashboards[index].model["version"] = .number(Double(state.dashboards[index].version))
            }
            let drift = try await provisioner.plan(try Fixture.dashboardsDesired())
            #expect(drift.updates == 1)
            #expect(drift.changes.first?.fields.map(\.path) == ["dashboard.panels[0].title"])
            #expect(drift.changes.first?.fields.first?.before == .string("Edited in the UI"))
            #expect(await provisioner.apply(drift).results.allSatisfy { $0.error == nil })
            #expect(!(try await provisioner.plan(try Fixture.dashboardsDesired())).hasChanges)

            // Export, then apply the export: zero changes.
            let exported = try await provisioner.exportDashboards(folderUID: "tfdrift")
            #expect(exported.map(\.uid) == ["tfdrift-details", "tfdrift-health", "tfdrift-overview"])
            let directory = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            for (uid, model) in exported {
                #expect(model["id"] == nil && model["version"] == nil)
                try Data(JSONWriter.pretty(model).utf8).write(to: directory.appendingPathComponent("\(uid).json"))
            }
            let roundTrip = try await provisioner.plan(try Fixture.dashboardsDesired(directory: directory.path))
            #expect(!roundTrip.hasChanges)
            await grafana.assertConforming()
        }
    }

    @Test("dashboards: a change made after the plan is a reported conflict, not an overwrite; file-provisioned ones are refused")
    func dashboardConflicts() async throws {
        try await GrafanaHarness.run { grafana in
            let provisioner = try grafana.provisioner()
            _ = await provisioner.apply(try await provisioner.plan(try Fixture.dashboardsDesired()))
            var desired = try Fixture.dashboardsDesired()
            desired.dashboards[0].model = desired.dashboards[0].model.setting("description", "new description")
            let plan = try await provisioner.plan(desired)
            #expect(plan.updates == 1)
            // Someone saves the dashboard between plan and apply.
            await grafana.simulator.withState { state in
                let index = state.dashboards.firstIndex { $0.uid == desired.dashboards[0].uid }!
                state.dashboards[index].version += 1
            }
            let report = await provisioner.apply(plan)
            let error = try #require(report.results.first?.error)
            #expect(error.contains("412"))
            #expect(error.contains("changed by someone else"))
            #expect(error.contains("run plan again"))
            // A dashboard provisioned from files on the Grafana host is left alone.
            await grafana.simulator.withState { state in
                let index = state.dashboards.firstIndex { $0.uid == desired.dashboards[0].uid }!
                state.dashboards[index].provisioned = true
            }
            let refused = try await provisioner.plan(desired)
            #expect(refused.refusals.count == 1)
            #expect(refused.refusals.first?.reason.contains("provenance: file") == true)
            #expect(!refused.changes.contains { $0.kind == .dashboard && $0.name.hasPrefix(desired.dashboards[0].uid) })
            await grafana.assertConforming()
        }
    }

    @Test("alerts: apply the small profile, second apply sends no write, a rule edited in Grafana shows in plan")
    func alertsIdempotent() async throws {
        try await GrafanaHarness.run(seed: Fixture.seedPrometheus) { grafana in
            let provisioner = try grafana.provisioner()
            let desired = Fixture.alertsDesired(try Fixture.profile("small"))
            let plan = try await provisioner.plan(desired)
            #expect(plan.refusals.isEmpty)
            #expect(plan.changes.map(\.kind) == [.dataSource, .folder, .template, .ruleGroup, .ruleGroup])
            let report = await provisioner.apply(plan)
            #expect(report.results.allSatisfy { $0.error == nil }, "\(report.results)")
            let rules = await grafana.simulator.withState { $0.rules }
            #expect(rules.count == 7)
            #expect(
                rules.allSatisfy {
                    $0["provenance"] == "api" && $0["notification_settings"]?["receiver"] == "grafana-default-email"
                })

            let mark = await grafana.requestCount
            let second = try await provisioner.plan(Fixture.alertsDesired(try Fixture.profile("small")))
            #expect(!second.hasChanges, "\(second.changes.map { ($0.name, $0.fields) })")
            _ = await provisioner.apply(second)
            #expect(await grafana.writes(since: mark).isEmpty)

            // Someone raises a threshold in the UI.
            await grafana.simulator.withState { state in
                let index = state.rules.firstIndex { $0["uid"] == "tfdrift-critical-drift" }!
                var data = state.rules[index]["data"]!.arrayValue!
                var model = data[1]["model"]!.objectValue!
                model["conditions"] = [["evaluator": ["type": "gt", "params": [5]]]]
                data[1] = data[1].objectValue.map {
                    var query = $0
                    query["model"] = .object(model)
                    return .object(query)
                }!
                state.rules[index]["data"] = .array(data)
            }
            let drift = try await provisioner.plan(Fixture.alertsDesired(try Fixture.profile("small")))
            #expect(drift.updates == 1)
            #expect(
                drift.changes.first?.fields.map(\.path)
                    == ["rules[tfdrift-critical-drift].data[B].model.conditions[0].evaluator.params[0]"])

            // Switching to the large profile changes exactly the three thresholds/windows.
            let large = try await provisioner.plan(Fixture.alertsDesired(try Fixture.profile("large")))
            let paths = large.changes.flatMap(\.fields).map(\.path)
            #expect(paths.contains("rules[tfdrift-critical-drift].data[A].model.expr"))
            #expect(paths.contains("rules[tfdrift-high-drift].data[B].model.conditions[0].evaluator.params[0]"))
            #expect(paths.contains("rules[tfdrift-excessive-drift].data[B].model.conditions[0].evaluator.params[0]"))
            await grafana.assertConforming()
        }
    }

    @Test("alerts export applies back with zero changes")
    func alertsExport() async throws {
        try await GrafanaHarness.run(seed: Fixture.seedPrometheus) { grafana in
            let provisioner = try grafana.provisioner()
            let profile = try Fixture.profile("large")
            _ = await provisioner.apply(try await provisioner.plan(Fixture.alertsDesired(profile)))
            let text = try await provisioner.exportAlertProfile(
                folderUID: "tfdrift", name: "large", base: profile, lokiUID: "tfdrift-loki")
            #expect(text.contains("tfdrift-critical-drift"))
            #expect(!text.contains("grafana:"), "every shipped rule has the short form")
            let reloaded = try AlertProfile.parse(text, source: "export")
            let plan = try await provisioner.plan(Fixture.alertsDesired(reloaded))
            #expect(!plan.hasChanges, "\(plan.changes.map { ($0.name, $0.fields) })")
            // A rule someone rewrote by hand comes out in Grafana's form and still round-trips.
            await grafana.simulator.withState { state in
                let index = state.rules.firstIndex { $0["uid"] == "tfdrift-sink-failing" }!
                state.rules[index]["condition"] = "A"
            }
            let handmade = try await provisioner.exportAlertProfile(
                folderUID: "tfdrift", name: "large", base: profile, lokiUID: "tfdrift-loki")
            #expect(handmade.contains("grafana:"))
            let replan = try await provisioner.plan(Fixture.alertsDesired(try AlertProfile.parse(handmade, source: "export")))
            #expect(!replan.hasChanges, "\(replan.changes.map { ($0.name, $0.fields) })")
        }
    }

    static let foreignTree: JSONNode = [
        "receiver": "grafana-default-email", "group_by": ["grafana_folder", "alertname"],
        "routes": [
            ["receiver": "team-a-pager", "object_matchers": [["team", "=", "a"]], "continue": true, "group_wait": "10s"],
            [
                "receiver": "grafana-default-email", "object_matchers": [["severity", "=~", "warn.*"]],
                "mute_time_intervals": ["weekends"],
            ],
        ],
    ]

    static func seedForeign(_ state: inout GrafanaOrgState) {
        Fixture.seedPrometheus(&state)
        state.contactPoints.append(
            GrafanaOrgState.ContactPoint(
                uid: "team-a-pager", name: "team-a-pager", type: "webhook", settings: ["url": "https://pager.example/hook"]))
        state.muteTimings["weekends"] = GrafanaOrgState.MuteTiming(
            timeIntervals: [["weekdays": ["saturday", "sunday"]]], version: "v1", provenance: "")
        state.policy = foreignTree
        state.folders.append(GrafanaOrgState.Folder(id: 5, uid: "team-a", title: "Team A", version: 1))
        state.rules.append([
            "uid": "team-a-rule", "orgID": 1, "folderUID": "team-a", "ruleGroup": "team-a", "title": "Team A rule",
            "condition": "A",
            "noDataState": "OK", "execErrState": "Error", "for": "1m", "provenance": "",
            "data": [
                ["refId": "A", "datasourceUid": "__expr__", "model": ["refId": "A", "type": "math", "expression": "1 > 0"]]
            ],
        ])
        state.groupIntervals["team-a/team-a"] = 60
    }

    @Test("routing mode policy: one sub-route of ours; other teams' routes, contact points and rules survive apply and delete")
    func policyRouting() async throws {
        try await GrafanaHarness.run(seed: Self.seedForeign) { grafana in
            let provisioner = try grafana.provisioner()
            var profile = try Fixture.profile("small")
            profile.routing = .policy
            let plan = try await provisioner.plan(Fixture.alertsDesired(profile, overrides: ["default": "team-a-pager"]))
            #expect(plan.changes.contains { $0.kind == .notificationPolicy && $0.action == .create })
            #expect(await provisioner.apply(plan).results.allSatisfy { $0.error == nil })
            let tree = await grafana.simulator.withState { $0.policy }
            let routes = tree["routes"]?.arrayValue ?? []
            #expect(routes.count == 3)
            #expect(routes.first?["object_matchers"] == [["managed_by", "=", "tfdriftctl"]])
            #expect(routes.first?["receiver"] == "team-a-pager")
            #expect(Array(routes.dropFirst()) == Self.foreignTree["routes"]?.arrayValue)
            var rest = tree.objectValue ?? [:]
            var foreignRest = Self.foreignTree.objectValue ?? [:]
            rest["routes"] = nil
            foreignRest["routes"] = nil
            #expect(rest == foreignRest)
            // The shared tree stays editable in the UI for everyone else.
            #expect(await grafana.simulator.withState { $0.policyProvenance } == "")
            // Rules route through the tree, not rule-level settings.
            #expect(await grafana.simulator.withState { $0.rules.filter { $0["notification_settings"] != nil }.count } == 0)

            let mark = await grafana.requestCount
            let second = try await provisioner.plan(Fixture.alertsDesired(profile, overrides: ["default": "team-a-pager"]))
            #expect(!second.hasChanges, "\(second.changes.map { ($0.name, $0.fields) })")
            #expect(await grafana.writes(since: mark).isEmpty)

            let deletion = try await provisioner.plan(
                Fixture.alertsDesired(profile, overrides: ["default": "team-a-pager"]), destroy: true)
            #expect(await provisioner.apply(deletion).results.allSatisfy { $0.error == nil })
            let after = await grafana.simulator.withState { $0 }
            #expect(after.policy == Self.foreignTree)
            #expect(after.rules.map { $0["uid"] } == ["team-a-rule"])
            #expect(after.contactPoints.map(\.uid).sorted() == ["cdefaultemail", "team-a-pager"])
            #expect(after.muteTimings["weekends"] != nil)
            #expect(after.templates.isEmpty)
            await grafana.assertConforming()
        }
    }

    @Test("contact points: secrets from the environment, sent once, [REDACTED] when only other settings change")
    func contactPointSecrets() async throws {
        let yaml = """
            profile: secrets
            runbook_base_url: https://runbooks.example
            receivers: {default: tfdrift-slack}
            contact_points:
              - uid: tfdrift-slack
                name: tfdrift-slack
                type: slack
                settings: {recipient: "#drift", title: "Drift"}
                secure_settings:
                  url: {env: SLACK_WEBHOOK_URL}
            groups:
              - name: tfdrift-drift
                interval: 1m
                rules:
                  - uid: tfdrift-critical-drift
                    title: Critical Drift Detected
                    severity: critical
                    expr: 'sum(count_over_time({job="tfdrift-falco", severity="critical"} [5m]))'
                    condition: "> 0"
                    summary: critical drift
                    runbook: critical-drift.md
            """
        let secret = "https://hooks.slack.com/services/T000/B000/SECRET1"
        try await GrafanaHarness.run { grafana in
            let provisioner = try grafana.provisioner()
            let profile = try AlertProfile.parse(yaml, source: "test", environment: ["SLACK_WEBHOOK_URL": secret])
            let plan = try await provisioner.plan(Fixture.alertsDesired(profile))
            #expect(!"\(plan.changes.flatMap(\.fields))".contains("SECRET1"))
            #expect(await provisioner.apply(plan).results.allSatisfy { $0.error == nil })
            #expect(await grafana.simulator.withState { $0.contactPoints.last?.settings["url"] } == .string(secret))

            let mark = await grafana.requestCount
            #expect(!(try await provisioner.plan(Fixture.alertsDesired(profile))).hasChanges)
            #expect(await grafana.writes(since: mark).isEmpty)

            // A non-secret change: the secret is not re-sent.
            var retitled = profile
            retitled.contactPoints[0].settings["title"] = "Terraform drift"
            let mark2 = await grafana.requestCount
            _ = await provisioner.apply(try await provisioner.plan(Fixture.alertsDesired(retitled)))
            let put = await grafana.writes(since: mark2).first { $0.method == "PUT" }
            #expect(put?.body?["settings"]?["url"] == "[REDACTED]")
            #expect(await grafana.simulator.withState { $0.contactPoints.last?.settings["url"] } == .string(secret))

            // A rotated secret is sent.
            let rotated = try AlertProfile.parse(yaml, source: "test", environment: ["SLACK_WEBHOOK_URL": secret + "X"])
            var rotatedTitled = rotated
            rotatedTitled.contactPoints[0].settings["title"] = "Terraform drift"
            let changed = try await provisioner.plan(Fixture.alertsDesired(rotatedTitled))
            #expect(changed.changes.map(\.kind) == [.contactPoint])
            _ = await provisioner.apply(changed)
            #expect(await grafana.simulator.withState { $0.contactPoints.last?.settings["url"] } == .string(secret + "X"))
            await grafana.assertConforming()
        }
        // A secret whose variable is unset is an error before anything is sent, never an empty contact point.
        let unset = #expect(throws: ConfigError.self) { try AlertProfile.parse(yaml, source: "test", environment: [:]) }
        #expect(unset?.description.contains("$SLACK_WEBHOOK_URL, which is not set") == true, "\(String(describing: unset))")
        #expect(unset?.line == 10, "the profile's errors carry their line")
    }

    @Test("provenance: file-provisioned resources are refused with a clear message; --ui-editable sends X-Disable-Provenance")
    func provenance() async throws {
        try await GrafanaHarness.run(seed: Fixture.seedPrometheus) { grafana in
            // ui-editable: every provisioning write carries the header, and the rules stay editable.
            let editable = try grafana.provisioner(uiEditable: true)
            let desired = Fixture.alertsDesired(try Fixture.profile("small"))
            let mark = await grafana.requestCount
            _ = await editable.apply(try await editable.plan(desired))
            let provisioningWrites = await grafana.writes(since: mark).filter { $0.path.contains("/v1/provisioning/") }
            #expect(!provisioningWrites.isEmpty)
            #expect(provisioningWrites.allSatisfy { $0.headers["x-disable-provenance"] != nil })
            #expect(await grafana.simulator.withState { $0.rules.allSatisfy { $0["provenance"] == nil } })
            // Going back to API-locked is a provenance change the plan shows.
            let locked = try grafana.provisioner()
            let relock = try await locked.plan(desired)
            #expect(relock.changes.flatMap(\.fields).contains { $0.path == "provenance" })

            // A template provisioned from files is refused, and nothing is written for it.
            await grafana.simulator.withState { $0.templates["tfdrift"]?.provenance = "file" }
            let plan = try await locked.plan(desired)
            let refusal = try #require(plan.refusals.first)
            #expect(refusal.kind == .template)
            #expect(refusal.reason.contains("provisioned from files on the Grafana host"))
            let before = await grafana.requestCount
            let report = await locked.apply(plan)
            #expect(report.failed)
            #expect(await grafana.writes(since: before).allSatisfy { !$0.path.contains("/templates/") })
            await grafana.assertConforming()
        }
    }

    @Test("429 and 503 are retried with backoff; errors quote Grafana's message")
    func retriesAndErrors() async throws {
        try await GrafanaHarness.run(seed: Fixture.seedPrometheus) { grafana in
            let provisioner = try grafana.provisioner()
            await grafana.simulator.inject(status: 429, count: 2, retryAfter: "0", pathContains: "/api/folders")
            await grafana.simulator.inject(status: 503, count: 1, pathContains: "rule-groups")
            let report = await provisioner.apply(try await provisioner.plan(Fixture.alertsDesired(try Fixture.profile("small"))))
            #expect(report.results.allSatisfy { $0.error == nil }, "\(report.results)")
            #expect(await grafana.simulator.requests.filter { $0.status == 429 }.count == 2)

            // A wrong token: the error says what Grafana said and what to check.
            let wrong = try grafana.provisioner(token: "nope")
            await #expect {
                _ = try await wrong.plan(Fixture.alertsDesired(try Fixture.profile("small")))
            } throws: { error in
                let text = "\(error)"
                return text.contains("401") && text.contains("Invalid API key") && text.contains("grafana.token")
                    && !text.contains("nope")
            }
            // A receiver that exists nowhere is caught before any write.
            let mark = await grafana.requestCount
            await #expect(throws: ProvisionError.self) {
                _ = try await provisioner.plan(
                    Fixture.alertsDesired(try Fixture.profile("small"), overrides: ["critical": "ghost"]))
            }
            #expect(await grafana.writes(since: mark).isEmpty)
        }
    }
}
