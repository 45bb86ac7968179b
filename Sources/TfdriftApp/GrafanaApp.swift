import Foundation
import GrafanaProvision
import Logging
import TfdriftCore

/// What `dashboards`, `alerts` and `mute-timings` do, given the configuration: the Grafana client built
/// from `grafana:`, the desired state from `dashboards/` and an alert profile, plan, apply and export.
/// The commands parse arguments, call one of these and render the result.
public struct GrafanaApp: Sendable {
    public let config: TfdriftConfig
    public let grafana: GrafanaConfig
    public let provisioner: Provisioner

    /// `uiEditable` (the `--ui-editable` flag) adds to `grafana.ui_editable`.
    public init(config: TfdriftConfig, uiEditable: Bool = false, logger: Logger = Logger(label: "tfdrift.grafana")) throws {
        guard let grafana = config.grafana else {
            throw SetupError(
                "grafana is not configured: add grafana.url and grafana.token to the config (or set GRAFANA_URL and GRAFANA_AUTH)"
            )
        }
        self.config = config
        self.grafana = grafana
        let client = try GrafanaApp.client(config: config, grafana: grafana, logger: logger)
        var options = ProvisionOptions()
        options.uiEditable = uiEditable || grafana.uiEditable
        options.orgID = grafana.orgID ?? 1
        provisioner = Provisioner(client: client, options: options, logger: logger)
    }

    /// The Grafana client for `grafana:`; an unset `${VAR}` behind the credentials is named as such.
    public static func client(config: TfdriftConfig, grafana: GrafanaConfig, logger: Logger) throws -> GrafanaClient {
        let hasCredentials = !(grafana.token?.isEmpty ?? true) || !(grafana.password?.isEmpty ?? true)
        if !hasCredentials {
            let unset = ["grafana.token", "grafana.password"].compactMap(config.unsetMessage)
            if !unset.isEmpty { throw SetupError(unset.joined(separator: "; ")) }
        }
        return try GrafanaClient(config: grafana, transport: try HTTPClients.grafana(grafana), logger: logger)
    }

    public var folder: FolderSpec { FolderSpec(uid: grafana.folderUID, title: grafana.folder) }

    /// Directories searched for `dashboards/` and `alerts/`: the working directory, then the config's.
    public var searchDirectories: [String] { Self.searchDirectories(configFile: config.sourceFile) }

    public static func searchDirectories(configFile: String?) -> [String] {
        var directories = [FileManager.default.currentDirectoryPath]
        if let source = configFile {
            let directory = ((source as NSString).deletingLastPathComponent as NSString).standardizingPath
            if !directory.isEmpty, !directories.contains(directory) { directories.append(directory) }
        }
        return directories
    }

    public func apply(_ plan: Plan) async -> ApplyReport { await provisioner.apply(plan) }

    // MARK: dashboards

    /// `--dir`, else `dashboards/` in a search directory; nil means the dashboards built into the binary.
    public func dashboardsDirectory(_ dir: String?) -> String? {
        if let dir { return dir }
        let candidates = searchDirectories.map { ($0 as NSString).appendingPathComponent("dashboards") }
        return candidates.first(where: { FileManager.default.fileExists(atPath: $0) })
    }

    /// The data source, folder and dashboards (`dashboards plan|apply`).
    public func dashboardsDesired(dir: String?) throws -> DesiredState {
        var desired = DesiredState()
        desired.dataSource = try DataSourceSpec.loki(config: config, grafana: grafana)
        desired.folder = folder
        desired.dashboards =
            try dashboardsDirectory(dir).map { try DashboardFiles.load(directory: $0, folderUID: grafana.folderUID) }
            ?? DashboardFiles.loadBuiltIn(folderUID: grafana.folderUID)
        desired.pruneDashboards = true
        return desired
    }

    public func planDashboards(dir: String?) async throws -> Plan {
        try await provisioner.plan(try dashboardsDesired(dir: dir))
    }

    /// Writes the folder's dashboards as `<uid>.json` files; returns the paths written.
    public func exportDashboards(to directory: String) async throws -> [String] {
        let dashboards = try await provisioner.exportDashboards(folderUID: grafana.folderUID)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        for (uid, model) in dashboards {
            let path = (directory as NSString).appendingPathComponent("\(uid).json")
            try Data(JSONWriter.pretty(model).utf8).write(to: URL(fileURLWithPath: path))
            written.append(path)
        }
        return written
    }

    // MARK: alerts

    /// `--profile small|large|PATH`, with `--prometheus-uid` overriding the profile's.
    public func profile(_ name: String, prometheusUID: String? = nil) throws -> AlertProfile {
        var profile = try AlertProfile.named(name, searchDirectories: searchDirectories)
        if let prometheusUID { profile.prometheusDatasourceUID = prometheusUID }
        return profile
    }

    /// The alert rules, contact points, templates, mute timings and routing of a profile (with what the
    /// user should know: rules skipped on a Loki-only Grafana, where the alerts notify).
    public func alertsInput(_ profile: AlertProfile) async throws -> AlertsPlanInput {
        try await provisioner.alertsDesiredState(try AlertsRequest(profile: profile, config: config, grafana: grafana))
    }

    /// `alerts plan|apply` (or, with `destroy`, `alerts delete`).
    public func planAlerts(_ profile: AlertProfile, destroy: Bool = false) async throws -> (plan: Plan, notes: [String]) {
        let input = try await alertsInput(profile)
        return (try await provisioner.plan(input.desired, destroy: destroy), destroy ? [] : input.notes)
    }

    /// The folder's rule groups as a profile file (`alerts export`); `base` supplies the short form's context.
    public func exportAlerts(base: AlertProfile?) async throws -> String {
        try await provisioner.exportAlertProfile(
            folderUID: grafana.folderUID, name: base?.name ?? "exported", base: base, lokiUID: grafana.datasourceUID,
            contactPointOverrides: grafana.contactPoints)
    }

    // MARK: mute timings

    /// `mute-timings plan|apply`: the recurring maintenance windows as mute timings attached to our drift rules.
    public func planMuteTimings() async throws -> MuteTimingPlan {
        try await provisioner.planMaintenanceMuteTimings(config.maintenanceWindows)
    }
}
