import Foundation
import GrafanaProvision
import HTTPTransportAHC
import TestSupport
import Testing
import TfdriftCore

enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// A simulated Grafana on 127.0.0.1 and a provisioner talking to it through the real transport.
struct GrafanaHarness: Sendable {
    let simulator: GrafanaSimulator
    let baseURL: URL

    static func run<T: Sendable>(
        seed: @Sendable (inout GrafanaOrgState) -> Void = { _ in }, _ body: @Sendable (GrafanaHarness) async throws -> T
    ) async throws -> T {
        let simulator = GrafanaSimulator(spec: try GrafanaSimulatorServer.spec())
        await simulator.withState { seed(&$0) }
        return try await GrafanaSimulatorServer.with(simulator) { url in
            try await body(GrafanaHarness(simulator: simulator, baseURL: url))
        }
    }

    func provisioner(uiEditable: Bool = false, token: String = "sim-token") throws -> Provisioner {
        let client = GrafanaClient(
            baseURL: baseURL, auth: .token(Secret(token)), orgID: 1, transport: try AHCTransport(),
            retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50)))
        var options = ProvisionOptions()
        options.uiEditable = uiEditable
        return Provisioner(client: client, options: options)
    }

    /// The writes the simulator received since `mark`.
    func writes(since mark: Int) async -> [RecordedRequest] {
        Array(await simulator.requests.dropFirst(mark)).filter(\.isWrite)
    }

    var requestCount: Int { get async { await simulator.requests.count } }

    func assertConforming() async {
        let rejected = await simulator.rejected
        let problems = await simulator.responseProblems
        #expect(rejected.isEmpty, "requests that do not match Grafana's OpenAPI document: \(rejected.map(\.specProblems))")
        #expect(problems.isEmpty, "\(problems)")
    }
}

enum Fixture {
    static let folder = FolderSpec(uid: "tfdrift", title: "TFDrift")

    static func profile(_ name: String, environment: [String: String] = [:]) throws -> AlertProfile {
        try AlertProfile.load(path: Repo.path("alerts/\(name).yaml"), environment: environment)
    }

    /// Grafana with a Prometheus data source (the operational rules query it).
    static func seedPrometheus(_ state: inout GrafanaOrgState) { state.addPrometheusDataSource() }

    static func alertsDesired(_ profile: AlertProfile, overrides: [String: String] = [:]) -> DesiredState {
        var desired = profile.desiredState(
            folderUID: folder.uid, lokiUID: "tfdrift-loki", orgID: 1, contactPointOverrides: overrides)
        desired.folder = folder
        desired.dataSource = DataSourceSpec(uid: "tfdrift-loki", name: "Loki (tfdrift)", url: "http://loki:3100")
        return desired
    }

    static func dashboardsDesired(directory: String = Repo.path("dashboards")) throws -> DesiredState {
        var desired = DesiredState()
        desired.folder = folder
        var source = DataSourceSpec(uid: "tfdrift-loki", name: "Loki (tfdrift)", url: "http://loki:3100")
        source.basicAuthUser = "grafana"
        source.basicAuthPassword = Secret("loki-password")
        source.tenant = "team-a"
        desired.dataSource = source
        desired.dashboards = try DashboardFiles.load(directory: directory, folderUID: folder.uid)
        desired.pruneDashboards = true
        return desired
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tfdrift-grafana-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
