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
}

/// What every silence command needs: the config and a client for the chosen Alertmanager.
struct SilenceContext {
    let config: TfdriftConfig
    let manager: SilenceManager

    init(global: GlobalOptions, options: SilenceTargetOptions, horizon: Double? = nil) throws {
        config = try global.loadConfig()
        global.bootstrapLogging(config: config)
        var silences = config.silences
        if let target = options.target { silences.target = SilenceConfig.Target(rawValue: target.rawValue) ?? .auto }
        if let uid = options.datasourceUID {
            silences.datasourceUID = uid
            if options.target == nil { silences.target = .datasource }
        }
        if let horizon { silences.horizon = horizon }
        manager = try Self.manager(config: config, silences: silences)
    }

    /// The manager for a config: `run` uses it too.
    static func manager(config: TfdriftConfig, silences: SilenceConfig) throws -> SilenceManager {
        let logger = Logger(label: "tfdrift.silences")
        var target = silences.target
        if target == .auto { target = config.alertmanager != nil ? .alertmanager : .grafana }
        let api: AlertmanagerAPI
        switch target {
        case .alertmanager:
            guard let alertmanager = config.alertmanager else {
                throw ValidationError("the standalone Alertmanager target needs alertmanager.url in the config")
            }
            let transport = try HTTPClients.alertmanager(alertmanager)
            api = try AlertmanagerAPI(standalone: alertmanager, transport: transport, logger: logger)
        case .grafana, .datasource, .auto:
            guard let grafana = config.grafana else {
                throw ValidationError(
                    "no Alertmanager for silences: set grafana.url and grafana.token (Grafana's built-in Alertmanager) or alertmanager.url (a standalone one)"
                )
            }
            if target == .datasource, silences.datasourceUID == nil {
                throw ValidationError("target datasource needs --datasource-uid or advanced.silences.datasource_uid")
            }
            let transport = try HTTPClients.grafana(grafana)
            let client = try GrafanaClient(config: grafana, transport: transport, logger: logger)
            api = AlertmanagerAPI(grafana: client, dataSourceUID: target == .datasource ? silences.datasourceUID : nil)
        }
        return SilenceManager(api: api, options: SilenceOptions(config: silences), logger: logger)
    }

    /// `run` with `advanced.silences.keep_filled`: the service that re-runs the schedule; nil when off.
    static func keepFilledService(config: TfdriftConfig, logger: Logger) throws -> SilenceHorizonService? {
        guard config.silences.keepFilled, !config.maintenanceWindows.isEmpty else { return nil }
        let manager = try manager(config: config, silences: config.silences)
        let windows = config.maintenanceWindows
        logger.info(
            "keeping maintenance silences filled",
            metadata: [
                "alertmanager": "\(manager.api.label)", "windows": "\(windows.count)",
                "horizon": "\(DurationParser.format(config.silences.horizon))",
                "interval": "\(DurationParser.format(config.silences.interval))",
            ])
        return SilenceHorizonService(interval: .seconds(config.silences.interval), logger: logger) {
            let plan = try await manager.plan(windows: windows)
            let report = await manager.apply(plan)
            if let failure = report.results.first(where: { $0.error != nil })?.error {
                throw ProvisionError(failure)
            }
            return
                "\(report.count(.create)) created, \(report.count(.update)) updated, \(report.count(.expire)) expired, \(plan.count(.unchanged)) unchanged"
        }
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
            let context = try SilenceContext(
                global: global, options: target, horizon: horizon.flatMap { DurationParser.seconds($0) })
            if context.config.maintenanceWindows.isEmpty {
                Console.warn(
                    "no advanced.maintenance_windows in the config: nothing to schedule; silences of removed windows are expired")
            }
            let plan = try await context.manager.plan(windows: context.config.maintenanceWindows)
            if dryRun {
                SilenceRenderer.render(plan, target: context.manager.api.label, format: global.output)
                if plan.hasChanges { throw ExitCode(2) }
                return
            }
            let report = await context.manager.apply(plan)
            SilenceRenderer.render(report, plan: plan, target: context.manager.api.label, format: global.output)
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
            let context = try SilenceContext(global: global, options: target)
            let silences = try await context.manager.list(scope: all ? .all : .ours, states: try states())
            SilenceRenderer.render(silences, ours: context.config.silences.createdBy, format: global.output)
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
            let context = try SilenceContext(global: global, options: target)
            let selection: SilenceManager.ExpireSelection =
                if let id { .id(id) } else if let window { .window(window) } else { .allOurs }
            let silences = try await context.manager.select(selection)
            if silences.isEmpty {
                if global.output == .json {
                    print(JSONWriter.encode(["expired": [], "dry_run": .bool(dryRun)]))
                } else {
                    print("No matching silence to expire.")
                }
                return
            }
            if dryRun {
                if global.output == .json {
                    print(JSONWriter.encode(["would_expire": .array(silences.map(SilenceRenderer.json)), "dry_run": true]))
                } else {
                    for silence in silences { print("would expire \(SilenceRenderer.line(silence))") }
                }
                return
            }
            let results = await context.manager.expire(silences)
            SilenceRenderer.render(results, format: global.output)
            if results.contains(where: { $0.error != nil }) { throw ExitCode(1) }
        }
    }
}

/// Output of the silence commands.
enum SilenceRenderer {
    static func time(_ date: Date) -> String { Timestamp.format(date) }

    static func line(_ silence: GrafanaProvision.Silence, state: Bool = true) -> String {
        let what = silence.tag.map { "\($0.window) \($0.occurrence)" } ?? silence.comment.prefix(60).description
        let status = state ? " \(silence.state.rawValue)" : " (was \(silence.state.rawValue))"
        return
            "\(silence.id)\(status) \(time(silence.startsAt)) → \(time(silence.endsAt)) \(what) {\(silence.matchers.map(\.description).joined(separator: ", "))}"
    }

    static func json(_ silence: GrafanaProvision.Silence) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(silence.id), "state": .string(silence.state.rawValue),
            "starts_at": .string(time(silence.startsAt)), "ends_at": .string(time(silence.endsAt)),
            "created_by": .string(silence.createdBy), "comment": .string(silence.comment),
            "matchers": .array(silence.matchers.map { .string($0.description) }),
        ]
        if let tag = silence.tag {
            fields["window"] = .string(tag.window)
            fields["occurrence"] = .string(tag.occurrence)
        }
        return .object(fields)
    }

    static func actionJSON(_ action: SilenceAction) -> JSONValue {
        var fields: [String: JSONValue] = [
            "action": .string(action.kind.rawValue), "window": .string(action.tag.window),
            "occurrence": .string(action.tag.occurrence),
        ]
        if let desired = action.desired {
            fields["starts_at"] = .string(time(desired.startsAt))
            fields["ends_at"] = .string(time(desired.endsAt))
        }
        if let existing = action.existing { fields["id"] = .string(existing.id) }
        if let reason = action.reason { fields["reason"] = .string(reason) }
        if !action.fields.isEmpty {
            fields["fields"] = .array(
                action.fields.map { ["path": .string($0.path), "before": $0.before ?? .null, "after": $0.after ?? .null] })
        }
        return .object(fields)
    }

    static func summary(_ plan: SilencePlan) -> JSONValue {
        [
            "create": JSONValue(plan.count(.create)), "update": JSONValue(plan.count(.update)),
            "expire": JSONValue(plan.count(.expire)), "unchanged": JSONValue(plan.count(.unchanged)),
            "ended_early": JSONValue(plan.count(.endedEarly)),
        ]
    }

    static func describe(_ action: SilenceAction) -> String {
        let times =
            action.desired.map { "\(time($0.startsAt)) → \(time($0.endsAt))" }
            ?? action.existing.map { "\(time($0.startsAt)) → \(time($0.endsAt))" } ?? ""
        let id = action.existing.map { " (\($0.id))" } ?? ""
        let reason = action.reason.map { ": \($0)" } ?? ""
        return "\(action.tag.window) \(action.tag.occurrence) \(times)\(id)\(reason)"
    }

    static func render(_ plan: SilencePlan, target: String, format: OutputFormat) {
        if format == .json {
            print(
                JSONWriter.encode([
                    "target": .string(target), "summary": summary(plan), "dry_run": true,
                    "actions": .array(plan.actions.map(actionJSON)),
                ]))
            return
        }
        print(
            "Plan for \(target): \(plan.count(.create)) to create, \(plan.count(.update)) to update, \(plan.count(.expire)) to expire, \(plan.count(.unchanged)) unchanged."
        )
        for action in plan.actions where action.kind != .unchanged {
            let (symbol, colour): (String, String) =
                switch action.kind {
                case .create: ("+", "32")
                case .update: ("~", "33")
                case .expire: ("-", "31")
                case .unchanged, .endedEarly: ("=", "2")
                }
            print(Console.paint("  \(symbol) \(describe(action))", colour))
            for field in action.fields where field.path != "comment" {
                print("      \(field.path): \(PlanRenderer.show(field.before)) → \(PlanRenderer.show(field.after))")
            }
        }
    }

    static func render(_ report: SilenceManager.Report, plan: SilencePlan, target: String, format: OutputFormat) {
        if format == .json {
            let results: [JSONValue] = report.results.map { result in
                var fields = actionJSON(result.action).objectValue ?? [:]
                fields["ok"] = .bool(result.error == nil)
                if let id = result.id { fields["id"] = .string(id) }
                if let replaced = result.replaced { fields["replaced"] = .string(replaced) }
                if let error = result.error { fields["error"] = .string(error) }
                return .object(fields)
            }
            print(
                JSONWriter.encode([
                    "target": .string(target), "summary": summary(plan), "results": .array(results),
                ]))
            return
        }
        if report.results.isEmpty {
            print("Nothing to change: \(plan.count(.unchanged)) silences in \(target) already match the windows.")
        }
        for result in report.results {
            let verb =
                switch result.action.kind {
                case .create: "created"
                case .update: "updated"
                case .expire: "expired"
                case .unchanged, .endedEarly: "kept"
                }
            if let error = result.error {
                Console.error("\(result.action.kind.rawValue) \(describe(result.action)): \(error)")
            } else {
                let replaced = result.replaced.map { " (Alertmanager replaced \($0))" } ?? ""
                print("\(verb) \(result.id ?? "") \(describe(result.action))\(replaced)")
            }
        }
        for action in plan.actions where action.kind == .endedEarly { print("kept expired \(describe(action))") }
        let failed = report.results.filter { $0.error != nil }.count
        if !report.results.isEmpty {
            print(
                "Schedule: \(report.count(.create)) created, \(report.count(.update)) updated, \(report.count(.expire)) expired, \(plan.count(.unchanged)) unchanged, \(failed) failed."
            )
        }
    }

    static func render(_ silences: [GrafanaProvision.Silence], ours: String, format: OutputFormat) {
        if format == .json {
            print(
                JSONWriter.encode([
                    "silences": .array(
                        silences.map { silence in
                            json(silence).setting("ours", .bool(silence.isOurs(createdBy: ours)))
                        })
                ]))
            return
        }
        if silences.isEmpty {
            print("No silences.")
            return
        }
        print("ID                                    STATE    STARTS (UTC)          ENDS (UTC)            WINDOW / COMMENT")
        for silence in silences {
            let what = silence.tag.map { "\($0.window) [\($0.occurrence)]" } ?? String(silence.comment.prefix(50))
            let state = silence.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            let colour = silence.state == .active ? "32" : silence.state == .pending ? "33" : "2"
            print(
                "\(silence.id.padding(toLength: 37, withPad: " ", startingAt: 0)) \(Console.paint(state, colour)) \(time(silence.startsAt))  \(time(silence.endsAt))  \(what)"
            )
        }
    }

    static func render(_ results: [SilenceManager.ExpireResult], format: OutputFormat) {
        if format == .json {
            print(
                JSONWriter.encode([
                    "expired": .array(
                        results.map { result in
                            var fields = json(result.silence).objectValue ?? [:]
                            fields["ok"] = .bool(result.error == nil)
                            if result.outcome == .alreadyGone { fields["already_gone"] = true }
                            if let error = result.error { fields["error"] = .string(error) }
                            return .object(fields)
                        })
                ]))
            return
        }
        for result in results {
            if let error = result.error {
                Console.error("expire \(result.silence.id): \(error)")
            } else if result.outcome == .alreadyGone {
                print("already expired \(line(result.silence))")
            } else {
                print("expired \(line(result.silence, state: false))")
            }
        }
    }
}
