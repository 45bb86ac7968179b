import Doctor
import Foundation
import GrafanaProvision
import HTTPTransportAHC
import TestSupport
import Testing
import TfdriftCore

/// The seed's insecure defaults against a hardened setup, through the real transport, with the
/// simulators recording every request.
@Suite("doctor against Grafana and Loki simulators", .serialized)
struct ScenarioTests {
    static let retention = """
        auth_enabled: true
        compactor:
          retention_enabled: true
          working_directory: /loki/compactor
        limits_config:
          retention_period: 2160h
        common:
          storage:
            s3:
              bucketnames: loki-chunks
              sse:
                type: SSE-KMS
        """

    static func config(grafana: Int, loki: Int, hardened: Bool) -> String {
        let grafanaAuth =
            hardened
            ? "token: \"${GRAFANA_TOKEN}\"\n  contact_points: {default: tfdrift-slack}" : "username: admin\n  password: admin"
        let lokiAuth = hardened ? "\n    username: tfdrift\n    password: \"${LOKI_PASSWORD}\"" : ""
        let windows =
            hardened
            ? ""
            : "advanced:\n  maintenance_windows:\n    - {name: Weekly Deployment, days: [Sunday], start_time: \"02:00\", end_time: \"06:00\", timezone: Asia/Tokyo}\n"
        return """
            providers:
              aws:
                state: {backend: local, local_path: ./terraform.tfstate}
                cloudtrail: {log_paths: [./cloudtrail]}
            outputs:
              stdout: true
              loki:
                url: "http://127.0.0.1:\(loki)"\(lokiAuth)
            grafana:
              url: "http://127.0.0.1:\(grafana)"
              \(grafanaAuth)
            \(windows)
            """
    }

    /// Provisions what `dashboards apply` and `alerts apply --profile small` would, as a team would have.
    static func provision(_ base: URL, lokiPort: Int) async throws {
        let transport = try AHCTransport()
        let client = GrafanaClient(baseURL: base, auth: .token(Secret("sim-token")), transport: transport)
        try await client.send(
            "POST", "/api/datasources",
            body: [
                "name": "Prometheus", "type": "prometheus", "uid": "prometheus", "access": "proxy",
                "url": "http://prometheus:9090",
            ])
        try await client.send(
            "POST", "/api/v1/provisioning/contact-points",
            body: [
                "uid": "tfdrift-slack", "name": "tfdrift-slack", "type": "slack",
                "settings": ["url": "https://hooks.slack.com/services/T1/B2/real", "recipient": "#infra-drift"],
            ])
        var config = TfdriftConfig()
        var grafana = GrafanaConfig(url: base.absoluteString)
        grafana.contactPoints = ["default": "tfdrift-slack"]
        config.grafana = grafana
        var loki = LokiConfig(url: "http://127.0.0.1:\(lokiPort)")
        loki.username = "tfdrift"
        loki.password = Secret("loki-pass")
        config.outputs.loki = loki
        let provisioner = Provisioner(client: client)
        var desired = DesiredState()
        desired.dataSource = try DataSourceSpec.loki(config: config, grafana: grafana)
        desired.folder = FolderSpec(uid: grafana.folderUID, title: grafana.folder)
        desired.dashboards = try DashboardFiles.load(
            directory: Fixtures.repository.appendingPathComponent("dashboards").path, folderUID: grafana.folderUID)
        let dashboards = await provisioner.apply(try await provisioner.plan(desired))
        #expect(!dashboards.failed)
        let profile = try AlertProfile.load(
            path: Fixtures.repository.appendingPathComponent("alerts/small.yaml").path, environment: [:])
        var alerts = profile.desiredState(
            folderUID: grafana.folderUID, lokiUID: grafana.datasourceUID, orgID: 1, contactPointOverrides: grafana.contactPoints)
        alerts.folder = desired.folder
        let applied = await provisioner.apply(try await provisioner.plan(alerts))
        #expect(!applied.failed, "\(applied.results.compactMap(\.error))")
    }

    static func insecureGrafana() async throws -> GrafanaSimulator {
        let simulator = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec(), basicAuth: ("admin", "admin"))
        var security = GrafanaSimulatorSecurity()
        security.anonymousEnabled = true
        security.allowSignUp = true
        security.disableBruteForceProtection = true
        security.tokenRole = "Admin"
        await simulator.configure(security: security)
        return simulator
    }

    @Test("the seed's insecure defaults: admin/admin, anonymous on, sign-up on, Loki without auth → exit 2")
    func insecure() async throws {
        let grafana = try await Self.insecureGrafana()
        let loki = LokiSimulator()
        let report = try await Fixtures.withLoki(loki) { lokiPort in
            try await GrafanaSimulatorServer.with(grafana) { base in
                let workspace = try Fixtures.workspace(
                    configYAML: Self.config(grafana: base.port!, loki: lokiPort, hardened: false))
                defer { try? FileManager.default.removeItem(at: workspace) }
                return try await Fixtures.run(workspace: workspace)
            }
        }
        let fails = [
            "grafana.default_admin_password", "grafana.anonymous_access", "grafana.sign_up", "grafana.brute_force_protection",
            "loki.auth", "grafana.loki_datasource", "grafana.folder", "grafana.dashboards", "grafana.alert_rules",
        ]
        for id in fails { #expect(Fixtures.status(report, id) == .fail, "\(id): \(report.check(id)?.evidence ?? "absent")") }
        #expect(Fixtures.status(report, "config.secrets_inline") == .warn)
        #expect(report.check("config.secrets_inline")?.evidence.contains("grafana.password") == true)
        #expect(report.check("config.secrets_inline")?.evidence.contains("admin") == false, "values are never shown")
        #expect(Fixtures.status(report, "grafana.service_account_role") == .warn)  // server admin credentials
        #expect(Fixtures.status(report, "loki.retention") == .manual)  // /config not served
        #expect(Fixtures.status(report, "maintenance.windows_silenced") == .warn)
        #expect(Fixtures.status(report, "grafana.https") == .warn)  // plain HTTP, but on loopback
        #expect(report.exitCode == 2)
        let writes = await grafana.writes
        let rejected = await grafana.rejected
        let responseProblems = await grafana.responseProblems
        #expect(writes.isEmpty, "\(writes)")
        #expect(loki.writeRequests.isEmpty, "\(loki.writeRequests)")
        #expect(rejected.isEmpty, "\(rejected.map { "\($0) \($0.specProblems)" })")
        #expect(responseProblems.isEmpty, "\(responseProblems)")
    }

    @Test("a hardened setup: token, anonymous off, Loki with auth and retention, everything provisioned → exit 0")
    func hardened() async throws {
        let grafana = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec(), basicAuth: ("admin", "a-long-Passw0rd"))
        let loki = LokiSimulator(requiredAuth: ("tfdrift", "loki-pass"), configYAML: Self.retention)
        let (report, adminProbes) = try await Fixtures.withLoki(loki) { lokiPort in
            try await GrafanaSimulatorServer.with(grafana) { base in
                try await Self.provision(base, lokiPort: lokiPort)
                await grafana.clearLog()
                let workspace = try Fixtures.workspace(
                    configYAML: Self.config(grafana: base.port!, loki: lokiPort, hardened: true))
                defer { try? FileManager.default.removeItem(at: workspace) }
                let report = try await Fixtures.run(
                    workspace: workspace, variables: ["GRAFANA_TOKEN": "sim-token", "LOKI_PASSWORD": "loki-pass"])
                let admin = "Basic " + Data("admin:admin".utf8).base64EncodedString()
                let probes = await grafana.requests.filter { $0.headers["authorization"] == admin }.count
                return (report, probes)
            }
        }
        let passes = [
            "config.valid", "config.secrets_inline", "config.sources_reachable", "config.sinks_reachable", "state.loads",
            "state.load_time", "coverage.resource_types", "sample.events", "grafana.reachable", "grafana.version",
            "grafana.credentials", "grafana.default_admin_password", "grafana.anonymous_access", "grafana.service_account_role",
            "grafana.loki_datasource", "grafana.folder", "grafana.dashboards", "grafana.alert_rules",
            "grafana.alert_rules_paused",
            "grafana.alert_rules_health", "grafana.contact_points", "grafana.notification_routing", "loki.reachable", "loki.auth",
            "loki.retention", "operations.runbooks",
        ]
        for id in passes { #expect(Fixtures.status(report, id) == .pass, "\(id): \(report.check(id)?.evidence ?? "absent")") }
        // A service-account token cannot read server settings: reported as manual, with the evidence.
        #expect(Fixtures.status(report, "grafana.sign_up") == .manual)
        #expect(report.check("grafana.sign_up")?.evidence.contains("403") == true)
        #expect(Fixtures.status(report, "grafana.test_notification") == .skip)
        // The profile came from the repository's alerts/small.yaml (a local copy may be tuned), not the built-in one.
        let thresholds = report.check("alerts.thresholds_tuned")?.evidence ?? ""
        #expect(thresholds.contains("alerts/small.yaml") && !thresholds.contains("built in"), "\(thresholds)")
        #expect(report.exitCode == 0, "\(report.checks.filter { $0.status == .fail }.map { "\($0.id): \($0.evidence)" })")
        #expect(adminProbes == 1, "the admin/admin probe is sent exactly once")
        let writes = await grafana.writes
        let rejected = await grafana.rejected
        let responseProblems = await grafana.responseProblems
        #expect(writes.isEmpty, "\(writes)")
        #expect(loki.writeRequests.isEmpty, "\(loki.writeRequests)")
        #expect(rejected.isEmpty, "\(rejected.map { "\($0) \($0.specProblems)" })")
        #expect(responseProblems.isEmpty, "\(responseProblems)")
        #expect(CheckCatalog.ids.allSatisfy { report.check($0) != nil }, "every check is reported")
    }

    @Test("server settings readable by a Grafana admin flip sign-up, brute force and SMTP; --skip sends no admin probe")
    func settingsAndSkip() async throws {
        let grafana = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec(), basicAuth: ("ops", "a-long-Passw0rd"))
        let loki = LokiSimulator()
        let report = try await Fixtures.withLoki(loki) { lokiPort in
            try await GrafanaSimulatorServer.with(grafana) { base in
                var yaml = Self.config(grafana: base.port!, loki: lokiPort, hardened: false)
                yaml = yaml.replacingOccurrences(
                    of: "username: admin\n  password: admin", with: "username: ops\n  password: \"${GF_PASSWORD}\"")
                let workspace = try Fixtures.workspace(configYAML: yaml)
                defer { try? FileManager.default.removeItem(at: workspace) }
                return try await Fixtures.run(
                    workspace: workspace, variables: ["GF_PASSWORD": "a-long-Passw0rd"], only: ["grafana"],
                    skip: ["grafana.default_admin_password"])
            }
        }
        #expect(Fixtures.status(report, "grafana.sign_up") == .pass)
        #expect(Fixtures.status(report, "grafana.brute_force_protection") == .pass)
        #expect(Fixtures.status(report, "grafana.anonymous_access") == .pass)
        #expect(Fixtures.status(report, "grafana.default_admin_password") == .skip)
        #expect(report.check("loki.auth") == nil, "--only leaves other groups out")
        let admin = "Basic " + Data("admin:admin".utf8).base64EncodedString()
        #expect(await grafana.requests.allSatisfy { $0.headers["authorization"] != admin })
        #expect(await grafana.writes.isEmpty)
    }
}
