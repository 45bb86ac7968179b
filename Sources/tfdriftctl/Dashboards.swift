import ArgumentParser
import Foundation
import GrafanaProvision
import Logging
import TfdriftApp
import TfdriftCore

/// Options shared by the Grafana commands.
struct GrafanaOptions: ParsableArguments {
    @Flag(help: "Keep provisioned resources editable in Grafana's UI (sends X-Disable-Provenance).")
    var uiEditable = false
}

/// What every Grafana command needs: the config, a client and a provisioner.
struct GrafanaContext {
    let config: TfdriftConfig
    let grafana: GrafanaConfig
    let provisioner: Provisioner
    let transport: any HTTPTransport

    init(global: GlobalOptions, options: GrafanaOptions) throws {
        config = try global.loadConfig()
        global.bootstrapLogging(config: config)
        guard let grafana = config.grafana else {
            throw ValidationError("grafana is not configured: add grafana.url and grafana.token to the config")
        }
        self.grafana = grafana
        transport = try HTTPClients.grafana(grafana)
        let logger = Logger(label: "tfdrift.grafana")
        let client = try GrafanaClient(config: grafana, transport: transport, logger: logger)
        var provisionOptions = ProvisionOptions()
        provisionOptions.uiEditable = options.uiEditable || grafana.uiEditable
        provisionOptions.orgID = grafana.orgID ?? 1
        provisioner = Provisioner(client: client, options: provisionOptions, logger: logger)
    }

    var folder: FolderSpec { FolderSpec(uid: grafana.folderUID, title: grafana.folder) }

    /// Directories searched for `dashboards/` and `alerts/`: the working directory, then the config's.
    var searchDirectories: [String] {
        var directories = [FileManager.default.currentDirectoryPath]
        if let source = config.sourceFile {
            let directory = ((source as NSString).deletingLastPathComponent as NSString).standardizingPath
            if !directory.isEmpty, !directories.contains(directory) { directories.append(directory) }
        }
        return directories
    }

    /// The Loki data source when a Loki URL is configured.
    func dataSource(required: Bool) throws -> DataSourceSpec? {
        if !required, grafana.lokiURL == nil, config.outputs.loki == nil { return nil }
        return try DataSourceSpec.loki(config: config, grafana: grafana)
    }
}

/// Plan and apply output.
enum PlanRenderer {
    static func render(_ plan: Plan, format: OutputFormat) {
        if format == .json {
            print(JSONWriter.encode(json(plan)))
            return
        }
        for refusal in plan.refusals { Console.error("refusing \(refusal)") }
        print(
            "Plan: \(plan.creates) to create, \(plan.updates) to update, \(plan.deletes) to delete, \(plan.unchanged.count) unchanged."
        )
        for change in plan.changes {
            let (symbol, colour) =
                change.action == .create ? ("+", "32") : change.action == .update ? ("~", "33") : ("-", "31")
            print(Console.paint("  \(symbol) \(change.kind.label) \(change.name)", colour))
            for field in change.fields.prefix(40) {
                print("      \(field.path): \(show(field.before)) → \(show(field.after))")
            }
            if change.fields.count > 40 { print("      … and \(change.fields.count - 40) more fields") }
        }
    }

    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        let text = JSONWriter.encode(value)
        return text.count > 120 ? String(text.prefix(117)) + "…" : text
    }

    static func json(_ plan: Plan) -> JSONValue {
        [
            "summary": [
                "create": JSONValue(plan.creates), "update": JSONValue(plan.updates),
                "delete": JSONValue(plan.deletes), "unchanged": JSONValue(plan.unchanged.count),
            ],
            "changes": .array(
                plan.changes.map { change in
                    [
                        "kind": .string(change.kind.label), "name": .string(change.name),
                        "action": .string(change.action.rawValue),
                        "fields": .array(
                            change.fields.map {
                                ["path": .string($0.path), "before": $0.before ?? .null, "after": $0.after ?? .null]
                            }),
                    ]
                }),
            "refusals": .array(
                plan.refusals.map { ["kind": .string($0.kind.label), "name": .string($0.name), "reason": .string($0.reason)] }),
            "unchanged": .array(plan.unchanged.map { .string($0) }),
        ]
    }

    /// Prints per-resource results; throws exit 1 when anything failed or was refused.
    static func render(_ report: ApplyReport, format: OutputFormat) throws {
        if format == .json {
            let results: [JSONValue] = report.results.map {
                [
                    "kind": .string($0.kind.label), "name": .string($0.name), "action": .string($0.action.rawValue),
                    "ok": .bool($0.error == nil), "error": $0.error.map { .string($0) } ?? .null,
                ]
            }
            let refusals: [JSONValue] = report.refusals.map { .string($0.description) }
            print(JSONWriter.encode(["results": .array(results), "refusals": .array(refusals)]))
        } else {
            for refusal in report.refusals { Console.error("refused \(refusal)") }
            if report.results.isEmpty { print("Nothing to change: Grafana already matches.") }
            for result in report.results {
                if let error = result.error {
                    Console.error("\(result.action.rawValue) \(result.kind.label) \(result.name): \(error)")
                } else {
                    print("\(result.action.rawValue)d \(result.kind.label) \(result.name)")
                }
            }
            let failed = report.results.filter { $0.error != nil }.count
            if !report.results.isEmpty {
                print("Apply: \(report.results.count - failed) done, \(failed) failed, \(report.refusals.count) refused.")
            }
        }
        if report.failed { throw ExitCode(1) }
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

        /// `--dir`, else `./dashboards` or beside the config; nil means the dashboards built into the binary.
        func directory(_ context: GrafanaContext) -> String? {
            if let dir { return dir }
            let candidates = context.searchDirectories.map { ($0 as NSString).appendingPathComponent("dashboards") }
            return candidates.first(where: { FileManager.default.fileExists(atPath: $0) })
        }
    }

    static func desired(_ context: GrafanaContext, source: Source) throws -> DesiredState {
        var desired = DesiredState()
        desired.dataSource = try context.dataSource(required: true)
        desired.folder = context.folder
        let folderUID = context.grafana.folderUID
        desired.dashboards =
            try source.directory(context).map { try DashboardFiles.load(directory: $0, folderUID: folderUID) }
            ?? DashboardFiles.loadBuiltIn(folderUID: folderUID)
        desired.pruneDashboards = true
        return desired
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
            let context = try GrafanaContext(global: global, options: options)
            let plan = try await context.provisioner.plan(try Dashboards.desired(context, source: source))
            PlanRenderer.render(plan, format: global.output)
            if !plan.refusals.isEmpty { throw ExitCode(1) }
            if plan.hasChanges { throw ExitCode(2) }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update the data source, folder and dashboards; a second apply sends no write.",
            discussion: """
                Order: data source, folder, dashboards. A dashboard changed in Grafana since the plan \
                (version conflict) is reported, not overwritten.

                Examples:
                  tfdriftctl dashboards apply --config tfdrift.yaml
                  tfdriftctl dashboards apply --dir ./my-dashboards --ui-editable
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions
        @OptionGroup var source: Source

        func run() async throws {
            let context = try GrafanaContext(global: global, options: options)
            let plan = try await context.provisioner.plan(try Dashboards.desired(context, source: source))
            try PlanRenderer.render(await context.provisioner.apply(plan), format: global.output)
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the dashboards of the folder in Grafana as JSON files you can commit.",
            discussion: """
                Files are named <uid>.json, with sorted keys and without Grafana's id and version, so an \
                export applies back with zero changes.

                Example:
                  tfdriftctl dashboards export --to ./dashboards
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions

        @Option(help: "Directory to write to (created if missing).", completion: .directory)
        var to: String = "dashboards"

        func run() async throws {
            let context = try GrafanaContext(global: global, options: options)
            let dashboards = try await context.provisioner.exportDashboards(folderUID: context.grafana.folderUID)
            try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
            for (uid, model) in dashboards {
                let path = (to as NSString).appendingPathComponent("\(uid).json")
                try Data(JSONWriter.pretty(model).utf8).write(to: URL(fileURLWithPath: path))
                print("wrote \(path)")
            }
            if dashboards.isEmpty { Console.warn("no dashboards in folder \(context.grafana.folderUID)") }
        }
    }
}
