import ArgumentParser
import Foundation
import GrafanaProvision
import TfdriftApp
import TfdriftCore

struct Alerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Provision alert rules for a threshold profile, contact points and routing through Grafana's HTTP API.",
        subcommands: [Plan.self, Apply.self, Export.self, Delete.self])
}

extension Alerts {
    struct ProfileOptions: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "Threshold profile: small, large (./alerts/<name>.yaml if present, else built in), or a path to your own copy.",
                valueName: "small|large|PATH"
            ),
            completion: .file(extensions: ["yaml", "yml"]))
        var profile: String = "small"

        @Option(help: "Uid of the Prometheus data source the operational rules query (overrides the profile).")
        var prometheusUID: String?

        func load(_ app: GrafanaApp) throws -> AlertProfile { try app.profile(profile, prometheusUID: prometheusUID) }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what apply would change (field by field); changes nothing.",
            discussion: """
                The profile is validated first (uids, intervals, conditions), then its references are \
                checked against Grafana (receivers, mute timings, data sources). On a Grafana without the \
                profile's Prometheus data source, rules that need it are skipped (said in one line) and \
                "detector silent" watches the detector's heartbeat in Loki instead. Exit status: 0 nothing \
                to change, 2 changes pending, 1 error or refused resource.

                Examples:
                  tfdriftctl alerts plan --profile small
                  tfdriftctl alerts plan --profile ./alerts/my-team.yaml --output json
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions
        @OptionGroup var profile: ProfileOptions

        func run() async throws {
            let app = try options.app(global)
            let (plan, notes) = try await app.planAlerts(try profile.load(app))
            PlanRenderer.render(plan, notes: notes, format: global.output)
            try PlanRenderer.exit(for: plan)
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update templates, contact points, mute timings, routing and rule groups.",
            discussion: """
                Rules route through rule-level notification settings (the default) or, with \
                `routing: policy` in the profile, through one sub-route matched by managed_by=tfdriftctl; \
                the rest of the policy tree is left exactly as it is. Contact-point secrets come from the \
                environment or files and are only sent when they changed. Without grafana.contact_points, \
                alerts notify a Slack contact point made from outputs.slack when there is one.

                Examples:
                  tfdriftctl alerts apply --profile small
                  SLACK_WEBHOOK_URL=… tfdriftctl alerts apply --profile ./alerts/large.yaml --ui-editable
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions
        @OptionGroup var profile: ProfileOptions

        func run() async throws {
            let app = try options.app(global)
            let (plan, notes) = try await app.planAlerts(try profile.load(app))
            if global.output == .text { for note in notes { Console.warn(note) } }
            try PlanRenderer.render(await app.apply(plan), notes: notes, format: global.output)
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the rule groups of the folder in Grafana as an alert profile file.",
            discussion: """
                Rules come out in the profile's short form (expr + condition) when that reproduces them \
                exactly, in Grafana's own form otherwise; the file applies back with zero changes. With \
                --output json: {"profile": "<YAML text>"} on stdout, or {"written": path} with --to.

                Examples:
                  tfdriftctl alerts export --profile small --to alerts/exported.yaml
                  tfdriftctl alerts export > current.yaml
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions
        @OptionGroup var profile: ProfileOptions

        @Option(help: "File to write (default: stdout).", completion: .file(extensions: ["yaml"]))
        var to: String?

        func run() async throws {
            let app = try options.app(global)
            let text = try await app.exportAlerts(base: try? profile.load(app))
            if let to {
                try Data(text.utf8).write(to: URL(fileURLWithPath: to))
                if global.output == .json { Output.json(["written": .string(to)]) } else { print("wrote \(to)") }
            } else if global.output == .json {
                Output.json(["profile": .string(text)])
            } else {
                print(text, terminator: "")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the profile's rule groups, our route, contact points, mute timings and templates.",
            discussion: """
                Like terraform destroy: the deletion is planned and shown first, then confirmed — typed \
                "yes" on a terminal, or --auto-approve (without a terminal and without --auto-approve it \
                refuses). Only what the profile declares is removed, in reverse apply order; foreign \
                routes, contact points and rules stay. The folder and data source are kept (dashboards use them).

                Examples:
                  tfdriftctl alerts delete --profile small
                  tfdriftctl alerts delete --profile small --auto-approve
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions
        @OptionGroup var profile: ProfileOptions

        @Flag(help: "Delete without asking for confirmation (scripts, CI).")
        var autoApprove = false

        func run() async throws {
            let app = try options.app(global)
            let (plan, _) = try await app.planAlerts(try profile.load(app), destroy: true)
            if !plan.hasChanges {
                try PlanRenderer.render(ApplyReport(refusals: plan.refusals), format: global.output)
                return
            }
            if !autoApprove {
                PlanRenderer.render(plan, format: .text, toStandardError: global.output == .json)
                try Confirmation.require(
                    "Delete these \(plan.changes.count) resource(s) from Grafana?", flag: "--auto-approve",
                    action: "alerts delete")
            }
            try PlanRenderer.render(await app.apply(plan), format: global.output)
        }
    }
}
