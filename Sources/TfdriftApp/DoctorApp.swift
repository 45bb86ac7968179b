import Doctor
import Foundation
import Logging
import TfdriftCore

/// `tfdriftctl doctor`: from the command line's choices to a report. The config is found as the other
/// commands find it; the probes reach the world through the same HTTP clients; doctor remembers its
/// login probes in a state file (so that doctor in cron never adds up to Grafana's lockout).
public enum DoctorApp {
    public struct Request: Sendable {
        public var configPath: String?
        public var only: [String] = []
        public var skip: [String] = []
        public var detectorURL: String?
        public var detectorTLS = TLSClientSettings()
        public var profile = "small"
        public var dashboardsDirectory: String?
        public var runbooksDirectory: String?
        public var iamPolicyFile: String?
        public var kmsKeyARNs: [String] = []
        public var sendTest = false
        public var horizonDays = 14
        /// `--state-file`; nil: `$XDG_STATE_HOME/tfdriftctl/doctor.json` (or `~/.local/state/…`).
        public var stateFile: String?

        public init() {}
    }

    public static func run(
        _ request: Request, environment variables: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "tfdrift.doctor")
    ) async throws -> DoctorReport {
        let selection = try CheckSelection(only: split(request.only), skip: split(request.skip))
        if let config = request.configPath, !FileManager.default.fileExists(atPath: config) {
            throw SetupError("--config \(config): no such file")
        }
        let path = request.configPath ?? ConfigLoader.defaultPaths.first { FileManager.default.fileExists(atPath: $0) }
        var options = DoctorOptions(selection: selection, searchDirectories: GrafanaApp.searchDirectories(configFile: path))
        options.detectorURL = request.detectorURL
        options.detectorTLS = request.detectorTLS
        options.profile = request.profile
        options.dashboardsDirectory = request.dashboardsDirectory
        options.runbooksDirectory = request.runbooksDirectory
        options.iamPolicyFile = request.iamPolicyFile
        options.kmsKeyARNs = request.kmsKeyARNs
        options.sendTest = request.sendTest
        options.horizon = TimeInterval(request.horizonDays) * 86400
        options.loginProbeState = request.stateFile ?? defaultStateFile(variables)
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
