import Doctor
import Foundation
import Logging
import TfdriftCore

/// `tfdriftctl doctor`: from the command line's choices to a report. The config is found as the other
/// commands find it; the probes reach the world through the same HTTP clients; doctor remembers its
/// login probes in a state file (so that doctor in cron never adds up to Grafana's lockout).
public enum DoctorApp {
    /// Runs the checklist. `options` carries what the command line says about the detector, profile,
    /// directories and horizon; the selection, the search directories and the probe state file are set here
    /// (`stateFile` nil: `$XDG_STATE_HOME/tfdriftctl/doctor.json`, or `~/.local/state/…`).
    public static func run(
        configPath: String?, only: [String] = [], skip: [String] = [], stateFile: String? = nil, options: DoctorOptions,
        environment variables: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "tfdrift.doctor")
    ) async throws -> DoctorReport {
        if let configPath, !FileManager.default.fileExists(atPath: configPath) {
            throw SetupError("--config \(configPath): no such file")
        }
        let path = configPath ?? ConfigLoader.defaultPaths.first { FileManager.default.fileExists(atPath: $0) }
        var options = options
        options.selection = try CheckSelection(only: split(only), skip: split(skip))
        options.searchDirectories = GrafanaApp.searchDirectories(configFile: path)
        options.loginProbeState = stateFile ?? defaultStateFile(variables)
        let environment = DoctorEnvironment(
            makeTransport: { tls, hint in try HTTPClients.make(tls: tls, caHint: hint) }, variables: variables, logger: logger)
        return await DoctorRunner(configPath: path, options: options, environment: environment).run()
    }

    /// `--only a,b --only c` → `[a, b, c]`.
    static func split(_ names: [String]) -> [String] {
        names.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    /// Where doctor keeps what it must remember between runs (XDG base directories).
    public static func defaultStateFile(_ variables: [String: String]) -> String? {
        if let state = variables["XDG_STATE_HOME"], state.hasPrefix("/") {
            return (state as NSString).appendingPathComponent("tfdriftctl/doctor.json")
        }
        guard let home = variables["HOME"], home.hasPrefix("/") else { return nil }
        return (home as NSString).appendingPathComponent(".local/state/tfdriftctl/doctor.json")
    }
}
