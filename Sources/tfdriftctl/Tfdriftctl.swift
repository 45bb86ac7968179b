import ArgumentParser

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
        subcommands: [Run.self, Replay.self, State.self, Dashboards.self, Alerts.self, IAMPolicy.self, Version.self]
    )
}
