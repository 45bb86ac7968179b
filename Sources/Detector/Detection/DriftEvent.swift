import Foundation
import TfdriftCore

public enum DriftType: String, Sendable, CaseIterable, Codable {
    case modified, deleted, unmanaged
}

public enum DriftAction: String, Sendable, Codable {
    case detected = "drift_detected"
    case resolved = "drift_resolved"
}

/// What closed a drift (SPEC §5 `resolved_by`).
public enum ResolvedBy: String, Sendable, CaseIterable {
    /// A call returned the resource to what the state says.
    case revert
    /// A resource no state manages was deleted.
    case deleted
    /// A reloaded state now says what the resource is.
    case stateReload = "state_reload"
}

/// Who made the call, from CloudTrail's `userIdentity`.
public struct Actor: Sendable, Equatable {
    public var type: String?
    public var arn: String?
    public var accountID: String?
    public var principalID: String?
    public var sessionName: String?
    /// The role an assumed-role session came from (`sessionContext.sessionIssuer.arn`).
    public var issuerARN: String?
    public var userName: String?
    public var invokedBy: String?
    public var sourceIP: String?
    public var userAgent: String?

    public init() {}

    func mapStrings(_ transform: (String) -> String) -> Actor {
        var copy = self
        for path in [
            \Actor.type, \.arn, \.accountID, \.principalID, \.sessionName, \.issuerARN, \.userName, \.invokedBy, \.sourceIP,
            \.userAgent,
        ] {
            copy[keyPath: path] = self[keyPath: path].map(transform)
        }
        return copy
    }

    /// AWS acting for itself: a service principal, or a service-linked role (which only its service
    /// can assume: `role/aws-service-role/…`).
    public var isAWSService: Bool {
        type == "AWSService" || issuerARN?.contains(":role/aws-service-role/") == true
            || arn?.contains(":assumed-role/AWSServiceRoleFor") == true
    }

    /// SPEC §5 `changed_by`: session name for assumed roles, the user name, or the ARN.
    public var changedBy: String {
        if let sessionName, !sessionName.isEmpty { return sessionName }
        if let userName, !userName.isEmpty { return userName }
        if type == "Root" { return "root" }
        if let invokedBy, !invokedBy.isEmpty { return invokedBy }
        if let arn, !arn.isEmpty { return arn }
        return principalID ?? "unknown"
    }
}

/// One attribute's change: what the state says and what the call set.
public struct AttributeChange: Sendable, Equatable {
    public var expected: JSONValue
    public var actual: JSONValue

    public init(expected: JSONValue, actual: JSONValue) {
        self.expected = expected
        self.actual = actual
    }
}

/// The drift event (SPEC §5): one JSON object per line, the Loki log line.
public struct DriftEvent: Sendable, Equatable {
    public var timestamp: Date
    public var detectedAt: Date
    public var action: DriftAction = .detected
    public var driftType: DriftType
    public var severity: Severity
    public var resourceType: String
    public var resourceID: String
    public var resourceAddress: String?
    public var state: String?
    public var diff: [String: AttributeChange]
    public var actor: Actor
    public var eventName: String
    public var eventSource: String
    public var eventID: String?
    public var region: String?
    public var accountID: String?
    public var maintenanceWindow: String?
    public var message: String
    /// On `drift_resolved` lines: what closed the drift.
    public var resolvedBy: ResolvedBy?
    /// Ids of exact repeats of earlier changes to this resource, carried on the next line about it.
    public var eventIDs: [String] = []
    /// Why the diff is empty although the call changed values: `diff_unavailable` (the request's shape
    /// is not the one the catalog knows, or CloudTrail withheld the values).
    public var reason: String?
    /// Set when the line was shortened to fit a sink's line limit (long values cut).
    public var truncated = false

    public var changedBy: String { actor.changedBy }

    public init(
        timestamp: Date, detectedAt: Date, action: DriftAction = .detected, driftType: DriftType, severity: Severity,
        resourceType: String,
        resourceID: String, resourceAddress: String?, state: String?, diff: [String: AttributeChange], actor: Actor,
        eventName: String,
        eventSource: String, eventID: String?, region: String?, accountID: String?, maintenanceWindow: String?, message: String
    ) {
        self.timestamp = timestamp
        self.detectedAt = detectedAt
        self.action = action
        self.driftType = driftType
        self.severity = severity
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.resourceAddress = resourceAddress
        self.state = state
        self.diff = diff
        self.actor = actor
        self.eventName = eventName
        self.eventSource = eventSource
        self.eventID = eventID
        self.region = region
        self.accountID = accountID
        self.maintenanceWindow = maintenanceWindow
        self.message = message
    }

    /// The JSON line, keys in SPEC order (stable for Loki queries and golden tests).
    public func jsonLine() -> String {
        var writer = JSONWriter()
        writer.append("{")
        var first = true
        func key(_ name: String) {
            if !first { writer.append(",") }
            first = false
            writer.writeString(name)
            writer.append(":")
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            writer.writeString(value)
        }
        string("timestamp", Timestamp.format(timestamp))
        string("detected_at", Timestamp.format(detectedAt, fractional: true))
        string("action", action.rawValue)
        string("drift_type", driftType.rawValue)
        string("severity", severity.rawValue)
        string("resource_type", resourceType)
        string("resource_id", resourceID)
        string("resource_address", resourceAddress)
        string("state", state)
        key("diff")
        var diffObject: [String: JSONValue] = [:]
        for (attribute, change) in diff {
            diffObject[attribute] = .object(["expected": change.expected, "actual": change.actual])
        }
        writer.write(.object(diffObject))
        string("changed_by", changedBy)
        key("actor")
        writer.write(.object(actorObject))
        string("event_name", eventName)
        string("event_source", eventSource)
        string("event_id", eventID)
        string("region", region)
        string("account_id", accountID)
        string("maintenance_window", maintenanceWindow)
        string("resolved_by", resolvedBy?.rawValue)
        if !eventIDs.isEmpty {
            key("event_ids")
            writer.write(.array(eventIDs.map(JSONValue.string)))
        }
        string("reason", reason)
        string("message", message)
        if truncated {
            key("truncated")
            writer.append("true")
        }
        writer.append("}")
        return writer.string
    }

    /// The JSON line, shortened to at most `maxBytes` when it is longer (Loki refuses lines over its
    /// `max_line_size`): long strings are cut — diff values first, then the actor's fields and the
    /// message — and `"truncated": true` says so. The identifying fields (event id, resource, type,
    /// severity) are never cut, so the line still counts and links in dashboards.
    public func jsonLine(maxBytes: Int) -> String {
        let line = jsonLine()
        guard line.utf8.count > maxBytes else { return line }
        var short = self
        short.truncated = true
        for budget in [4096, 512, 64] {
            short.diff = diff.mapValues {
                AttributeChange(expected: Self.cut($0.expected, to: budget), actual: Self.cut($0.actual, to: budget))
            }
            short.actor = actor.mapStrings { Self.cut($0, to: budget) }
            short.message = Self.cut(message, to: max(budget, 256))
            let candidate = short.jsonLine()
            if candidate.utf8.count <= maxBytes { return candidate }
        }
        short.diff = [:]
        return short.jsonLine()
    }

    static func cut(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var end = text.utf8.index(text.utf8.startIndex, offsetBy: limit)
        while end > text.utf8.startIndex, !text.unicodeScalars.indices.contains(end) { end = text.utf8.index(before: end) }
        return String(text[..<end]) + "…"
    }

    /// A JSON value with every string longer than `limit` cut; containers larger than the limit become
    /// their cut text.
    static func cut(_ value: JSONValue, to limit: Int) -> JSONValue {
        switch value {
        case .string(let text): return .string(cut(text, to: limit))
        case .array, .object:
            let text = JSONWriter.encode(value)
            return text.utf8.count > limit ? .string(cut(text, to: limit)) : value
        default: return value
        }
    }

    var actorObject: [String: JSONValue] {
        func value(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return [
            "type": value(actor.type), "arn": value(actor.arn), "account_id": value(actor.accountID),
            "principal_id": value(actor.principalID), "session_name": value(actor.sessionName),
            "source_ip": value(actor.sourceIP), "user_agent": value(actor.userAgent),
        ]
    }
}
