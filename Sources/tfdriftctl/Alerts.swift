import ArgumentParser
import Foundation
import GrafanaProvision
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

        func load(_ context: GrafanaContext) throws -> AlertProfile {
            var profile = try AlertProfile.named(self.profile, searchDirectories: context.searchDirectories)
            if let prometheusUID { profile.prometheusDatasourceUID = prometheusUID }
            return profile
        }
    }

    static func desired(_ context: GrafanaContext, profile: AlertProfile) throws -> DesiredState {
        // Keep the maintenance mute timings `mute-timings apply` attaches, or the two commands undo each other.
        let profile = try profile.addingMaintenanceWindows(context.config.maintenanceWindows)
        var desired = profile.desiredState(
            folderUID: context.grafana.folderUID, lokiUID: context.grafana.datasourceUID, orgID: context.grafana.orgID ?? 1,
            contactPointOverrides: context.grafana.contactPoints)
        desired.dataSource = try context.dataSource(required: false)
        desired.folder = context.folder
        return desired
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what apply would change (field by field); changes nothing.",
            discussion: """
                The profile is validated first (uids, intervals, conditions), then its references are \
                checked against Grafana (receivers, mute timings, data sources). Exit status: 0 nothing \
                to change, 2 changes pending, 1 error or refused resource.

                Examples:
                  tfdriftctl alerts plan --profile small
                  tfdriftctl alerts plan --profile ./alerts/my-team.yaml --output json
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions
        @OptionGroup var profile: ProfileOptions

        func run() async throws {
            let context = try GrafanaContext(global: global, options: options)
            let plan = try await context.provisioner.plan(try Alerts.desired(context, profile: try profile.load(context)))
            PlanRenderer.render(plan, format: global.output)
            if !plan.refusals.isEmpty { throw ExitCode(1) }
            if plan.hasChanges { throw ExitCode(2) }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update templates, contact points, mute timings, routing and rule groups.",
            discussion: """
                Rules route through rule-level notification settings (the default) or, with \
                `routing: policy` in the profile, through one sub-route matched by managed_by=tfdriftctl; \
                the rest of the policy tree is left exactly as it is. Contact-point secrets come from the \
                environment or files and are only sent when they changed.

                Examples:
                  tfdriftctl alerts apply --profile small
                  SLACK_WEBHOOK_URL=… tfdriftctl alerts apply --profile ./alerts/large.yaml --ui-editable
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions
        @OptionGroup var profile: ProfileOptions

        func run() async throws {
            let context = try GrafanaContext(global: global, options: options)
            let plan = try await context.provisioner.plan(try Alerts.desired(context, profile: try profile.load(context)))
            try PlanRenderer.render(await context.provisioner.apply(plan), format: global.output)
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the rule groups of the folder in Grafana as an alert profile file.",
            discussion: """
                Rules come out in the profile's short form (expr + condition) when that reproduces them \
                exactly, in Grafana's own form otherwise; the file applies back with zero changes.

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
            let context = try GrafanaContext(global: global, options: options)
            let base = try? profile.load(context)
            let text = try await context.provisioner.exportAlertProfile(
                folderUID: context.grafana.folderUID, name: base?.name ?? "exported", base: base,
                lokiUID: context.grafana.datasourceUID, contactPointOverrides: context.grafana.contactPoints)
            if let to {
                try Data(text.utf8).write(to: URL(fileURLWithPath: to))
                print("wrote \(to)")
            } else {
                print(text, terminator: "")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the profile's rule groups, our route, contact points, mute timings and templates.",
            discussion: """
                Only what the profile declares is removed, in reverse apply order; foreign routes, contact \
                points and rules stay. The folder and data source are kept (dashboards use them).

                Example:
                  tfdriftctl alerts delete --profile small
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions
        @OptionGroup var profile: ProfileOptions

        func run() async throws {
            let context = try GrafanaContext(global: global, options: options)
            let plan = try await context.provisioner.plan(
                try Alerts.desired(context, profile: try profile.load(context)), destroy: true)
            try PlanRenderer.render(await context.provisioner.apply(plan), format: global.output)
        }
    }
}
