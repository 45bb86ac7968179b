import ArgumentParser
import Foundation

@main
struct Tfdriftctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tfdriftctl",
        abstract: "Detect Terraform drift from AWS CloudTrail, and run its Grafana/Loki kit.",
        discussion: """
            Every change made outside Terraform becomes a drift event (JSON lines for Loki, \
            notifications, metrics).

            Quick start (no AWS account needed):
              tfdriftctl replay --config examples/quickstart/tfdrift.yaml examples/quickstart/cloudtrail

            Shell completion:
              tfdriftctl --generate-completion-script bash > /etc/bash_completion.d/tfdriftctl
            """,
        version: BuildInfo.version,
        subcommands: [
            Run.self, Replay.self, State.self, Catalog.self, Dashboards.self, Alerts.self, Silence.self, MuteTimings.self,
            IAMPolicy.self,
            Doctor.self, Version.self,
        ]
    )

    /// SPEC §2's exit codes: 0 success, 1 error, 2 drift/changes/failed checks. The argument parser
    /// exits 64 (EX_USAGE) for validation errors; scripts built on SPEC expect 1 for any error. With
    /// `--output json`, an error is one JSON object on stderr (`ErrorOutput`).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        Console.configure(arguments: arguments)
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            // Help, versions and exit statuses the command chose (a plan with changes, a failed apply it
            // already reported) pass through unchanged.
            if code == .success || error is ExitCode { exit(withError: error) }
            let status = code == .validationFailure ? ExitCode.failure : code
            if ErrorOutput.wantsJSON(arguments) {
                let message = code == .validationFailure ? fullMessage(for: error) : message(for: error)
                Console.stderr(ErrorOutput.json(message: message, exitCode: status.rawValue, error: error))
                exit(withError: status)
            }
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                exit(withError: ExitCode.failure)
            }
            exit(withError: error)
        }
    }
}
