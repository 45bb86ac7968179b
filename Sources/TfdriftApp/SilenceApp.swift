import DetectorServer
import Foundation
import GrafanaProvision
import Logging
import TfdriftCore

/// Which Alertmanager holds the maintenance silences, and the service `run` uses to keep them filled.
public enum SilenceApp {
    /// The manager for `advanced.silences` (with the command line's overrides already in `silences`):
    /// `auto` is the standalone Alertmanager when `alertmanager.url` is set, Grafana's built-in one otherwise;
    /// `datasource` is an Alertmanager data source proxied by Grafana.
    public static func manager(
        config: TfdriftConfig, silences: SilenceConfig, logger: Logger = Logger(label: "tfdrift.silences")
    ) throws -> SilenceManager {
        var target = silences.target
        if target == .auto { target = config.alertmanager != nil ? .alertmanager : .grafana }
        let api: AlertmanagerAPI
        switch target {
        case .alertmanager:
            guard let alertmanager = config.alertmanager else {
                throw SetupError("the standalone Alertmanager target needs alertmanager.url in the config")
            }
            api = try AlertmanagerAPI(
                standalone: alertmanager, transport: try HTTPClients.alertmanager(alertmanager), logger: logger)
        case .grafana, .datasource, .auto:
            guard let grafana = config.grafana else {
                throw SetupError(
                    "no Alertmanager for silences: set grafana.url and grafana.token (Grafana's built-in Alertmanager) or alertmanager.url (a standalone one)"
                )
            }
            if target == .datasource, silences.datasourceUID == nil {
                throw SetupError("target datasource needs --datasource-uid or advanced.silences.datasource_uid")
            }
            let client = try GrafanaApp.client(config: config, grafana: grafana, logger: logger)
            api = AlertmanagerAPI(grafana: client, dataSourceUID: target == .datasource ? silences.datasourceUID : nil)
        }
        return SilenceManager(api: api, options: SilenceOptions(config: silences), logger: logger)
    }

    /// `advanced.silences` with the command line's choices: a target, a data source uid (which implies the
    /// `datasource` target unless one is given), a horizon in seconds.
    public static func silences(
        _ config: TfdriftConfig, target: SilenceConfig.Target?, datasourceUID: String?, horizon: Double?
    ) -> SilenceConfig {
        var silences = config.silences
        if let target { silences.target = target }
        if let datasourceUID {
            silences.datasourceUID = datasourceUID
            if target == nil { silences.target = .datasource }
        }
        if let horizon { silences.horizon = horizon }
        return silences
    }

    /// `run` with `advanced.silences.keep_filled`: the service that re-runs the schedule; nil when off.
    public static func keepFilledService(config: TfdriftConfig, logger: Logger) throws -> SilenceHorizonService? {
        guard config.silences.keepFilled, !config.maintenanceWindows.isEmpty else { return nil }
        let manager = try manager(config: config, silences: config.silences)
        let windows = config.maintenanceWindows
        logger.info(
            "keeping maintenance silences filled",
            metadata: [
                "alertmanager": "\(manager.api.label)", "windows": "\(windows.count)",
                "horizon": "\(DurationParser.format(config.silences.horizon))",
                "interval": "\(DurationParser.format(config.silences.interval))",
            ])
        return SilenceHorizonService(interval: .seconds(config.silences.interval), logger: logger) {
            let plan = try await manager.plan(windows: windows)
            let report = await manager.apply(plan)
            if let failure = report.results.first(where: { $0.error != nil })?.error {
                throw ProvisionError(failure)
            }
            return
                "\(report.count(.create)) created, \(report.count(.update)) updated, \(report.count(.expire)) expired, \(plan.count(.unchanged)) unchanged"
        }
    }
}
