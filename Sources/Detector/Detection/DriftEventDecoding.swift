import Foundation
import TfdriftCore

extension DriftEvent {
    /// Reads back a line `jsonLine()` wrote (the live picture kept on disk across restarts, tests).
    public init?(line value: JSONValue) {
        guard case .object(let fields) = value,
            let timestamp = fields["timestamp"]?.stringValue.flatMap(Timestamp.parse),
            let driftType = fields["drift_type"]?.stringValue.flatMap(DriftType.init(rawValue:)),
            let severity = fields["severity"]?.stringValue.flatMap(Severity.init(rawValue:)),
            let resourceType = fields["resource_type"]?.stringValue, let resourceID = fields["resource_id"]?.stringValue
        else { return nil }
        func text(_ key: String) -> String? { fields[key]?.stringValue }
        var actor = Actor()
        if case .object(let identity)? = fields["actor"] {
            actor.type = identity["type"]?.stringValue
            actor.arn = identity["arn"]?.stringValue
            actor.accountID = identity["account_id"]?.stringValue
            actor.principalID = identity["principal_id"]?.stringValue
            actor.sessionName = identity["session_name"]?.stringValue
            actor.sourceIP = identity["source_ip"]?.stringValue
            actor.userAgent = identity["user_agent"]?.stringValue
        }
        // `changed_by` is derived from the actor; keep it when nothing else would give it back.
        if let changedBy = text("changed_by"), actor.changedBy != changedBy { actor.userName = changedBy }
        var diff: [String: AttributeChange] = [:]
        for (attribute, change) in fields["diff"]?.objectValue ?? [:] {
            diff[attribute] = AttributeChange(expected: change["expected"] ?? .null, actual: change["actual"] ?? .null)
        }
        self.init(
            timestamp: timestamp, detectedAt: text("detected_at").flatMap(Timestamp.parse) ?? timestamp,
            action: text("action").flatMap(DriftAction.init(rawValue:)) ?? .detected, driftType: driftType, severity: severity,
            resourceType: resourceType, resourceID: resourceID, resourceAddress: text("resource_address"), state: text("state"),
            diff: diff, actor: actor, eventName: text("event_name") ?? "", eventSource: text("event_source") ?? "",
            eventID: text("event_id"), region: text("region"), accountID: text("account_id"),
            maintenanceWindow: text("maintenance_window"), message: text("message") ?? "")
        resolvedBy = text("resolved_by").flatMap(ResolvedBy.init(rawValue:))
        eventIDs = fields["event_ids"]?.arrayValue?.compactMap(\.stringValue) ?? []
        reason = text("reason")
        truncated = fields["truncated"] == .bool(true)
    }
}
