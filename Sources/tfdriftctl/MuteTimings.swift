import ArgumentParser
import Foundation
import GrafanaProvision
import TfdriftCore

struct MuteTimings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mute-timings",
        abstract: "Provision recurring maintenance windows as Grafana mute timings attached to our alerts.",
        discussion: """
            Each weekly window in advanced.maintenance_windows becomes a mute timing named \
            tfdrift-maintenance-<window> (weekdays, times, location; an overnight window becomes two \
            intervals), referenced by every alert rule labelled managed_by=tfdriftctl (rule notification \
            settings) or by our route (routing: policy). Grafana applies them itself: nothing has to run. \
            One-off windows are left to `silence schedule`. See docs/maintenance-windows.md.
            """,
        subcommands: [Plan.self, Apply.self])
}

extension MuteTimings {
    static func plan(_ context: GrafanaContext) async throws -> MuteTimingPlan {
        let plan = try await context.provisioner.planMaintenanceMuteTimings(context.config.maintenanceWindows)
        for window in plan.oneOffWindows {
            Console.warn(
                "window \"\(window)\" is one-off: mute timings are for recurring windows; use `tfdriftctl silence schedule`")
        }
        for note in plan.notes { Console.warn(note) }
        return plan
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
            let context = try GrafanaContext(global: global, options: options)
            let plan = try await MuteTimings.plan(context)
            PlanRenderer.render(plan.plan, format: global.output)
            if !plan.plan.refusals.isEmpty { throw ExitCode(1) }
            if plan.plan.hasChanges { throw ExitCode(2) }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, update or delete our mute timings and attach them to our rules or route.",
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
            let context = try GrafanaContext(global: global, options: options)
            let plan = try await MuteTimings.plan(context)
            try PlanRenderer.render(await context.provisioner.apply(plan.plan), format: global.output)
        }
    }
}
