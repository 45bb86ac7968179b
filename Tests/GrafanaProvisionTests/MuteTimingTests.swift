import Foundation
import GrafanaProvision
import TestSupport
import Testing
import TfdriftCore

@Suite("Maintenance windows as Grafana mute timings")
struct MuteTimingTests {
    static let windows = """
            - name: "Weekly Deployment"
              days: ["Sunday"]
              start_time: "02:00"
              end_time: "06:00"
              timezone: "Asia/Tokyo"
            - name: "Nightly batch"
              days: [Friday, Saturday]
              start_time: "22:00"
              end_time: "02:00"
              timezone: "Europe/Berlin"
            - name: "Emergency Maintenance"
              start_datetime: "2025-12-10T20:00:00Z"
              end_datetime: "2025-12-10T23:00:00Z"

        """

    @Test("weekly windows become time_intervals; an overnight window is split at midnight; one-off windows are left out")
    func intervals() throws {
        let (specs, oneOff) = try MaintenanceMuteTimings.specs(try SilenceFixture.windows(Self.windows))
        #expect(oneOff == ["Emergency Maintenance"])
        #expect(specs.map(\.name) == ["tfdrift-maintenance-weekly-deployment", "tfdrift-maintenance-nightly-batch"])
        #expect(
            specs[0].timeIntervals == [
                ["weekdays": ["sunday"], "times": [["start_time": "02:00", "end_time": "06:00"]], "location": "Asia/Tokyo"]
            ])
        // Friday and Saturday nights: 22:00–24:00 on those days, 00:00–02:00 on the following ones (Saturday
        // and Sunday — the week wraps).
        #expect(
            specs[1].timeIntervals == [
                [
                    "weekdays": ["friday", "saturday"], "times": [["start_time": "22:00", "end_time": "24:00"]],
                    "location": "Europe/Berlin",
                ],
                [
                    "weekdays": ["sunday", "saturday"], "times": [["start_time": "00:00", "end_time": "02:00"]],
                    "location": "Europe/Berlin",
                ],
            ])
        let clash = try SilenceFixture.windows(
            """
                - {name: "Deploy!", days: [Mon], start_time: "01:00", end_time: "02:00"}
                - {name: "deploy", days: [Tue], start_time: "01:00", end_time: "02:00"}

            """)
        #expect(throws: ProvisionError.self) { try MaintenanceMuteTimings.specs(clash) }
    }

    @Test(
        "plan/apply against the simulator: mute timings created and attached to our rules; idempotent; removal detaches and deletes"
    )
    func notificationSettings() async throws {
        try await GrafanaHarness.run(seed: Fixture.seedPrometheus) { grafana in
            let provisioner = try grafana.provisioner()
            // Our alert rules, as `alerts apply --profile small` leaves them.
            let profile = try Fixture.profile("small")
            #expect(
                await provisioner.apply(try await provisioner.plan(Fixture.alertsDesired(profile))).results.allSatisfy {
                    $0.error == nil
                })
            let windows = try SilenceFixture.windows(Self.windows)

            let planned = try await provisioner.planMaintenanceMuteTimings(windows)
            #expect(planned.oneOffWindows == ["Emergency Maintenance"])
            #expect(planned.attachedRules.count == 3, "the three drift rules; health rules are never muted")
            #expect(planned.plan.creates == 2)
            #expect(planned.plan.changes.filter { $0.kind == .ruleGroup }.allSatisfy { $0.action == .update })
            let fieldPaths = planned.plan.changes.filter { $0.kind == .ruleGroup }.flatMap(\.fields).map(\.path)
            #expect(
                !fieldPaths.isEmpty && fieldPaths.allSatisfy { $0.hasSuffix("notification_settings.mute_time_intervals") },
                "\(fieldPaths)")
            let report = await provisioner.apply(planned.plan)
            #expect(report.results.allSatisfy { $0.error == nil }, "\(report.results.compactMap(\.error))")
            let state = await grafana.simulator.withState { $0 }
            #expect(
                Set(state.muteTimings.keys) == ["tfdrift-maintenance-weekly-deployment", "tfdrift-maintenance-nightly-batch"])
            for rule in state.rules where rule["labels"]?["tfdrift_kind"] == "drift" {
                #expect(
                    rule["notification_settings"]?["mute_time_intervals"]
                        == ["tfdrift-maintenance-weekly-deployment", "tfdrift-maintenance-nightly-batch"])
            }
            #expect(state.rules.filter { $0["notification_settings"]?["mute_time_intervals"] == nil }.count == 4)

            // Second run: nothing to do.
            let mark = await grafana.requestCount
            let again = try await provisioner.planMaintenanceMuteTimings(windows)
            #expect(!again.plan.hasChanges, "\(again.plan.changes.map { ($0.name, $0.fields.map(\.path)) })")
            #expect(await provisioner.apply(again.plan).results.isEmpty)
            #expect(await grafana.writes(since: mark).isEmpty)

            // `alerts apply` with the windows added to the profile wants the same rules: no fight.
            let combined = try profile.addingMaintenanceWindows(windows)
            let alertsPlan = try await provisioner.plan(Fixture.alertsDesired(combined))
            #expect(!alertsPlan.hasChanges, "\(alertsPlan.changes.map { ($0.name, $0.fields.map(\.path)) })")

            // The nightly window is removed: detached from every rule, then its mute timing deleted.
            let removal = try await provisioner.planMaintenanceMuteTimings([windows[0]])
            #expect(removal.plan.deletes == 1)
            #expect(removal.plan.changes.last?.kind == .muteTiming)
            let removed = await provisioner.apply(removal.plan)
            #expect(removed.results.allSatisfy { $0.error == nil }, "\(removed.results.compactMap(\.error))")
            let after = await grafana.simulator.withState { $0 }
            #expect(Set(after.muteTimings.keys) == ["tfdrift-maintenance-weekly-deployment"])
            #expect(
                after.rules.filter { $0["labels"]?["tfdrift_kind"] == "drift" }.allSatisfy {
                    $0["notification_settings"]?["mute_time_intervals"] == ["tfdrift-maintenance-weekly-deployment"]
                })
            await grafana.assertConforming()
        }
    }

    @Test(
        "routing: policy — the mute timings go on a child of our route that matches drift alerts only; the rest of the tree is untouched"
    )
    func policyRoute() async throws {
        try await GrafanaHarness.run(seed: Fixture.seedPrometheus) { grafana in
            let provisioner = try grafana.provisioner()
            var profile = try Fixture.profile("small")
            profile.routing = .policy
            #expect(
                await provisioner.apply(try await provisioner.plan(Fixture.alertsDesired(profile))).results.allSatisfy {
                    $0.error == nil
                })
            // Someone else's route and mute timing.
            await grafana.simulator.withState { state in
                state.muteTimings["weekends"] = GrafanaOrgState.MuteTiming(
                    timeIntervals: [["weekdays": ["saturday", "sunday"]]], version: "v1", provenance: "")
                var tree = state.policy.objectValue!
                var routes = tree["routes"]!.arrayValue!
                routes.append([
                    "receiver": "grafana-default-email", "object_matchers": [["team", "=", "db"]],
                    "mute_time_intervals": ["weekends"],
                ])
                tree["routes"] = .array(routes)
                state.policy = .object(tree)
            }
            let windows = try SilenceFixture.windows(Self.windows)
            let planned = try await provisioner.planMaintenanceMuteTimings(windows)
            #expect(planned.attachedRoute && planned.attachedRules.isEmpty)
            #expect(planned.notes.isEmpty, "\(planned.notes)")
            #expect(await provisioner.apply(planned.plan).results.allSatisfy { $0.error == nil })
            let routes = await grafana.simulator.withState { $0.policy["routes"]?.arrayValue ?? [] }
            let ours = try #require(routes.first { $0["object_matchers"] == [["managed_by", "=", "tfdriftctl"]] })
            // Health alerts stop at our route, which maintenance never mutes; drift alerts go to its child.
            #expect(ours["mute_time_intervals"] == nil)
            let drift = try #require(ours["routes"]?.arrayValue?.first)
            #expect(drift["object_matchers"] == [["tfdrift_kind", "=", "drift"]])
            #expect(
                drift["mute_time_intervals"] == ["tfdrift-maintenance-weekly-deployment", "tfdrift-maintenance-nightly-batch"])
            let theirs = try #require(routes.first { $0["object_matchers"] == [["team", "=", "db"]] })
            #expect(theirs["mute_time_intervals"] == ["weekends"])
            #expect(!(try await provisioner.planMaintenanceMuteTimings(windows)).plan.hasChanges)
            await grafana.assertConforming()
        }
    }

    @Test("no rules of ours yet: the mute timings are created and the plan says how they get attached")
    func noRules() async throws {
        try await GrafanaHarness.run { grafana in
            let provisioner = try grafana.provisioner()
            let planned = try await provisioner.planMaintenanceMuteTimings(try SilenceFixture.windows(Self.windows))
            #expect(planned.plan.creates == 2)
            #expect(planned.notes.first?.contains("tfdriftctl alerts apply") == true)
            #expect(await provisioner.apply(planned.plan).results.allSatisfy { $0.error == nil })
            #expect(await grafana.simulator.withState { $0.muteTimings.count } == 2)
            await grafana.assertConforming()
        }
    }
}
