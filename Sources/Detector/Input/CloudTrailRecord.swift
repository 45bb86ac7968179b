import Foundation
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// One CloudTrail management event, from whichever envelope it arrived in. Nested parts stay raw
/// until a drift needs them; string fields are decoded on first read.
public struct CloudTrailRecord: Sendable {
    /// The buffer raw slots point into.
    var buffer: JSONBytes?
    var slots = Slots()

    struct Slots: Sendable {
        var eventName = TextSlot.absent
        var eventSource = TextSlot.absent
        var eventTime = TextSlot.absent
        var eventID = TextSlot.absent
        var eventType = TextSlot.absent
        var awsRegion = TextSlot.absent
        var recipientAccountID = TextSlot.absent
        var errorCode = TextSlot.absent
        var userAgent = TextSlot.absent
        var sourceIPAddress = TextSlot.absent
    }

    public var readOnly: Bool?
    /// `eventTime` parsed (the decoder refuses a record whose `eventTime` is not a time).
    public internal(set) var eventDate: Date?
    /// The nested parts, as ranges of `buffer` (one reference for the whole record: records are copied
    /// through the pipeline, and every reference is a retain) or as values (Falco alerts).
    var parts = Parts()

    struct Parts: Sendable {
        var userIdentity = PartSlot.absent
        var requestParameters = PartSlot.absent
        var responseElements = PartSlot.absent
    }

    enum PartSlot: Sendable {
        case absent
        case range(Int, Int)
        case value(JSONValue)

        func part(in buffer: JSONBytes?) -> JSONPart? {
            switch self {
            case .absent: return nil
            case .range(let start, let end): return buffer.map { .raw(RawJSON(bytes: $0, start: start, end: end)) }
            case .value(let value): return .value(value)
            }
        }

        init(_ part: JSONPart?) {
            switch part {
            case nil: self = .absent
            case .value(let value): self = .value(value)
            case .raw(let raw): self = .value((try? raw.decode()) ?? .null)
            }
        }
    }

    public var userIdentity: JSONPart? {
        get { parts.userIdentity.part(in: buffer) }
        set { parts.userIdentity = PartSlot(newValue) }
    }
    public var requestParameters: JSONPart? {
        get { parts.requestParameters.part(in: buffer) }
        set { parts.requestParameters = PartSlot(newValue) }
    }
    public var responseElements: JSONPart? {
        get { parts.responseElements.part(in: buffer) }
        set { parts.responseElements = PartSlot(newValue) }
    }
    public var location: InputLocation

    public init(location: InputLocation) { self.location = location }

    public var eventName: String {
        get { slots.eventName.value(in: buffer) ?? "" }
        set { slots.eventName = .text(newValue) }
    }
    public var eventSource: String {
        get { slots.eventSource.value(in: buffer) ?? "" }
        set { slots.eventSource = .text(newValue) }
    }
    public var eventTime: String? {
        get { slots.eventTime.value(in: buffer) }
        set {
            slots.eventTime = TextSlot(newValue)
            eventDate = newValue.flatMap(Timestamp.parse)
        }
    }
    public var eventID: String? {
        get { slots.eventID.value(in: buffer) }
        set { slots.eventID = TextSlot(newValue) }
    }
    public var eventType: String? {
        get { slots.eventType.value(in: buffer) }
        set { slots.eventType = TextSlot(newValue) }
    }
    public var awsRegion: String? {
        get { slots.awsRegion.value(in: buffer) }
        set { slots.awsRegion = TextSlot(newValue) }
    }
    public var recipientAccountID: String? {
        get { slots.recipientAccountID.value(in: buffer) }
        set { slots.recipientAccountID = TextSlot(newValue) }
    }
    public var errorCode: String? {
        get { slots.errorCode.value(in: buffer) }
        set { slots.errorCode = TextSlot(newValue) }
    }
    public var userAgent: String? {
        get { slots.userAgent.value(in: buffer) }
        set { slots.userAgent = TextSlot(newValue) }
    }
    public var sourceIPAddress: String? {
        get { slots.sourceIPAddress.value(in: buffer) }
        set { slots.sourceIPAddress = TextSlot(newValue) }
    }

    /// Bytes of the buffer this record keeps alive (a detached copy's own, or the whole input's).
    var retainedBytes: Int { buffer?.count ?? 0 }

    /// A copy that holds only its own bytes, not the whole input it was read from: a record kept
    /// waiting (a replay orders calls across files) must not keep a file's buffer alive.
    public func detached() -> CloudTrailRecord {
        var copy = self
        copy.slots = Slots(
            eventName: .init(eventNameValue), eventSource: .init(slots.eventSource.value(in: buffer)),
            eventTime: .init(eventTime), eventID: .init(eventID), eventType: .init(eventType), awsRegion: .init(awsRegion),
            recipientAccountID: .init(recipientAccountID), errorCode: .init(errorCode), userAgent: .init(userAgent),
            sourceIPAddress: .init(sourceIPAddress))
        // The three parts, side by side in a buffer of their own.
        var bytes: [UInt8] = []
        func keep(_ slot: PartSlot) -> PartSlot {
            guard case .range(let start, let end) = slot, let buffer else { return slot }
            let offset = bytes.count
            bytes += UnsafeBufferPointer(start: buffer.base + start, count: end - start)
            return .range(offset, offset + end - start)
        }
        copy.parts = Parts(
            userIdentity: keep(parts.userIdentity), requestParameters: keep(parts.requestParameters),
            responseElements: keep(parts.responseElements))
        copy.buffer = JSONBytes(bytes)
        return copy
    }

    private var eventNameValue: String? { slots.eventName.value(in: buffer) }

    /// Cheap checks for the evaluator's first filters (no string is built).
    var hasErrorCode: Bool { slots.errorCode.isPresent }
    var isAPICall: Bool { !slots.eventType.isPresent || slots.eventType.equals("AwsApiCall", in: buffer) }
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
    /// A Falco alert of another rule (syscalls, Kubernetes audit) posted to the same URL.
    case falcoNotCloudTrail = "falco_not_cloudtrail"
}
