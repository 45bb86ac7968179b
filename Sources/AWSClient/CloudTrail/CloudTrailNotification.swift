import Foundation
import TfdriftCore

/// An S3 object: a CloudTrail log file, a state file.
public struct S3ObjectLocation: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    public var key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    public var description: String { "s3://\(bucket)/\(key)" }
}

/// Where the bytes handed to a consumer's handler came from.
public enum CloudTrailPayloadOrigin: Sendable, Hashable, CustomStringConvertible {
    /// A log file fetched from S3 (maybe gzip: the handler detects it by magic bytes).
    case object(S3ObjectLocation)
    /// An SQS message body holding events (EventBridge "AWS API Call via CloudTrail" envelopes), as delivered.
    case message(id: String)

    public var description: String {
        switch self {
        case .object(let location): location.description
        case .message(let id): "SQS message \(id)"
        }
    }
}

/// What one SQS message body says.
public enum CloudTrailNotification: Sendable, Equatable {
    /// Objects to fetch: S3 event notifications (raw or SNS-wrapped), CloudTrail's SNS notification,
    /// EventBridge "Object Created" events.
    case objects([S3ObjectLocation])
    /// The body itself carries the events (EventBridge CloudTrail events, CloudTrail records).
    case events
    /// Nothing to do: `s3:TestEvent`, non-creation S3 events, SNS subscription confirmations.
    case ignored(reason: String)
    /// Not a format we know; the message is left for the queue's redrive policy (dead-letter queue).
    case unrecognized(reason: String)

    /// Reads an SQS message body: SNS envelopes are unwrapped first.
    public static func parse(_ body: String) -> CloudTrailNotification {
        guard let object = try? JSONValue.parse(body), object.objectValue != nil else {
            return .unrecognized(reason: "the body is not a JSON object")
        }
        return parse(object: object, depth: 0)
    }

    static func parse(object: JSONValue, depth: Int) -> CloudTrailNotification {
        // SNS envelope: {"Type": "Notification", "Message": "<json string>", "TopicArn": …}
        if let type = object["Type"]?.stringValue, object["TopicArn"] != nil {
            if type == "SubscriptionConfirmation" || type == "UnsubscribeConfirmation" {
                return .ignored(reason: "SNS \(type) (confirm the subscription in SNS; raw delivery is not required)")
            }
            guard let message = object["Message"]?.stringValue, depth < 2 else {
                return .unrecognized(reason: "an SNS envelope without a Message")
            }
            guard let inner = try? JSONValue.parse(message), inner.objectValue != nil else {
                return .unrecognized(reason: "the SNS Message is not a JSON object")
            }
            return parse(object: inner, depth: depth + 1)
        }
        if object["Event"]?.stringValue == "s3:TestEvent" {
            return .ignored(reason: "s3:TestEvent")
        }
        // CloudTrail's own SNS notification: {"s3Bucket": "…", "s3ObjectKey": ["…"]} (keys not encoded).
        if let bucket = object["s3Bucket"]?.stringValue, let keys = object["s3ObjectKey"]?.arrayValue?.compactMap(\.stringValue) {
            return .objects(keys.map { S3ObjectLocation(bucket: bucket, key: $0) })
        }
        if let records = object["Records"]?.arrayValue {
            let s3Records = records.filter { $0["eventSource"]?.stringValue == "aws:s3" }
            if s3Records.isEmpty {
                // CloudTrail records themselves ({"Records": [{"eventVersion", "eventSource": "ec2.amazonaws.com", …}]}).
                return records.contains { $0["eventName"] != nil } ? .events : .unrecognized(reason: "Records without events")
            }
            var locations: [S3ObjectLocation] = []
            for record in s3Records {
                guard let name = record["eventName"]?.stringValue, name.hasPrefix("ObjectCreated") else { continue }
                guard let bucket = record["s3"]?["bucket"]?["name"]?.stringValue,
                    let key = record["s3"]?["object"]?["key"]?.stringValue
                else { continue }
                // S3 form-URL-encodes keys: `+` is a space, `%2B` a plus.
                locations.append(S3ObjectLocation(bucket: bucket, key: AWSURIEncoding.decode(key, plusIsSpace: true)))
            }
            return locations.isEmpty ? .ignored(reason: "S3 events other than ObjectCreated") : .objects(locations)
        }
        if let detailType = object["detail-type"]?.stringValue, let detail = object["detail"], detail.objectValue != nil {
            // EventBridge S3 "Object Created" (keys are not encoded there).
            if detailType == "Object Created", let bucket = detail["bucket"]?["name"]?.stringValue,
                let key = detail["object"]?["key"]?.stringValue
            {
                return .objects([S3ObjectLocation(bucket: bucket, key: key)])
            }
            if detailType.hasPrefix("AWS API Call via CloudTrail") || detail["eventName"] != nil { return .events }
            return .ignored(reason: "EventBridge event \"\(detailType)\" is not a CloudTrail API call")
        }
        if object["eventVersion"] != nil && object["eventName"] != nil { return .events }
        return .unrecognized(reason: "neither an S3/SNS/CloudTrail notification nor an EventBridge event")
    }
}

/// CloudTrail's S3 key layout: `[prefix/]AWSLogs/[o-org/]<account>/CloudTrail[-Digest|-Insight]/<region>/…`.
public enum CloudTrailKey {
    /// The account a log file belongs to, from its key; nil when the key does not follow the layout.
    public static func account(of key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard let index = parts.firstIndex(of: "AWSLogs"), index + 1 < parts.count else { return nil }
        var candidate = parts[index + 1]
        if candidate.hasPrefix("o-"), index + 2 < parts.count { candidate = parts[index + 2] }
        guard candidate.count == 12, candidate.allSatisfy(\.isNumber) else { return nil }
        return String(candidate)
    }

    /// Digest files (integrity validation) and Insights files hold no management events.
    public static func isDigestOrInsight(_ key: String) -> Bool {
        key.contains("/CloudTrail-Digest/") || key.contains("/CloudTrail-Insight/") || key.contains("_CloudTrail-Digest_")
            || key.contains("_CloudTrail-Insight_")
    }
}
