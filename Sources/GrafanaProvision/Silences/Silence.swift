import Foundation
import TfdriftCore

/// A silence as Alertmanager returns it (`gettableSilence`).
public struct Silence: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case active, pending, expired }

    public var id: String
    public var state: State
    public var matchers: [LabelMatcher]
    public var startsAt: Date
    public var endsAt: Date
    public var updatedAt: Date?
    public var createdBy: String
    public var comment: String

    public init(
        id: String, state: State, matchers: [LabelMatcher], startsAt: Date, endsAt: Date, updatedAt: Date? = nil,
        createdBy: String, comment: String
    ) {
        self.id = id
        self.state = state
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.comment = comment
    }

    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let starts = json["startsAt"]?.stringValue.flatMap(Timestamp.parse),
            let ends = json["endsAt"]?.stringValue.flatMap(Timestamp.parse)
        else { return nil }
        self.id = id
        state = json["status"]?["state"]?.stringValue.flatMap(State.init(rawValue:)) ?? .expired
        matchers = (json["matchers"]?.arrayValue ?? []).compactMap { item in
            guard let name = item["name"]?.stringValue, let value = item["value"]?.stringValue else { return nil }
            return LabelMatcher(
                name: name, value: value, isRegex: item["isRegex"]?.boolValue ?? false,
                isEqual: item["isEqual"]?.boolValue ?? true)
        }
        startsAt = starts
        endsAt = ends
        updatedAt = json["updatedAt"]?.stringValue.flatMap(Timestamp.parse)
        createdBy = json["createdBy"]?.stringValue ?? ""
        comment = json["comment"]?.stringValue ?? ""
    }

    /// The window and occurrence when the comment carries our tag.
    public var tag: SilenceTag? { SilenceTag.find(in: comment) }

    /// Ours: created by this installation and tagged.
    public func isOurs(createdBy owner: String) -> Bool { createdBy == owner && tag != nil }
}

/// The tag at the end of our silences' comments: `[tfdriftctl window="Weekly Deployment" occurrence="2025-12-14"]`.
/// The occurrence is the window's local start date (weekly windows) or `once` (one-off windows), so a
/// window whose times change keeps its occurrences — their silences are updated, not replaced.
public struct SilenceTag: Sendable, Hashable {
    public var window: String
    public var occurrence: String

    public init(window: String, occurrence: String) {
        self.window = window
        self.occurrence = occurrence
    }

    public var text: String { "[tfdriftctl window=\"\(Self.escape(window))\" occurrence=\"\(Self.escape(occurrence))\"]" }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// The last tag in a comment, nil when there is none (a foreign silence).
    public static func find(in comment: String) -> SilenceTag? {
        guard let start = comment.range(of: "[tfdriftctl window=\"", options: .backwards) else { return nil }
        var rest = comment[start.upperBound...]
        guard let window = readQuoted(&rest), rest.hasPrefix(" occurrence=\"") else { return nil }
        rest = rest.dropFirst(" occurrence=\"".count)
        guard let occurrence = readQuoted(&rest), rest.hasPrefix("]") else { return nil }
        return SilenceTag(window: window, occurrence: occurrence)
    }

    /// Reads up to the closing quote (the opening one is consumed already), unescaping.
    private static func readQuoted(_ text: inout Substring) -> String? {
        var value = ""
        var escaping = false
        while let character = text.first {
            text = text.dropFirst()
            if escaping {
                value.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "\"" {
                return value
            } else {
                value.append(character)
            }
        }
        return nil
    }
}

/// One occurrence of a maintenance window, as the silence tfdriftctl wants for it.
public struct DesiredSilence: Sendable, Equatable {
    public var tag: SilenceTag
    public var matchers: [LabelMatcher]
    /// The occurrence's start and end (UTC instants); Alertmanager moves a start in the past to now.
    public var startsAt: Date
    public var endsAt: Date
    public var createdBy: String
    public var comment: String

    /// The Alertmanager request body; `id` updates an existing silence, `startsAt` overrides the start.
    func body(id: String? = nil, startsAt: Date? = nil) -> JSONValue {
        var body: [String: JSONValue] = [
            "matchers": .array(
                matchers.map {
                    [
                        "name": .string($0.name), "value": .string($0.value), "isRegex": .bool($0.op.isRegex),
                        "isEqual": .bool($0.op.isEqual),
                    ]
                }),
            "startsAt": .string(Timestamp.format(startsAt ?? self.startsAt, fractional: true)),
            "endsAt": .string(Timestamp.format(endsAt, fractional: true)),
            "createdBy": .string(createdBy), "comment": .string(comment),
        ]
        if let id { body["id"] = .string(id) }
        return .object(body)
    }
}

extension MaintenanceWindow {
    /// `Sunday 02:00–06:00 Asia/Tokyo` or `2025-12-10T20:00:00Z – 2025-12-10T23:00:00Z`.
    public var summary: String {
        switch schedule {
        case .oneOff(let start, let end):
            return "\(Timestamp.format(start)) – \(Timestamp.format(end))"
        case .weekly(let weekdays, let startMinute, let endMinute, let zone):
            let days = weekdays.sorted().map { Weekday.canonical[$0] }.joined(separator: ", ")
            let overnight = endMinute <= startMinute ? " (next day)" : ""
            return "\(days) \(Self.clock(startMinute))–\(Self.clock(endMinute))\(overnight) \(zone.identifier)"
        }
    }

    static func clock(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }
}
