import Foundation
import TfdriftCore

extension DetectionSummary {
    /// The end-of-run summary (SPEC §2): `replay --output json` writes it as the last line of stderr.
    public func json(seconds: Double) -> JSONValue {
        func counts(_ dictionary: [String: Int]) -> JSONValue { .object(dictionary.mapValues { .number(String($0)) }) }
        var fields: [String: JSONValue] = [
            "records": .number(String(records)),
            "malformed": .number(String(malformed)),
            "unreadable": .number(String(unreadable)),
            "mutating": .number(String(mutating)),
            "expected_changes": .number(String(expectedChanges)),
            "drift_events": .number(String(driftEvents)),
            "by_severity": counts(bySeverity),
            "by_type": counts(byType),
            "resolved": .number(String(resolved)),
            "by_resolved_by": counts(byResolvedBy),
            "skipped": counts(skipped),
            "uncovered_events": counts(uncoveredEvents),
            "seconds": .number(String(format: "%.3f", seconds)),
        ]
        if reorderOverflow > 0 { fields["reorder_overflow"] = .number(String(reorderOverflow)) }
        return .object(["summary": .object(fields)])
    }
}
