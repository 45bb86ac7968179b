import Detector
import Foundation
import TfdriftCore

/// Drift events on stdout: JSON lines (SPEC §5) with `--output json` or when piped, a readable
/// coloured form on a terminal.
final class EventRenderer {
    let format: OutputFormat
    let human: Bool
    let writer = StdoutWriter()

    init(format: OutputFormat) {
        self.format = format
        human = format == .text && Console.stdoutIsTerminal
    }

    func render(_ event: DriftEvent) {
        writer.line(human ? Self.humanLine(event) : event.jsonLine())
    }

    func flush() { writer.flush() }

    static func severityColour(_ severity: Severity) -> String {
        switch severity {
        case .critical: "1;37;41"
        case .high: "1;31"
        case .medium: "33"
        case .low: "36"
        }
    }

    static func humanLine(_ event: DriftEvent) -> String {
        let severity = Console.paint(
            event.severity.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0), severityColour(event.severity)
        )
        var lines = [
            "\(Timestamp.format(event.timestamp)) \(severity) \(Console.paint(event.driftType.rawValue, "1")) \(event.message)"
        ]
        for attribute in event.diff.keys.sorted() {
            let change = event.diff[attribute]!
            lines.append(
                "    \(attribute): \(Console.paint(JSONWriter.encode(change.expected), "31")) → \(Console.paint(JSONWriter.encode(change.actual), "32"))"
            )
        }
        var context = "    \(event.eventSource) · account \(event.accountID ?? "?") · \(event.region ?? "?")"
        if let state = event.state { context += " · state \(state)" }
        if let window = event.maintenanceWindow { context += " · maintenance window \"\(window)\"" }
        lines.append(Console.paint(context, "2"))
        return lines.joined(separator: "\n")
    }
}

/// The end-of-run summary: one JSON object as the last line of stderr (`--output json`), or text.
enum SummaryRenderer {
    static func render(_ summary: DetectionSummary, malformed: [MalformedInput], seconds: Double, format: OutputFormat) {
        for problem in malformed { Console.warn("skipped malformed input \(problem)") }
        if summary.malformed > malformed.count {
            Console.warn("… and \(summary.malformed - malformed.count) more malformed inputs")
        }
        if format == .json {
            Console.stderr(JSONWriter.encode(summary.json(seconds: seconds)))
            return
        }
        let rate = seconds > 0 ? Int(Double(summary.records) / seconds) : 0
        var lines: [String] = []
        lines.append(
            "\(summary.records) records (\(summary.malformed) malformed"
                + (summary.unreadable > 0 ? ", \(summary.unreadable) inputs unreadable" : "")
                + ") in \(String(format: "%.2f", seconds)) s (\(rate)/s)")
        lines.append(
            "\(summary.mutating) mutating calls, \(summary.expectedChanges) expected (Terraform or CI), \(summary.driftEvents) drift events, \(summary.resolved) resolved"
        )
        if !summary.bySeverity.isEmpty {
            let order = Severity.allCases.reversed().map(\.rawValue)
            lines.append(
                "  by severity: "
                    + order.compactMap { key in summary.bySeverity[key].map { "\(key) \($0)" } }.joined(separator: ", "))
        }
        if !summary.byType.isEmpty {
            lines.append(
                "  by type: " + summary.byType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !summary.byResolvedBy.isEmpty {
            lines.append(
                "  resolved by: "
                    + summary.byResolvedBy.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if summary.reorderOverflow > 0 {
            lines.append(
                "  \(summary.reorderOverflow) calls applied before their reorder window closed (too many waited): their order may differ from eventTime order"
            )
        }
        if !summary.skipped.isEmpty {
            lines.append(
                "  skipped: "
                    + summary.skipped.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !summary.uncoveredEvents.isEmpty {
            let top = summary.uncoveredEvents.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5)
            lines.append(
                "  mutating calls the catalog does not cover: " + top.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                    + (summary.uncoveredEvents.count > 5 ? ", …" : ""))
        }
        for line in lines { Console.stderr(line) }
    }
}
