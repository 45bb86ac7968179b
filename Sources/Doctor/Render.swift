import Foundation
import TfdriftCore

/// The three output formats of `tfdriftctl doctor`. Deterministic: checks sorted by id, no timings
/// beyond what the evidence states.
public enum DoctorRenderer {
    public enum Format: String, Sendable, CaseIterable {
        case text, json, markdown
    }

    public static func render(_ report: DoctorReport, format: Format) -> String {
        switch format {
        case .text: text(report)
        case .json: json(report)
        case .markdown: markdown(report)
        }
    }

    static let symbols: [CheckStatus: String] = [.pass: "✔", .warn: "!", .fail: "✘", .manual: "?", .skip: "-"]

    static func summaryLine(_ summary: DoctorSummary) -> String {
        CheckStatus.allCases.map { "\(summary.count($0)) \($0.rawValue)" }.joined(separator: ", ")
    }

    /// Grouped by group, one block per check.
    public static func text(_ report: DoctorReport) -> String {
        var lines: [String] = []
        var group = ""
        for check in report.checks {
            if check.group != group {
                if !lines.isEmpty { lines.append("") }
                group = check.group
                lines.append(group)
            }
            lines.append(
                "  \(symbols[check.status]!) \(check.status.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(check.id): \(check.title)"
            )
            lines.append("           " + check.evidence.replacingOccurrences(of: "\n", with: "\n           "))
            if !check.fix.isEmpty, check.status != .pass, check.status != .skip { lines.append("           fix: \(check.fix)") }
        }
        lines.append("")
        lines.append("Summary: \(summaryLine(report.summary)).")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"checks": [{"id", "group", "title", "status", "evidence", "fix"}], "summary": {…}}` (SPEC §8).
    public static func json(_ report: DoctorReport) -> String {
        let checks = report.checks.map { check in
            "{\"id\": \(quote(check.id)), \"group\": \(quote(check.group)), \"title\": \(quote(check.title)), \"status\": \(quote(check.status.rawValue)), \"evidence\": \(quote(check.evidence)), \"fix\": \(quote(check.fix))}"
        }
        let summary = CheckStatus.allCases.map { "\(quote($0.rawValue)): \(report.summary.count($0))" }.joined(separator: ", ")
        return "{\"checks\": [\n  " + checks.joined(separator: ",\n  ") + "\n], \"summary\": {\(summary)}}\n"
    }

    /// For a readiness review: a summary, then a table per group.
    public static func markdown(_ report: DoctorReport) -> String {
        var lines = ["# tfdriftctl production-readiness report", ""]
        lines.append("**Summary:** \(summaryLine(report.summary)).")
        var group = ""
        for check in report.checks {
            if check.group != group {
                group = check.group
                lines.append("")
                lines.append("## \(group)")
                lines.append("")
                lines.append("| Status | Check | Evidence | Fix |")
                lines.append("|---|---|---|---|")
            }
            let status = "\(symbols[check.status]!) \(check.status.rawValue)"
            let name = "`\(check.id)` \(cell(check.title))"
            lines.append("| \(status) | \(name) | \(cell(check.evidence)) | \(check.status == .pass ? "" : cell(check.fix)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
    }

    static func quote(_ text: String) -> String { JSONWriter.quoted(text) }
}
