import ArgumentParser
import Foundation
import GrafanaProvision
import TfdriftApp
import TfdriftCore

/// Options shared by the Grafana commands.
struct GrafanaOptions: ParsableArguments {
    @Flag(help: "Keep provisioned resources editable in Grafana's UI (sends X-Disable-Provenance).")
    var uiEditable = false

    /// The application for these options: the config loaded, logging set up, the Grafana client built.
    func app(_ global: GlobalOptions) throws -> GrafanaApp {
        let config = try global.loadConfig()
        global.bootstrapLogging(config: config)
        return try GrafanaApp(config: config, uiEditable: uiEditable)
    }
}

struct Dashboards: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Provision the Loki data source, the folder and the dashboards in dashboards/ through Grafana's HTTP API.",
        subcommands: [Plan.self, Apply.self, Export.self])
}

extension Dashboards {
    struct Source: ParsableArguments {
        @Option(
            help: "Directory of dashboard JSON files (default: ./dashboards, then beside the config, else the built-in ones).",
            completion: .directory)
        var dir: String?
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what apply would change (field by field); changes nothing.",
            discussion: """
                Exit status: 0 nothing to change, 2 changes pending, 1 error or a resource tfdriftctl refuses \
                to touch (file-provisioned).

                Examples:
                  tfdriftctl dashboards plan --config tfdrift.yaml
                  tfdriftctl dashboards plan --output json | jq .summary
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions
        @OptionGroup var source: Source

        func run() async throws {
            let plan = try await options.app(global).planDashboards(dir: source.dir)
            PlanRenderer.render(plan, format: global.output)
            try PlanRenderer.exit(for: plan)
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update the data source, folder and dashboards; a second apply sends no write.",
            discussion: """
                Order: data source, folder, dashboards. A dashboard changed in Grafana since the plan \
                (version conflict) is reported, not overwritten. The data source's default flag is left to \
                Grafana (which makes an organisation's first data source its default) unless \
                grafana.datasource_is_default says otherwise.

                Examples:
                  tfdriftctl dashboards apply --config tfdrift.yaml
                  tfdriftctl dashboards apply --dir ./my-dashboards --ui-editable
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions
        @OptionGroup var source: Source

        func run() async throws {
            let app = try options.app(global)
            let plan = try await app.planDashboards(dir: source.dir)
            try PlanRenderer.render(await app.apply(plan), format: global.output)
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the dashboards of the folder in Grafana as JSON files you can commit.",
            discussion: """
                Files are named <uid>.json, with sorted keys and without Grafana's id and version, so an \
                export applies back with zero changes. With --output json, the files written are listed as \
                {"written": [paths], "folder": uid}.

                Example:
                  tfdriftctl dashboards export --to ./dashboards
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions

        @Option(help: "Directory to write to (created if missing).", completion: .directory)
        var to: String = "dashboards"

        func run() async throws {
            let app = try options.app(global)
            let written = try await app.exportDashboards(to: to)
            if global.output == .json {
                Output.json(["written": .array(written.map { .string($0) }), "folder": .string(app.grafana.folderUID)])
                return
            }
            for path in written { print("wrote \(path)") }
            if written.isEmpty { Console.warn("no dashboards in folder \(app.grafana.folderUID)") }
        }
    }
}
