import ArgumentParser
import DetectorServer
import Foundation
import GrafanaProvision
import Logging
import TfdriftApp
import TfdriftCore

enum SilenceTargetOption: String, ExpressibleByArgument, CaseIterable {
    case auto, grafana, datasource, alertmanager
}

/// Options shared by the silence commands: which Alertmanager.
struct SilenceTargetOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where the silences live: Grafana's built-in Alertmanager, an Alertmanager data source proxied by Grafana, or the standalone Alertmanager at alertmanager.url (default: advanced.silences.target; auto = alertmanager.url when set, else Grafana)."
        ))
    var target: SilenceTargetOption?

    @Option(help: "Uid of the Alertmanager data source in Grafana (target datasource).")
    var datasourceUID: String?

    /// The config, logging set up, and the manager for the chosen Alertmanager (`SilenceApp`).
    func manager(_ global: GlobalOptions, horizon: Double? = nil) throws -> (TfdriftConfig, SilenceManager) {
        let config = try global.loadConfig()
        global.bootstrapLogging(config: config)
        let silences = SilenceApp.silences(
            config, target: target.flatMap { SilenceConfig.Target(rawValue: $0.rawValue) }, datasourceUID: datasourceUID,
            horizon: horizon)
        return (config, try SilenceApp.manager(config: config, silences: silences))
    }
}

struct Silence: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn maintenance windows into Alertmanager silences (Grafana's, a data source's, or a standalone one).",
        discussion: """
            Windows come from advanced.maintenance_windows; matchers, horizon and target from \
            advanced.silences. See docs/maintenance-windows.md for silences versus mute timings.
            """,
        subcommands: [Schedule.self, List.self, Expire.self])
}

extension Silence {
    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make sure every window occurrence within the horizon has its silence; idempotent.",
            discussion: """
                Each occurrence that is running or starts within the horizon gets one silence, with UTC \
                start and end computed in the window's time zone (daylight-saving changes and overnight \
                windows included). Our silences carry createdBy and a comment tag with the window and \
                occurrence: a second run creates nothing, a changed window updates its silences, a \
                removed window's silences are expired, and silences of anyone else are never touched. A \
                running silence someone expired early stays expired. Exit status with --dry-run: 0 \
                nothing to change, 2 changes pending; 1 on errors.

                Examples:
                  tfdriftctl silence schedule --dry-run
                  tfdriftctl silence schedule --horizon 30d --output json
                  tfdriftctl silence schedule --target alertmanager
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: SilenceTargetOptions

        @Option(help: "How far ahead to create silences, e.g. 14d, 72h (default: advanced.silences.horizon, 14d).")
        var horizon: String?

        @Flag(help: "Print the plan and change nothing.")
        var dryRun = false

        func validate() throws {
            if let horizon, (DurationParser.seconds(horizon) ?? 0) < 3600 {
                throw ValidationError("--horizon: expected a duration of at least 1h such as 14d or 72h, got \"\(horizon)\"")
            }
        }

        func run() async throws {
            let (config, manager) = try target.manager(global, horizon: horizon.flatMap { DurationParser.seconds($0) })
            if config.maintenanceWindows.isEmpty {
                Console.warn(
                    "no advanced.maintenance_windows in the config: nothing to schedule; silences of removed windows are expired")
            }
            let plan = try await manager.plan(windows: config.maintenanceWindows)
            if dryRun {
                SilenceRenderer.render(plan, target: manager.api.label, format: global.output)
                if plan.hasChanges { throw ExitCode(2) }
                return
            }
            let report = await manager.apply(plan)
            SilenceRenderer.render(report, plan: plan, target: manager.api.label, format: global.output)
            if report.failed { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tfdriftctl's silences (or all with --all): state, times, window and matchers.",
            discussion: """
                Examples:
                  tfdriftctl silence list
                  tfdriftctl silence list --all --state active,pending
                  tfdriftctl silence list --output json | jq '.silences[] | select(.state == "active")'
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: SilenceTargetOptions

        @Flag(help: "Every silence in the Alertmanager, not only ours.")
        var all = false

        @Option(help: "Only these states, comma-separated: active, pending, expired (default: all).")
        var state: String?

        func validate() throws { _ = try states() }

        func states() throws -> Set<GrafanaProvision.Silence.State> {
            guard let state else { return Set(GrafanaProvision.Silence.State.allCases) }
            var result: Set<GrafanaProvision.Silence.State> = []
            for part in state.split(separator: ",") {
                let name = part.trimmingCharacters(in: .whitespaces).lowercased()
                guard let value = GrafanaProvision.Silence.State(rawValue: name) else {
                    throw ValidationError("--state: \"\(name)\" is not one of active, pending, expired")
                }
                result.insert(value)
            }
            return result
        }

        func run() async throws {
            let (config, manager) = try target.manager(global)
            let silences = try await manager.list(scope: all ? .all : .ours, states: try states())
            SilenceRenderer.render(silences, ours: config.silences.createdBy, format: global.output)
        }
    }

    struct Expire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Expire a silence by id, the silences of one window, or all of ours.",
            discussion: """
                --window and --all-ours expire our active and pending silences; an id may name any \
                silence. A running window's silence expired by hand stays expired (schedule does not bring \
                it back); pending ones come back on the next schedule while the window is configured — \
                remove the window from the config to stop it for good.

                Examples:
                  tfdriftctl silence expire 3f1c1a9e-52b4-4bd6-9d6e-1c7f6ad3e0c2
                  tfdriftctl silence expire --window "Weekly Deployment"
                  tfdriftctl silence expire --all-ours --dry-run
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: SilenceTargetOptions

        @Argument(help: "The silence id.")
        var id: String?

        @Option(help: "Expire our silences of this maintenance window.")
        var window: String?

        @Flag(help: "Expire every active or pending silence tfdriftctl created.")
        var allOurs = false

        @Flag(help: "Print what would be expired and change nothing.")
        var dryRun = false

        func validate() throws {
            let given = [id != nil, window != nil, allOurs].filter { $0 }.count
            guard given == 1 else { throw ValidationError("give exactly one of ID, --window NAME or --all-ours") }
        }

        func run() async throws {
            let (_, manager) = try target.manager(global)
            let selection: SilenceManager.ExpireSelection =
                if let id { .id(id) } else if let window { .window(window) } else { .allOurs }
            let silences = try await manager.select(selection)
            if silences.isEmpty || dryRun {
                SilenceRenderer.render(wouldExpire: silences, dryRun: dryRun, format: global.output)
                return
            }
            let results = await manager.expire(silences)
            SilenceRenderer.render(results, format: global.output)
            if results.contains(where: { $0.error != nil }) { throw ExitCode(1) }
        }
    }
}
