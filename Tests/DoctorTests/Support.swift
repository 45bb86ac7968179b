import Doctor
import Foundation
import HTTPTransportAHC
import Hummingbird
import Logging
import TestSupport
import TfdriftCore

enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static let logger: Logger = {
        var logger = Logger(label: "doctor-test")
        logger.logLevel = .critical
        return logger
    }()

    /// A fixed instant: Monday 2025-06-02 12:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_748_865_600)

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tfdrift-doctor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A working directory with tfdrift.yaml, a state managing only observable types, and a log dir.
    static func workspace(configYAML: String) throws -> URL {
        let directory = try temporaryDirectory()
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("cloudtrail"), withIntermediateDirectories: true)
        let state = repository.appendingPathComponent("Sources/Doctor/Resources/samples/terraform.tfstate")
        try FileManager.default.copyItem(at: state, to: directory.appendingPathComponent("terraform.tfstate"))
        try Data(configYAML.utf8).write(to: directory.appendingPathComponent("tfdrift.yaml"))
        return directory
    }

    static func environment(_ variables: [String: String] = [:], now: Date = Fixtures.now) -> DoctorEnvironment {
        DoctorEnvironment(
            makeTransport: { tls, hint in try AHCTransport(tls: tls, caHint: hint) }, now: { now }, variables: variables,
            logger: logger, timeout: .seconds(10))
    }

    static func run(
        workspace: URL, variables: [String: String] = [:], only: [String] = [], skip: [String] = [], now: Date = Fixtures.now,
        configure: (inout DoctorOptions) -> Void = { _ in }
    ) async throws -> DoctorReport {
        var options = DoctorOptions(
            selection: try CheckSelection(only: only, skip: skip), searchDirectories: [repository.path])
        // Doctor remembers its admin/admin probe beside the workspace's config, as it would in the state directory.
        options.loginProbeState = workspace.appendingPathComponent("state/doctor.json").path
        configure(&options)
        return await DoctorRunner(
            configPath: workspace.appendingPathComponent("tfdrift.yaml").path, options: options,
            environment: environment(variables, now: now)
        ).run()
    }

    /// Serves a Loki simulator on 127.0.0.1 with a free port.
    static func withLoki<T: Sendable>(_ simulator: LokiSimulator, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        try await withServer("the Loki simulator") { reportPort in
            let app = Application(
                router: simulator.router(), configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { reportPort($0.localAddress?.port ?? 0) }, logger: logger)
            try await app.run()
        } _: { port in
            try await body(port)
        }
    }

    static func status(_ report: DoctorReport, _ id: String) -> CheckStatus? { report.check(id)?.status }
}
