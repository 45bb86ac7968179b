import ArgumentParser
import Doctor
import Foundation
import Logging
import TfdriftApp
import TfdriftCore

/// `tfdriftctl doctor`: parse, run the checklist, render, exit 0 / 2 (SPEC §2, §8).
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the deployment against the production-readiness checklist (seed sections 2 and 6).",
        discussion: """
            Every item becomes a check with an id, a status (pass, warn, fail, manual, skip), the \
            evidence (what was probed, what came back) and a fix. Probes are read-only: GETs against \
            Grafana, Loki and the detector, and one unauthenticated POST with an empty record list that \
            the detector should refuse. Nothing is sent to AWS. The admin/admin login is tried at most \
            once a day per Grafana (Grafana counts refused logins toward locking the account), remembered \
            in --state-file; skip it with --skip grafana.default_admin_password.

            Exit status: 0 when no check failed (warnings allowed), 2 when a check failed, 1 when doctor \
            could not run (unknown --only/--skip name, unreadable options; with --output json, one \
            {"error": …} object on stderr).

            Examples:
              tfdriftctl doctor --config tfdrift.yaml
              tfdriftctl doctor --detector-url https://detector:8080 --detector-ca-file ca.pem
              tfdriftctl doctor --only grafana,loki --output markdown > readiness.md
              tfdriftctl doctor --iam-policy role-policy.json --only iam
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown
    }

    @Option(
        name: .long, help: "Configuration file (default: ./tfdrift.yaml, then ./config.yaml).",
        completion: .file(extensions: ["yaml", "yml"]))
    var config: String?

    @Option(name: .long, help: "Log level for messages on stderr.")
    var logLevel: LogLevelOption?

    @Option(name: .long, help: "Report format: text, json (SPEC §8) or markdown (for a readiness review).")
    var output: Output = .text

    @Option(
        name: .long, parsing: .upToNextOption, help: "Only these checks or groups (ids or groups, comma-separated or repeated).")
    var only: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Skip these checks or groups: nothing is probed for them.")
    var skip: [String] = []

    @Option(help: "URL of the running detector (enables the detector.* checks), e.g. https://detector:8080.")
    var detectorURL: String?

    @Option(help: "CA bundle for the detector's TLS certificate.", completion: .file())
    var detectorCAFile: String?

    @Option(help: "Client certificate (PEM) when the detector requires mTLS.", completion: .file())
    var detectorCert: String?

    @Option(help: "Client key (PEM) when the detector requires mTLS.", completion: .file())
    var detectorKey: String?

    @Option(
        help: ArgumentHelp("Alert profile whose rules and runbooks are checked.", valueName: "small|large|PATH"),
        completion: .file(extensions: ["yaml", "yml"]))
    var profile: String = "small"

    @Option(help: "Dashboards directory (default: ./dashboards, then beside the config).", completion: .directory)
    var dashboardsDir: String?

    @Option(help: "Runbooks directory (default: ./runbooks, then beside the config).", completion: .directory)
    var runbooksDir: String?

    @Option(
        help: "An IAM policy document (JSON) to compare with iam-policy's least privilege.",
        completion: .file(extensions: ["json"]))
    var iamPolicy: String?

    @Option(name: .customLong("kms-key-arn"), help: "A customer-managed KMS key the detector may use (as for iam-policy).")
    var kmsKeyARNs: [String] = []

    @Flag(help: "Send one test notification through each contact point our alerts use.")
    var sendTest = false

    @Option(help: "Days ahead that maintenance windows must be covered by silences or mute timings.")
    var horizonDays: Int = 14

    @Option(
        help: "Where doctor remembers its login probes (default: $XDG_STATE_HOME/tfdriftctl/doctor.json, or ~/.local/state/…).",
        completion: .file())
    var stateFile: String?

    @Flag(name: .long, help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    func validate() throws {
        if (detectorCert == nil) != (detectorKey == nil) {
            throw ValidationError("--detector-cert and --detector-key go together")
        }
        guard (1...366).contains(horizonDays) else { throw ValidationError("--horizon-days must be between 1 and 366") }
    }

    func run() async throws {
        let level = logLevel.map { Logger.Level(rawValue: $0.rawValue) ?? .warning } ?? .warning
        LoggingBootstrap.once(level: level)
        var options = DoctorOptions()
        options.detectorURL = detectorURL
        options.detectorTLS = TLSClientSettings(caFile: detectorCAFile, certificateFile: detectorCert, keyFile: detectorKey)
        options.profile = profile
        options.dashboardsDirectory = dashboardsDir
        options.runbooksDirectory = runbooksDir
        options.iamPolicyFile = iamPolicy
        options.kmsKeyARNs = kmsKeyARNs
        options.sendTest = sendTest
        options.horizon = TimeInterval(horizonDays) * 86400
        let report = try await DoctorApp.run(configPath: config, only: only, skip: skip, stateFile: stateFile, options: options)
        let format = DoctorRenderer.Format(rawValue: output.rawValue) ?? .text
        print(DoctorRenderer.render(report, format: format), terminator: "")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
