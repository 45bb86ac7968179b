import Doctor
import Foundation
import GrafanaProvision
import HTTPTransportAHC
import TestSupport
import Testing
import TfdriftCore

/// Maintenance windows against a mute timing attached to our rules and silences in Grafana's Alertmanager.
@Suite("doctor: maintenance windows covered", .serialized)
struct MaintenanceTests {
    static func config(grafana: Int) -> String {
        """
        providers:
          aws:
            state: {backend: local, local_path: ./terraform.tfstate}
        grafana:
          url: "http://127.0.0.1:\(grafana)"
          token: "${GRAFANA_TOKEN}"
        advanced:
          maintenance_windows:
            - {name: "Weekly Deployment", days: [Sunday], start_time: "02:00", end_time: "06:00", timezone: Asia/Tokyo}
            - {name: "Emergency Maintenance", start_datetime: "2025-06-05T20:00:00Z", end_datetime: "2025-06-05T23:00:00Z"}
        """
    }

    /// A rule of ours muted by a weekly mute timing (as `mute-timings apply` leaves it).
    static func grafana(muted: Bool) async throws -> GrafanaSimulator {
        let simulator = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec())
        await simulator.setAlertmanagerClock(Fixtures.now)
        await simulator.withState { state in
            state.folders.append(GrafanaOrgState.Folder(id: 1, uid: "tfdrift", title: "TFDrift", version: 1))
            state.muteTimings["tfdrift-weekly-deployment"] = GrafanaOrgState.MuteTiming(
                timeIntervals: [
                    [
                        "weekdays": ["sunday"], "times": [["start_time": "02:00", "end_time": "06:00"]],
                        "location": "Asia/Tokyo",
                    ]
                ], version: "v1", provenance: "api")
            var settings: [String: JSONNode] = ["receiver": "grafana-default-email"]
            if muted { settings["mute_time_intervals"] = ["tfdrift-weekly-deployment"] }
            state.rules.append([
                "uid": "tfdrift-critical-drift", "title": "Critical Drift Detected", "folderUID": "tfdrift",
                "ruleGroup": "tfdrift-drift", "labels": ["managed_by": "tfdriftctl"], "isPaused": false,
                "notification_settings": .object(settings),
            ])
        }
        return simulator
    }

    static func silence(_ base: URL) async throws {
        let client = GrafanaClient(baseURL: base, auth: .token(Secret("sim-token")), transport: try AHCTransport())
        try await client.send(
            "POST", "/api/alertmanager/grafana/api/v2/silences",
            body: [
                "matchers": [["name": "managed_by", "value": "tfdriftctl", "isEqual": true, "isRegex": false]],
                "startsAt": "2025-06-05T19:55:00Z", "endsAt": "2025-06-05T23:05:00Z", "createdBy": "tfdriftctl",
                "comment": "Emergency Maintenance",
            ])
    }

    @Test("weekly window muted and one-off window silenced → pass; without them → warn naming the windows")
    func coverage() async throws {
        for covered in [true, false] {
            let simulator = try await Self.grafana(muted: covered)
            let report = try await GrafanaSimulatorServer.with(simulator) { base in
                if covered { try await Self.silence(base) }
                await simulator.clearLog()
                let workspace = try Fixtures.workspace(configYAML: Self.config(grafana: base.port!))
                defer { try? FileManager.default.removeItem(at: workspace) }
                return try await Fixtures.run(
                    workspace: workspace, variables: ["GRAFANA_TOKEN": "sim-token"], only: ["maintenance"])
            }
            let check = try #require(report.check("maintenance.windows_silenced"))
            #expect(report.checks.count == 1)
            if covered {
                #expect(check.status == .pass, "\(check.evidence)")
                #expect(check.evidence.contains("tfdrift-weekly-deployment"))
            } else {
                #expect(check.status == .warn, "\(check.evidence)")
                #expect(check.evidence.contains("Weekly Deployment 2025-06-07T17:00:00Z"))
                #expect(check.evidence.contains("Emergency Maintenance 2025-06-05T20:00:00Z"))
            }
            let writes = await simulator.writes
            let rejected = await simulator.rejected
            #expect(writes.isEmpty, "\(writes)")
            #expect(rejected.isEmpty, "\(rejected.map { "\($0) \($0.specProblems)" })")
        }
    }
}
