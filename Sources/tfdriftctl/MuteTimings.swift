import ArgumentParser
import Foundation
import GrafanaProvision
import TfdriftApp
import TfdriftCore

struct MuteTimings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mute-timings",
        abstract: "Provision recurring maintenance windows as Grafana mute timings attached to our alerts.",
        discussion: """
            Each weekly window in advanced.maintenance_windows becomes a mute timing named \
            tfdrift-maintenance-<window> (weekdays, times, location; an overnight window becomes two \
            intervals), referenced by every drift rule labelled managed_by=tfdriftctl (rule notification \
            settings) or by a child of our route that matches drift alerts (routing: policy). The detector's \
            health rules (down, silent, stale state, failing sink) are never muted. Grafana applies the \
            mute timings itself: nothing has to run. One-off windows are left to `silence schedule`. See \
            docs/maintenance-windows.md.
            """,
        subcommands: [Plan.self, Apply.self])
}

extension MuteTimings {
    /// The plan, with what it could not do said once each.
    static func plan(_ app: GrafanaApp) async throws -> (MuteTimingPlan, notes: [String]) {
        let plan = try await app.planMuteTimings()
        let notes =
            plan.oneOffWindows.map {
                "window \"\($0)\" is one-off: mute timings are for recurring windows; use `tfdriftctl silence schedule`"
            } + plan.notes
        return (plan, notes)
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what apply would change (field by field); changes nothing.",
            discussion: """
                Exit status: 0 nothing to change, 2 changes pending, 1 error or refused resource.

                Examples:
                  tfdriftctl mute-timings plan
                  tfdriftctl mute-timings plan --output json | jq .summary
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions

        func run() async throws {
            let (plan, notes) = try await MuteTimings.plan(try options.app(global))
            PlanRenderer.render(plan.plan, notes: notes, format: global.output)
            try PlanRenderer.exit(for: plan.plan)
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, update or delete our mute timings and attach them to our drift rules or route.",
            discussion: """
                Mute timings of windows removed from the config are detached and deleted; mute timings \
                and rules of anyone else are left as they are. A second apply sends no write.

                Examples:
                  tfdriftctl mute-timings apply
                  tfdriftctl mute-timings apply --ui-editable
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: GrafanaOptions

        func run() async throws {
            let app = try options.app(global)
            let (plan, notes) = try await MuteTimings.plan(app)
            if global.output == .text { for note in notes { Console.warn(note) } }
            try PlanRenderer.render(await app.apply(plan.plan), notes: notes, format: global.output)
        }
    }
}
