import Doctor
import Foundation
import GrafanaProvision
import HTTPTransportAHC
import TestSupport
import Testing
import TfdriftCore

/// Issue 13's doctor items: no lockout from cron, agreement with `alerts plan`, Loki credentials, the
/// seed's Loki-only stack.
@Suite("doctor as operators run it", .serialized)
struct DoctorOperationsTests {
    static let adminPassword = "a-long-Passw0rd"

    /// `GET /api/user` as the real admin: 200 unless the account is locked.
    static func adminLogin(_ base: URL, password: String = adminPassword) async throws -> Int {
        let header = "Basic " + Data("admin:\(password)".utf8).base64EncodedString()
        let response = try await AHCTransport().send(
            HTTPRequest(
                method: "GET", url: base.appendingPathComponent("api/user"), headers: [("Authorization", header)],
                timeout: .seconds(10)))
        return response.status
    }

    static func grafanaConfig(_ base: URL, extra: String = "") -> String {
        "grafana:\n  url: \"\(base.absoluteString)\"\n  token: \"${GRAFANA_TOKEN}\"\n\(extra)"
    }

    @Test("doctor every minute for an hour: one admin/admin try, the real admin never locked out, every run says refused")
    func noLockout() async throws {
        let grafana = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec(), basicAuth: ("admin", Self.adminPassword))
        let admin = "Basic " + Data("admin:admin".utf8).base64EncodedString()
        try await GrafanaSimulatorServer.with(grafana) { base in
            let workspace = try Fixtures.workspace(configYAML: Self.grafanaConfig(base))
            defer { try? FileManager.default.removeItem(at: workspace) }
            for minute in 0..<60 {
                let now = Fixtures.now.addingTimeInterval(Double(minute) * 60)
                await grafana.setClock(now)
                let report = try await Fixtures.run(
                    workspace: workspace, variables: ["GRAFANA_TOKEN": "sim-token"], only: ["grafana.default_admin_password"],
                    now: now)
                let check = try #require(report.check("grafana.default_admin_password"))
                #expect(check.status == .pass, "minute \(minute): \(check.evidence)")
                #expect(minute == 0 || check.evidence.contains("at most once a day"), "minute \(minute): \(check.evidence)")
                #expect(try await Self.adminLogin(base) == 200, "minute \(minute): the real admin is locked out")
            }
            let probes = await grafana.requests.filter { $0.headers["authorization"] == admin }.count
            #expect(probes == 1, "admin/admin was tried \(probes) times in an hour")
            // A day later doctor asks again (once).
            let tomorrow = Fixtures.now.addingTimeInterval(86400 + 60)
            await grafana.setClock(tomorrow)
            _ = try await Fixtures.run(
                workspace: workspace, variables: ["GRAFANA_TOKEN": "sim-token"], only: ["grafana.default_admin_password"],
                now: tomorrow)
            #expect(await grafana.requests.filter { $0.headers["authorization"] == admin }.count == 2)
        }
    }

    @Test("a refused default password passes; a locked admin account is a warning with the evidence, not a pass")
    func refusedOrLocked() async throws {
        let grafana = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec(), basicAuth: ("admin", Self.adminPassword))
        try await GrafanaSimulatorServer.with(grafana) { base in
            await grafana.setClock(Fixtures.now)
            let refused = try Fixtures.workspace(configYAML: Self.grafanaConfig(base))
            defer { try? FileManager.default.removeItem(at: refused) }
            let first = try await Fixtures.run(
                workspace: refused, variables: ["GRAFANA_TOKEN": "sim-token"], only: ["grafana.default_admin_password"])
            #expect(first.check("grafana.default_admin_password")?.status == .pass)
            #expect(first.check("grafana.default_admin_password")?.evidence.contains("refused") == true)
            // Someone guesses the admin password five times: Grafana blocks the account.
            for _ in 0..<4 { _ = try await Self.adminLogin(base, password: "guess") }
            #expect(try await Self.adminLogin(base) == 401, "the simulator models the lockout")
            let locked = try Fixtures.workspace(configYAML: Self.grafanaConfig(base))
            defer { try? FileManager.default.removeItem(at: locked) }
            let second = try await Fixtures.run(
                workspace: locked, variables: ["GRAFANA_TOKEN": "sim-token"], only: ["grafana.default_admin_password"])
            let check = try #require(second.check("grafana.default_admin_password"))
            #expect(check.status == .warn, "\(check.evidence)")
            #expect(check.evidence.contains("locked by Grafana's brute-force protection"), "\(check.evidence)")
            // Five minutes later the lock has passed and the real admin logs in again.
            await grafana.setClock(Fixtures.now.addingTimeInterval(301))
            #expect(try await Self.adminLogin(base) == 200)
        }
    }

    @Test(
        "doctor and alerts plan agree: rules applied with maintenance windows are current for both, an edit is a change for both")
    func agreesWithAlertsPlan() async throws {
        let grafana = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec())
        await grafana.withState { $0.addPrometheusDataSource() }
        try await GrafanaSimulatorServer.with(grafana) { base in
            let yaml =
                Self.grafanaConfig(base)
                    + """
                    outputs:
                      loki: {url: "http://loki:3100"}
                    advanced:
                      maintenance_windows:
                        - {name: Weekly Deployment, days: [Sunday], start_time: "02:00", end_time: "06:00", timezone: Asia/Tokyo}

                    """
            let workspace = try Fixtures.workspace(configYAML: yaml)
            defer { try? FileManager.default.removeItem(at: workspace) }
            let config = try ConfigLoader.load(
                path: workspace.appendingPathComponent("tfdrift.yaml").path, environment: ["GRAFANA_TOKEN": "sim-token"])
            let provisioner = Provisioner(
                client: GrafanaClient(baseURL: base, auth: .token(Secret("sim-token")), transport: try AHCTransport()))
            let profile = try AlertProfile.load(path: Fixtures.repository.appendingPathComponent("alerts/small.yaml").path)
            let request = try AlertsRequest(profile: profile, config: config, grafana: config.grafana!)
            #expect(
                !(await provisioner.apply(try await provisioner.plan(try await provisioner.alertsDesiredState(request).desired)))
                    .failed)
            func both() async throws -> (planChanges: Int, doctor: CheckResult) {
                let plan = try await provisioner.plan(try await provisioner.alertsDesiredState(request).desired)
                let report = try await Fixtures.run(
                    workspace: workspace, variables: ["GRAFANA_TOKEN": "sim-token"], only: ["grafana.alert_rules"])
                return (plan.changes.filter { $0.kind == .ruleGroup }.count, try #require(report.check("grafana.alert_rules")))
            }
            let current = try await both()
            #expect(current.planChanges == 0)
            #expect(current.doctor.status == .pass, "\(current.doctor.evidence)")
            // Someone removes the maintenance mute timing from a rule in the UI: both see it.
            await grafana.withState { state in
                let index = state.rules.firstIndex { $0["uid"] == "tfdrift-critical-drift" }!
                var settings = state.rules[index]["notification_settings"]!.objectValue!
                settings["mute_time_intervals"] = nil
                state.rules[index]["notification_settings"] = .object(settings)
            }
            let edited = try await both()
            #expect(edited.planChanges == 1)
            #expect(edited.doctor.status == .warn)
            #expect(edited.doctor.evidence.contains("mute_time_intervals"), "\(edited.doctor.evidence)")
        }
    }

    @Test("config.sinks_reachable: Loki ready but refusing the configured credentials is a failure naming the keys")
    func lokiCredentials() async throws {
        let loki = LokiSimulator(requiredAuth: ("tfdrift", "right-password"), configYAML: nil)
        try await Fixtures.withLoki(loki) { port in
            for (password, expected) in [("wrong-password", CheckStatus.fail), ("right-password", .pass)] {
                let workspace = try Fixtures.workspace(
                    configYAML: """
                        outputs:
                          loki:
                            url: "http://127.0.0.1:\(port)"
                            username: tfdrift
                            password: "${LOKI_PASSWORD}"
                        """)
                defer { try? FileManager.default.removeItem(at: workspace) }
                let report = try await Fixtures.run(
                    workspace: workspace, variables: ["LOKI_PASSWORD": password], only: ["config.sinks_reachable"])
                let check = try #require(report.check("config.sinks_reachable"))
                #expect(check.status == expected, "\(password): \(check.evidence)")
                if expected == .fail {
                    #expect(check.evidence.contains("401"), "\(check.evidence)")
                    #expect(check.evidence.contains("outputs.loki.username, outputs.loki.password"), "\(check.evidence)")
                    #expect(!check.evidence.contains(password), "the password is never shown")
                }
            }
        }
    }

    @Test(
        "the seed's Loki-only stack: alerts applied as `alerts apply` does pass doctor's Grafana checks, the contact point included"
    )
    func lokiOnlyPassesDoctor() async throws {
        let grafana = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec())
        let loki = LokiSimulator()
        try await Fixtures.withLoki(loki) { lokiPort in
            try await GrafanaSimulatorServer.with(grafana) { base in
                let yaml =
                    Self.grafanaConfig(base)
                        + """
                        outputs:
                          loki: {url: "http://127.0.0.1:\(lokiPort)"}
                          slack: {webhook_url: "${SLACK_WEBHOOK_URL}", channel: "#infra-drift"}

                        """
                let variables = [
                    "GRAFANA_TOKEN": "sim-token", "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T1/B2/real",
                ]
                let workspace = try Fixtures.workspace(configYAML: yaml)
                defer { try? FileManager.default.removeItem(at: workspace) }
                let config = try ConfigLoader.load(
                    path: workspace.appendingPathComponent("tfdrift.yaml").path, environment: variables)
                let provisioner = Provisioner(
                    client: GrafanaClient(baseURL: base, auth: .token(Secret("sim-token")), transport: try AHCTransport()))
                var dashboards = DesiredState()
                dashboards.dataSource = try DataSourceSpec.loki(config: config, grafana: config.grafana!)
                dashboards.folder = FolderSpec(uid: "tfdrift", title: "TFDrift")
                dashboards.dashboards = try DashboardFiles.loadBuiltIn(folderUID: "tfdrift")
                #expect(!(await provisioner.apply(try await provisioner.plan(dashboards))).failed)
                let profile = try AlertProfile.load(path: Fixtures.repository.appendingPathComponent("alerts/small.yaml").path)
                let input = try await provisioner.alertsDesiredState(
                    try AlertsRequest(profile: profile, config: config, grafana: config.grafana!))
                let applied = await provisioner.apply(try await provisioner.plan(input.desired))
                #expect(!applied.failed, "\(applied.results.compactMap(\.error))")
                let report = try await Fixtures.run(workspace: workspace, variables: variables, only: ["grafana"])
                let failed = report.checks.filter { $0.status == .fail }.map { "\($0.id): \($0.evidence)" }
                #expect(failed.isEmpty, "\(failed)")
                for id in [
                    "grafana.alert_rules", "grafana.contact_points", "grafana.notification_routing", "grafana.loki_datasource",
                ] {
                    #expect(report.check(id)?.status == .pass, "\(id): \(report.check(id)?.evidence ?? "absent")")
                }
                #expect(report.check("grafana.alert_rules")?.evidence.contains("no Prometheus") == true)
            }
        }
    }
}
