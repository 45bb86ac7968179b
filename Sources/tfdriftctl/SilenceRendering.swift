import Foundation
import GrafanaProvision
import TfdriftCore

/// Output of the silence commands.
enum SilenceRenderer {
    static func time(_ date: Date) -> String { Timestamp.format(date) }

    static func line(_ silence: GrafanaProvision.Silence, state: Bool = true) -> String {
        let what = silence.tag.map { "\($0.window) \($0.occurrence)" } ?? silence.comment.prefix(60).description
        let status = state ? " \(silence.state.rawValue)" : " (was \(silence.state.rawValue))"
        return
            "\(silence.id)\(status) \(time(silence.startsAt)) → \(time(silence.endsAt)) \(what) {\(silence.matchers.map(\.description).joined(separator: ", "))}"
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
            Output.json(plan.json(target: target))
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
            Output.json(report.json(plan: plan, target: target))
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

    /// `silence expire` with nothing to expire, or `--dry-run`.
    static func render(wouldExpire silences: [GrafanaProvision.Silence], dryRun: Bool, format: OutputFormat) {
        if format == .json {
            let key = silences.isEmpty ? "expired" : "would_expire"
            Output.json([key: .array(silences.map(\.json)), "dry_run": .bool(dryRun)])
        } else if silences.isEmpty {
            print("No matching silence to expire.")
        } else {
            for silence in silences { print("would expire \(line(silence))") }
        }
    }

    static func render(_ silences: [GrafanaProvision.Silence], ours: String, format: OutputFormat) {
        if format == .json {
            Output.json(["silences": .array(silences.map { $0.json.setting("ours", .bool($0.isOurs(createdBy: ours))) })])
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
            Output.json(["expired": .array(results.map(\.json))])
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
