import Foundation
import GrafanaProvision
import TestSupport
import Testing
import TfdriftCore

/// Issue 13's provisioning items, against the simulated Grafana: a fresh Grafana's default data source,
/// health rules and maintenance, a Loki-only Grafana.
@Suite("Provisioning as operators run it")
struct OperationsTests {
    @Test("dashboards apply on a fresh Grafana: the first data source becomes the default, and the next plan leaves that alone")
    func firstDataSourceIsDefault() async throws {
        try await GrafanaHarness.run { grafana in
            let provisioner = try grafana.provisioner()
            let report = await provisioner.apply(try await provisioner.plan(try Fixture.dashboardsDesired()))
            #expect(report.results.allSatisfy { $0.error == nil }, "\(report.results.compactMap(\.error))")
            let source = await grafana.simulator.withState { $0.dataSources.first { $0.uid == "tfdrift-loki" } }
            #expect(source?.fields["isDefault"] == true, "Grafana made its first data source the default")
            let mark = await grafana.requestCount
            let second = try await provisioner.plan(try Fixture.dashboardsDesired())
            #expect(!second.hasChanges, "\(second.changes.map { ($0.name, $0.fields.map(\.path)) })")
            #expect(await provisioner.apply(second).results.isEmpty)
            #expect(await grafana.writes(since: mark).isEmpty)

            // Another change to the data source keeps Grafana's default flag (a PUT replaces every field).
            var moved = try Fixture.dashboardsDesired()
            moved.dataSource?.url = "http://loki.internal:3100"
            let update = try await provisioner.plan(moved)
            #expect(update.changes.flatMap(\.fields).map(\.path) == ["url"])
            #expect(await provisioner.apply(update).results.allSatisfy { $0.error == nil })
            #expect(await grafana.simulator.withState { $0.dataSources.first?.fields["isDefault"] } == true)

            // Said in the config (grafana.datasource_is_default), it is managed like any field.
            moved.dataSource?.isDefault = false
            let configured = try await provisioner.plan(moved)
            #expect(configured.changes.flatMap(\.fields).map(\.path) == ["isDefault"])
            await grafana.assertConforming()
        }
    }

    @Test("maintenance mute timings go on drift rules only: the detector's health rules are never muted")
    func healthRulesNeverMuted() async throws {
        try await GrafanaHarness.run(seed: Fixture.seedPrometheus) { grafana in
            let provisioner = try grafana.provisioner()
            let windows = try SilenceFixture.windows(MuteTimingTests.windows)
            let profile = try Fixture.profile("small").addingMaintenanceWindows(windows)
            #expect(
                await provisioner.apply(try await provisioner.plan(Fixture.alertsDesired(profile))).results.allSatisfy {
                    $0.error == nil
                })
            let rules = await grafana.simulator.withState { $0.rules }
            let health = ["tfdrift-detector-down", "tfdrift-detector-silent", "tfdrift-state-stale", "tfdrift-sink-failing"]
            for rule in rules {
                let uid = rule["uid"]?.stringValue ?? ""
                let muted = rule["notification_settings"]?["mute_time_intervals"]
                if health.contains(uid) {
                    #expect(muted == nil, "\(uid) is muted by \(String(describing: muted))")
                    #expect(rule["labels"]?["tfdrift_kind"] == "health")
                } else {
                    #expect(muted == ["tfdrift-maintenance-weekly-deployment", "tfdrift-maintenance-nightly-batch"], "\(uid)")
                    #expect(rule["labels"]?["tfdrift_kind"] == "drift")
                }
            }
            // `mute-timings apply` wants the same: nothing to change, and it attaches to the three drift rules.
            let planned = try await provisioner.planMaintenanceMuteTimings(windows)
            #expect(!planned.plan.hasChanges, "\(planned.plan.changes.map { ($0.name, $0.fields.map(\.path)) })")
            #expect(Set(planned.attachedRules) == ["tfdrift-critical-drift", "tfdrift-high-drift", "tfdrift-excessive-drift"])
            await grafana.assertConforming()
        }
    }

    @Test(
        "a Loki-only Grafana: the drift rules and a LogQL 'detector silent' apply; Prometheus-only rules are skipped with one line"
    )
    func lokiOnly() async throws {
        try await GrafanaHarness.run { grafana in
            let provisioner = try grafana.provisioner()
            var request = AlertsRequest(profile: try Fixture.profile("small"), folder: Fixture.folder, lokiUID: "tfdrift-loki")
            request.dataSource = DataSourceSpec(uid: "tfdrift-loki", name: "Loki (tfdrift)", url: "http://loki:3100")
            let input = try await provisioner.alertsDesiredState(request)
            let note = try #require(input.notes.first { $0.hasPrefix("no Prometheus") })
            #expect(note.contains("Drift Detector Down") && note.contains("Drift Detector Silent use(s) Loki instead"), "\(note)")
            let plan = try await provisioner.plan(input.desired)
            let report = await provisioner.apply(plan)
            #expect(report.results.allSatisfy { $0.error == nil }, "\(report.results.compactMap(\.error))")
            let rules = await grafana.simulator.withState { $0.rules }
            #expect(
                Set(rules.compactMap { $0["uid"]?.stringValue })
                    == ["tfdrift-critical-drift", "tfdrift-high-drift", "tfdrift-excessive-drift", "tfdrift-detector-silent"])
            let silent = try #require(rules.first { $0["uid"] == "tfdrift-detector-silent" })
            let query = silent["data"]?.arrayValue?.first
            #expect(query?["datasourceUid"] == "tfdrift-loki")
            #expect(query?["model"]?["expr"]?.stringValue?.contains("{job=\"tfdrift-falco-heartbeat\"}") == true)
            #expect(silent["noDataState"] == "Alerting", "no heartbeat at all is silence too")
            // Idempotent, and doctor-equal: the same builder gives the same rules the next time.
            let again = try await provisioner.plan(try await provisioner.alertsDesiredState(request).desired)
            #expect(!again.hasChanges, "\(again.changes.map { ($0.name, $0.fields.map(\.path)) })")

            // Once Prometheus is added, the health rules it feeds are planned, and "silent" returns to PromQL.
            await grafana.simulator.withState { $0.addPrometheusDataSource() }
            let withPrometheus = try await provisioner.alertsDesiredState(request)
            #expect(!withPrometheus.notes.contains { $0.hasPrefix("no Prometheus") })
            let upgrade = try await provisioner.plan(withPrometheus.desired)
            #expect(upgrade.changes.map(\.name).contains("tfdrift/tfdrift-operational"))
            await grafana.assertConforming()
        }
    }

    @Test("without grafana.contact_points, alerts notify a Slack contact point made from outputs.slack")
    func defaultContactPoint() async throws {
        var config = TfdriftConfig()
        var slack = SlackConfig(webhookURL: Secret("https://hooks.slack.com/services/T1/B2/real-secret"))
        slack.channel = "#infra-drift"
        config.outputs.slack = slack
        config.outputs.loki = LokiConfig(url: "http://loki:3100")
        let grafana = GrafanaConfig(url: "http://grafana:3000")
        let request = try AlertsRequest(profile: try Fixture.profile("small"), config: config, grafana: grafana)
        try await GrafanaHarness.run(seed: Fixture.seedPrometheus) { simulator in
            let provisioner = try simulator.provisioner()
            let input = try await provisioner.alertsDesiredState(request)
            #expect(input.notes.contains { $0.contains("tfdrift-slack") })
            #expect(await provisioner.apply(try await provisioner.plan(input.desired)).results.allSatisfy { $0.error == nil })
            let state = await simulator.simulator.withState { $0 }
            #expect(state.rules.allSatisfy { $0["notification_settings"]?["receiver"] == "tfdrift-slack" })
            let point = try #require(state.contactPoints.first { $0.uid == "tfdrift-slack" })
            #expect(point.type == "slack" && point.settings["recipient"] == "#infra-drift")
            #expect(point.settings["url"] == "https://hooks.slack.com/services/T1/B2/real-secret")
            await simulator.assertConforming()
        }
        // With nothing to notify, the plan says so in one line instead of pretending.
        let bare = AlertsRequest(profile: try Fixture.profile("small"), folder: Fixture.folder, lokiUID: "tfdrift-loki")
        try await GrafanaHarness.run(seed: Fixture.seedPrometheus) { simulator in
            let input = try await simulator.provisioner().alertsDesiredState(bare)
            #expect(input.notes.contains { $0.contains("grafana-default-email, Grafana's placeholder") })
        }
    }

    @Test("a create reads in full: every field of a new rule group, keyed by rule uid and query refId")
    func createsInFull() async throws {
        try await GrafanaHarness.run(seed: Fixture.seedPrometheus) { grafana in
            let plan = try await grafana.provisioner().plan(Fixture.alertsDesired(try Fixture.profile("small")))
            let group = try #require(plan.changes.first { $0.name == "tfdrift/tfdrift-drift" })
            #expect(group.action == .create)
            let paths = group.fields.map(\.path)
            #expect(paths.contains("rules[tfdrift-critical-drift].data[A].model.expr"))
            #expect(paths.contains("rules[tfdrift-critical-drift].data[B].model.conditions[0].evaluator.params"))
            #expect(paths.contains("interval"))
            let expr = group.fields.first { $0.path == "rules[tfdrift-high-drift].data[A].model.expr" }?.after?.stringValue
            #expect(expr?.contains("severity=\"high\"") == true)
        }
    }
}
