import Foundation
import TfdriftCore

/// The JSON forms of silences and silence plans (`silence … --output json`).
extension Silence {
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "state": .string(state.rawValue), "starts_at": .string(Timestamp.format(startsAt)),
            "ends_at": .string(Timestamp.format(endsAt)), "created_by": .string(createdBy), "comment": .string(comment),
            "matchers": .array(matchers.map { .string($0.description) }),
        ]
        if let tag {
            fields["window"] = .string(tag.window)
            fields["occurrence"] = .string(tag.occurrence)
        }
        return .object(fields)
    }
}

extension SilenceAction {
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "action": .string(kind.rawValue), "window": .string(tag.window), "occurrence": .string(tag.occurrence),
        ]
        if let desired {
            fields["starts_at"] = .string(Timestamp.format(desired.startsAt))
            fields["ends_at"] = .string(Timestamp.format(desired.endsAt))
        }
        if let existing { fields["id"] = .string(existing.id) }
        if let reason { fields["reason"] = .string(reason) }
        if !self.fields.isEmpty { fields["fields"] = .array(self.fields.map(\.json)) }
        return .object(fields)
    }
}

extension SilencePlan {
    public var summaryJSON: JSONValue {
        [
            "create": JSONValue(count(.create)), "update": JSONValue(count(.update)), "expire": JSONValue(count(.expire)),
            "unchanged": JSONValue(count(.unchanged)), "ended_early": JSONValue(count(.endedEarly)),
        ]
    }

    /// `silence schedule --dry-run --output json`.
    public func json(target: String) -> JSONValue {
        ["target": .string(target), "summary": summaryJSON, "dry_run": true, "actions": .array(actions.map(\.json))]
    }
}

extension SilenceManager.Report {
    /// `silence schedule --output json`.
    public func json(plan: SilencePlan, target: String) -> JSONValue {
        let results: [JSONValue] = results.map { result in
            var fields = result.action.json.objectValue ?? [:]
            fields["ok"] = .bool(result.error == nil)
            if let id = result.id { fields["id"] = .string(id) }
            if let replaced = result.replaced { fields["replaced"] = .string(replaced) }
            if let error = result.error { fields["error"] = .string(error) }
            return .object(fields)
        }
        return ["target": .string(target), "summary": plan.summaryJSON, "results": .array(results)]
    }
}

extension SilenceManager.ExpireResult {
    public var json: JSONValue {
        var fields = silence.json.objectValue ?? [:]
        fields["ok"] = .bool(error == nil)
        if outcome == .alreadyGone { fields["already_gone"] = true }
        if let error { fields["error"] = .string(error) }
        return .object(fields)
    }
}
