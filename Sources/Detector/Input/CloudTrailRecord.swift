/// One CloudTrail management event, from whichever envelope it arrived in. Nested parts stay raw
/// until a drift needs them.
public struct CloudTrailRecord: Sendable {
    public var eventName: String = ""
    public var eventSource: String = ""
    public var eventTime: String?
    public var eventID: String?
    public var eventType: String?
    public var awsRegion: String?
    public var recipientAccountID: String?
    public var errorCode: String?
    public var readOnly: Bool?
    public var userAgent: String?
    public var sourceIPAddress: String?
    public var userIdentity: JSONPart?
    public var requestParameters: JSONPart?
    public var responseElements: JSONPart?
    public var location: InputLocation

    public init(location: InputLocation) { self.location = location }
}

/// A nested JSON part: still raw bytes, or already a value (Falco alerts carry some parts as values).
public enum JSONPart: Sendable {
    case raw(RawJSON)
    case value(JSONValue)

    public func decode() throws -> JSONValue {
        switch self {
        case .raw(let raw): return try raw.decode()
        case .value(let value): return value
        }
    }
}

/// Where an input came from: file, and the record's position in it (line for NDJSON, index for arrays).
public struct InputLocation: Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var index: Int?

    public init(file: String, line: Int? = nil, index: Int? = nil) {
        self.file = file
        self.line = line
        self.index = index
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let index { text += " (record \(index + 1))" }
        return text
    }
}

/// A file, line or record that could not be used, with why. Counted and reported; never fatal.
public struct MalformedInput: Sendable, CustomStringConvertible {
    public var location: InputLocation
    public var reason: String
    public init(location: InputLocation, reason: String) {
        self.location = location
        self.reason = reason
    }
    public var description: String { "\(location): \(reason)" }
}

/// Inputs that are well-formed but deliberately not records (S3 test events, digests…).
public enum InputSkip: String, Sendable, CaseIterable {
    case digestFile = "digest_file"
    case insightFile = "insight_file"
    case notALogFile = "not_a_log_file"
    case s3TestEvent = "s3_test_event"
    case otherEventBridgeEvent = "eventbridge_not_cloudtrail"
    case s3Notification = "s3_notification"
    /// An SNS envelope (`"Type": "Notification"`) or CloudTrail's own `{s3Bucket, s3ObjectKey}` message:
    /// pointers to log files, read by the SQS source, not records.
    case logDeliveryNotification = "log_delivery_notification"
}
