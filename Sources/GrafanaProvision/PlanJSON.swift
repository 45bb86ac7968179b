import Foundation
import TfdriftCore

/// The JSON forms of plans and apply reports (`dashboards|alerts|mute-timings … --output json`).
extension FieldChange {
    public var json: JSONValue { ["path": .string(path), "before": before ?? .null, "after": after ?? .null] }
}

extension Plan {
    /// `{"summary", "changes", "refusals", "unchanged", "notes"}`.
    public func json(notes: [String] = []) -> JSONValue {
        [
            "summary": [
                "create": JSONValue(creates), "update": JSONValue(updates), "delete": JSONValue(deletes),
                "unchanged": JSONValue(unchanged.count),
            ],
            "changes": .array(
                changes.map { change in
                    [
                        "kind": .string(change.kind.label), "name": .string(change.name),
                        "action": .string(change.action.rawValue),
                        "fields": .array(change.fields.map(\.json)),
                    ]
                }),
            "refusals": .array(
                refusals.map { ["kind": .string($0.kind.label), "name": .string($0.name), "reason": .string($0.reason)] }),
            "unchanged": .array(unchanged.map { .string($0) }), "notes": .array(notes.map { .string($0) }),
        ]
    }
}

extension ApplyReport {
    /// `{"results": [{"kind", "name", "action", "ok", "error"}], "refusals", "notes"}`.
    public func json(notes: [String] = []) -> JSONValue {
        let results: [JSONValue] = results.map {
            [
                "kind": .string($0.kind.label), "name": .string($0.name), "action": .string($0.action.rawValue),
                "ok": .bool($0.error == nil), "error": $0.error.map { .string($0) } ?? .null,
            ]
        }
        return [
            "results": .array(results), "refusals": .array(refusals.map { .string($0.description) }),
            "notes": .array(notes.map { .string($0) }),
        ]
    }
}
