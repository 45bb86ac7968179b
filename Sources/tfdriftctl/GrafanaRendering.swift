import ArgumentParser
import Foundation
import GrafanaProvision
import TfdriftCore

/// Plan and apply output of `dashboards`, `alerts` and `mute-timings`: like `terraform plan`, each change
/// with its fields (a create in full, multi-line values as blocks), the summary line last.
enum PlanRenderer {
    static func render(_ plan: Plan, notes: [String] = [], format: OutputFormat, toStandardError: Bool = false) {
        if format == .json {
            Output.json(plan.json(notes: notes))
            return
        }
        for note in notes { Console.warn(note) }
        for refusal in plan.refusals { Console.error("refusing \(refusal)") }
        var lines: [String] = []
        for change in plan.changes {
            let (symbol, colour) =
                change.action == .create ? ("+", "32") : change.action == .update ? ("~", "33") : ("-", "31")
            lines.append(Console.paint("\(symbol) \(change.kind.label) \(change.name)", colour))
            if change.action == .create {
                for field in change.fields { lines += created(field) }
            } else {
                for field in change.fields.prefix(40) {
                    lines.append("    \(field.path): \(show(field.before)) → \(show(field.after))")
                }
                if change.fields.count > 40 { lines.append("    … and \(change.fields.count - 40) more fields") }
            }
            lines.append("")
        }
        lines.append(
            "Plan: \(plan.creates) to create, \(plan.updates) to update, \(plan.deletes) to delete, \(plan.unchanged.count) unchanged."
        )
        for line in lines {
            if toStandardError { Console.stderr(line) } else { print(line) }
        }
    }

    /// One field of a new resource, in full: `path = value`, a multi-line string as an indented block.
    static func created(_ field: FieldChange) -> [String] {
        guard let value = field.after else { return ["    \(field.path)"] }
        if let text = value.stringValue, text.contains("\n") {
            let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
            return ["    \(field.path) = <<EOT"]
                + body.split(separator: "\n", omittingEmptySubsequences: false).map { "      \($0)" }
                + ["    EOT"]
        }
        return ["    \(field.path) = \(JSONWriter.encode(value))"]
    }

    /// A value in an update, shortened: the field path says where it is.
    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        let text = JSONWriter.encode(value)
        return text.count > 160 ? String(text.prefix(157)) + "…" : text
    }

    /// `plan`'s exit status: 1 when something is refused, 2 when changes are pending.
    static func exit(for plan: Plan) throws {
        if !plan.refusals.isEmpty { throw ExitCode(1) }
        if plan.hasChanges { throw ExitCode(2) }
    }

    /// Prints per-resource results; exit 1 when anything failed or was refused.
    static func render(_ report: ApplyReport, notes: [String] = [], format: OutputFormat) throws {
        if format == .json {
            Output.json(report.json(notes: notes))
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
