import Foundation
import TfdriftCore

/// What became of one mutating record, and why: `replay --explain`, the tool for "why was this not
/// reported?".
public struct Explanation: Sendable {
    public enum Outcome: Sendable, Equatable {
        case detected
        case resolved
        /// An exact repeat of what the resource holds: no line of its own.
        case `repeat`
        case expectedChange
        case skipped(SkipReason)

        public var name: String {
            switch self {
            case .detected: "drift_detected"
            case .resolved: "drift_resolved"
            case .repeat: "repeat"
            case .expectedChange: "expected_change"
            case .skipped(let reason): reason.rawValue
            }
        }
    }

    public var eventID: String?
    public var eventName: String
    public var eventSource: String
    public var eventTime: String?
    public var location: InputLocation
    public var outcome: Outcome
    /// A sentence: why this outcome.
    public var detail: String
    /// The resource the record was judged against (address or type, and identifier).
    public var resource: String?

    init(record: CloudTrailRecord, outcome: Outcome, detail: String, resource: String?) {
        eventID = record.eventID
        eventName = record.eventName
        eventSource = record.eventSource
        eventTime = record.eventTime
        location = record.location
        self.outcome = outcome
        self.detail = detail.isEmpty ? Self.defaultDetail(outcome) : detail
        self.resource = resource
    }

    static func defaultDetail(_ outcome: Outcome) -> String {
        switch outcome {
        case .skipped(.noEffectiveChange): "the call set what the state (or the picture) already says"
        case .skipped(.accountNotWatched): "the account is not in providers.aws.cloudtrail.accounts"
        case .skipped(let reason): reason.rawValue.replacingOccurrences(of: "_", with: " ")
        default: ""
        }
    }

    /// One JSON object per line.
    public var jsonLine: String {
        var fields: [String: JSONValue] = [
            "event_name": .string(eventName), "event_source": .string(eventSource), "outcome": .string(outcome.name),
            "reason": .string(detail), "location": .string(location.description),
        ]
        if let eventID { fields["event_id"] = .string(eventID) }
        if let eventTime { fields["event_time"] = .string(eventTime) }
        if let resource { fields["resource"] = .string(resource) }
        return JSONWriter.encode(.object(fields))
    }
}
