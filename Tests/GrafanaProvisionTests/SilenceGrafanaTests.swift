import Foundation
import GrafanaProvision
import HTTPTransportAHC
import TestSupport
import Testing
import TfdriftCore

extension GrafanaHarness {
    func silenceManager(
        dataSourceUID: String? = nil, token: String = "sim-token", options: SilenceOptions = SilenceOptions(),
        now: Date
    ) throws -> SilenceManager {
        let client = GrafanaClient(
            baseURL: baseURL, auth: .token(Secret(token)), orgID: 1, transport: try AHCTransport(),
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)))
        return SilenceManager(
            api: AlertmanagerAPI(grafana: client, dataSourceUID: dataSourceUID), options: options, clock: { now })
    }
}

@Suite("Silences through Grafana (built-in Alertmanager and a proxied data source), against the simulator")
struct SilenceGrafanaTests {
    static let now = SilenceFixture.date("2025-12-07T00:00:00Z")  // Sunday 09:00 in Tokyo

    static let seedWindows = """
            - name: "Weekly Deployment"
              days: ["Sunday"]
              start_time: "02:00"
              end_time: "06:00"
              timezone: "Asia/Tokyo"
            - name: "Tokyo Office Hours"
              days: ["Sunday"]
              start_time: "08:00"
              end_time: "12:00"
              timezone: "Asia/Tokyo"
            - name: "Emergency Maintenance"
              start_datetime: "2025-12-10T20:00:00Z"
              end_datetime: "2025-12-10T23:00:00Z"

        """

    @Test("Grafana's built-in Alertmanager: schedule, idempotent re-run, change, removal; requests conform to Alertmanager's API")
    func builtIn() async throws {
        try await GrafanaHarness.run { grafana in
            await grafana.simulator.setAlertmanagerClock(Self.now)
            let manager = try grafana.silenceManager(now: Self.now)
            #expect(manager.api.label.hasPrefix("Grafana's Alertmanager at http://127.0.0.1:"))
            let windows = try SilenceFixture.windows(Self.seedWindows)
            // Office hours run right now (08:00–12:00 JST = 23:00–03:00 UTC); the next deployment is 14 December.
            let plan = try await manager.plan(windows: windows)
            #expect(plan.count(.create) == 6, "\(plan.actions.map { ($0.kind, $0.tag) })")
            #expect(await grafana.writes(since: 0).isEmpty, "plan must not write")
            let report = await manager.apply(plan)
            #expect(!report.failed, "\(report.results.compactMap(\.error))")
            let stored = await grafana.simulator.withState { $0.alertmanager("grafana").silences }
            #expect(stored.count == 6)
            let running = try #require(
                stored.first { $0.comment.contains("occurrence=\"2025-12-07\"") && $0.comment.contains("Office") })
            #expect(running.startsAt == Self.now, "a start in the past becomes now")
            #expect(running.state(at: Self.now) == "active")
            #expect(
                await grafana.writes(since: 0).allSatisfy {
                    $0.path == "/api/alertmanager/grafana/api/v2/silences" && $0.headers["authorization"] == "Bearer sim-token"
                })

            // Re-run an hour later: nothing changes, nothing is sent.
            let later = Self.now.addingTimeInterval(3600)
            await grafana.simulator.setAlertmanagerClock(later)
            let mark = await grafana.requestCount
            let manager2 = try grafana.silenceManager(now: later)
            let second = try await manager2.plan(windows: windows)
            #expect(!second.hasChanges, "\(second.changes.map { ($0.kind, $0.tag, $0.fields.map(\.path)) })")
            #expect(await manager2.apply(second).results.isEmpty)
            #expect(await grafana.writes(since: mark).isEmpty)

            // Office hours now end at 13:00: all three occurrences are updated in place, ids kept (the running
            // one keeps the start Alertmanager gave it).
            var changed = windows
            changed[1] = try SilenceFixture.weekly("Tokyo Office Hours", "Sunday", "08:00", "13:00", "Asia/Tokyo")
            let third = try await manager2.plan(windows: changed)
            #expect(third.count(.update) == 3 && third.count(.create) == 0)
            let updated = await manager2.apply(third)
            #expect(!updated.failed, "\(updated.results.compactMap(\.error))")
            let pendingUpdate = try #require(updated.results.first { $0.action.tag.occurrence == "2025-12-14" })
            #expect(pendingUpdate.id == pendingUpdate.action.existing?.id && pendingUpdate.replaced == nil)
            let afterChange = await grafana.simulator.withState { $0.alertmanager("grafana").silences }
            let live = afterChange.filter { $0.state(at: later) != "expired" }
            #expect(live.count == 6)
            #expect(updated.results.allSatisfy { $0.replaced == nil })
            #expect(!(try await manager2.plan(windows: changed)).hasChanges)

            // Office hours removed: its silences (running and pending) expire, the rest stay.
            let fourth = try await manager2.plan(windows: [changed[0], changed[2]])
            #expect(fourth.count(.expire) == 3)
            #expect(!(await manager2.apply(fourth)).failed)
            let remaining = await grafana.simulator.withState { $0.alertmanager("grafana").silences }
                .filter { $0.state(at: later) != "expired" }
            #expect(remaining.count == 3 && remaining.allSatisfy { !$0.comment.contains("Office") })

            // List and expire --window.
            let listed = try await manager2.list(scope: .ours, states: [.pending])
            #expect(listed.count == 3)
            let selected = try await manager2.select(.window("Weekly Deployment"))
            #expect(selected.count == 2)
            #expect(await manager2.expire(selected).allSatisfy { $0.outcome == .expired })
            await grafana.assertConforming()
            #expect(await grafana.simulator.rejected.isEmpty)
        }
    }

    static func seedDataSource(_ state: inout GrafanaOrgState) {
        state.dataSources.append(
            GrafanaOrgState.DataSource(
                fields: [
                    "id": 7, "uid": "prom-am", "name": "Alertmanager", "type": "alertmanager", "access": "proxy",
                    "url": "http://alertmanager:9093", "jsonData": ["implementation": "prometheus"], "version": 1,
                    "readOnly": false, "orgId": 1,
                ], secure: [:]))
        state.alertmanagers["prom-am"] = SimulatedAlertmanager(legacyErrors: true)
        // Someone's silence in the same Alertmanager.
        state.alertmanagers["prom-am", default: SimulatedAlertmanager(legacyErrors: true)].silences.append(
            SimulatedAlertmanager.StoredSilence(
                id: "0b9f7d4e-1111-4222-8333-444455556666", matchers: [["name": "team", "value": "db", "isRegex": false]],
                startsAt: Self.now, endsAt: Self.now.addingTimeInterval(86400), updatedAt: Self.now, createdBy: "bob",
                comment: "database upgrade"))
    }

    @Test("an Alertmanager data source proxied by Grafana, with Alertmanager ≤ 0.25 errors (500 for unknown ids)")
    func dataSource() async throws {
        try await GrafanaHarness.run(seed: Self.seedDataSource) { grafana in
            await grafana.simulator.setAlertmanagerClock(Self.now)
            let options = SilenceOptions(
                horizon: 7 * 86400, matchers: [LabelMatcher(name: "managed_by", op: .equal, value: "tfdriftctl")])
            let manager = try grafana.silenceManager(dataSourceUID: "prom-am", options: options, now: Self.now)
            #expect(manager.api.target == .grafanaDataSource(uid: "prom-am"))
            let windows = try SilenceFixture.windows(Self.seedWindows)
            #expect(!(await manager.apply(try await manager.plan(windows: windows))).failed)
            let all = try await manager.list(scope: .all)
            #expect(all.count == 5 && all.filter { $0.createdBy == "bob" }.count == 1)
            #expect(await grafana.simulator.withState { $0.alertmanager("grafana").silences.isEmpty })

            // DELETE of an unknown id answers 500 here; a read shows it is unknown: already gone.
            let mark = await grafana.requestCount
            #expect(try await manager.api.expire(id: "5b2b0b1e-0000-4000-8000-000000000000") == .alreadyGone)
            let statuses = await grafana.simulator.requests.dropFirst(mark).map(\.status)
            #expect(statuses.contains(500) && statuses.last == 404)

            // Removing every window expires ours only.
            #expect(!(await manager.apply(try await manager.plan(windows: []))).failed)
            let live = try await manager.list(scope: .all, states: [.active, .pending])
            #expect(live.map(\.createdBy) == ["bob"])

            // A uid that is not an Alertmanager data source, and a bad token: errors say so, without the token.
            let wrong = try grafana.silenceManager(dataSourceUID: "nope", options: options, now: Self.now)
            let notFound = await #expect(throws: AlertmanagerError.self) { try await wrong.plan(windows: windows) }
            #expect(notFound?.description.contains("datasource_uid") == true, "\(notFound.map { "\($0)" } ?? "")")
            let badToken = try grafana.silenceManager(token: "glsa_secret_value_1234", now: Self.now)
            let unauthorised = await #expect(throws: AlertmanagerError.self) { try await badToken.plan(windows: windows) }
            #expect(unauthorised?.status == 401)
            #expect(unauthorised?.description.contains("glsa_secret_value_1234") == false)
            #expect(unauthorised?.description.contains("grafana.token") == true)
            await grafana.assertConforming()
        }
    }
}
