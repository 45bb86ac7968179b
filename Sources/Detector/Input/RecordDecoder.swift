import Foundation
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Turns the bytes of one input (a trail file, an HTTP body, an SQS message) into CloudTrail records.
///
/// Accepted shapes, detected from content rather than file names:
/// - `{"Records": [...]}` trail files; a bare array of records;
/// - single records and NDJSON (one object per line, or objects simply concatenated);
/// - EventBridge `"detail-type": "AWS API Call via CloudTrail"` envelopes (also inside arrays/NDJSON);
/// - Falco `http_output` alerts from the CloudTrail plugin (`output_fields` with `ct.*`).
///
/// A malformed element is reported with its location and decoding goes on with the next one.
public struct RecordDecoder {
    public var onRecord: (CloudTrailRecord) -> Void
    public var onMalformed: (MalformedInput) -> Void
    public var onSkip: (InputSkip) -> Void
    /// Records handed out so far (to choose where to resume after a break).
    let emitted = Counter()

    final class Counter {
        var count = 0
    }

    public init(
        onRecord: @escaping (CloudTrailRecord) -> Void,
        onMalformed: @escaping (MalformedInput) -> Void,
        onSkip: @escaping (InputSkip) -> Void = { _ in }
    ) {
        self.onRecord = onRecord
        self.onMalformed = onMalformed
        self.onSkip = onSkip
    }

    /// The records of a whole input and how many values were malformed, for callers that only count the
    /// problems (the SQS source, `run`'s file sources, ingest-journal recovery).
    public static func records(in bytes: JSONBytes, file: String) -> (records: [CloudTrailRecord], malformed: Int) {
        var records: [CloudTrailRecord] = []
        var malformed = 0
        RecordDecoder(onRecord: { records.append($0) }, onMalformed: { _ in malformed += 1 }).decode(bytes, file: file)
        return (records, malformed)
    }

    /// Decodes a whole input. Top-level values may follow each other (NDJSON); when one is broken,
    /// decoding resumes at the next line.
    public func decode(_ bytes: JSONBytes, file: String) {
        var scanner = JSONScanner(bytes: bytes)
        var lines = LineCounter(bytes: bytes)
        var topLevel = 0
        while let first = scanner.peek() {
            let start = scanner.position
            let emittedBefore = emitted.count
            do {
                switch first {
                case UInt8(ascii: "{"):
                    try decodeObject(&scanner, location: InputLocation(file: file, line: lines.line(at: start)), isTopLevel: true)
                case UInt8(ascii: "["):
                    try scanner.forEachElement { element, index in
                        let elementStart = element.position
                        do {
                            try decodeObject(&element, location: InputLocation(file: file, index: index), isTopLevel: false)
                        } catch let error as JSONSyntaxError {
                            // The array itself is broken after this point: stop the file, report where.
                            throw JSONSyntaxError(offset: max(error.offset, elementStart), message: error.message)
                        }
                    }
                default:
                    throw JSONSyntaxError(offset: start, message: "expected a JSON object or array")
                }
            } catch let error as JSONSyntaxError {
                // Located at the value's first line (where an NDJSON reader looks), with the line
                // where parsing failed in the reason.
                let startLine = lines.line(at: start)
                let errorLine = lines.line(at: error.offset)
                let detail = errorLine == startLine ? "" : " at line \(errorLine)"
                onMalformed(
                    MalformedInput(
                        location: InputLocation(file: file, line: startLine), reason: "malformed JSON: \(error.message)\(detail)")
                )
                // If records of the broken value were already handed out (a trail file cut short),
                // resume after the break; otherwise the break may have swallowed the next lines
                // (NDJSON), so resume at the next line that starts a value.
                let resumeFrom = emitted.count > emittedBefore ? error.offset : start
                scanner.position = Self.resynchronise(bytes, after: resumeFrom)
            } catch {
                onMalformed(MalformedInput(location: InputLocation(file: file, line: lines.line(at: start)), reason: "\(error)"))
                scanner.position = Self.resynchronise(bytes, after: start)
            }
            topLevel += 1
        }
    }

    /// Decodes a chunk the splitter cut: each unit on its own, so a broken one costs only itself.
    public func decode(_ chunk: InputChunk) {
        for problem in chunk.problems { onMalformed(problem) }
        for unit in chunk.units {
            var scanner = JSONScanner(bytes: chunk.bytes, start: unit.start, end: unit.end)
            do {
                if unit.isElement {
                    guard scanner.peek() == UInt8(ascii: "{") else {
                        let raw = try scanner.skipValue()
                        onMalformed(
                            MalformedInput(
                                location: unit.location, reason: "a record must be an object, got \(raw.text.prefix(40))"))
                        continue
                    }
                    var fields = SkimmedFields(location: unit.location)
                    try fields.skim(&scanner)
                    emit(fields)
                } else {
                    // Values may follow each other on one line (concatenated JSON).
                    repeat {
                        switch scanner.peek() {
                        case UInt8(ascii: "{"):
                            try decodeObject(&scanner, location: unit.location, isTopLevel: true)
                        case UInt8(ascii: "["):
                            try scanner.forEachElement { element, index in
                                var location = unit.location
                                location.index = index
                                try decodeObject(&element, location: location, isTopLevel: false)
                            }
                        default:
                            throw JSONSyntaxError(offset: scanner.position, message: "expected a JSON object or array")
                        }
                    } while scanner.peek() != nil
                }
                if scanner.peek() != nil {
                    throw JSONSyntaxError(offset: scanner.position, message: "unexpected data after the value")
                }
            } catch let error as JSONSyntaxError {
                var detail = ""
                if !unit.isElement {
                    // Located at the value's first line (where an NDJSON reader looks), with the line of the break.
                    let extra = Self.newlines(chunk.bytes, from: unit.start, to: min(error.offset, unit.end))
                    if extra > 0, let line = unit.location.line { detail = " at line \(line + extra)" }
                }
                onMalformed(MalformedInput(location: unit.location, reason: "malformed JSON: \(error.message)\(detail)"))
            } catch {
                onMalformed(MalformedInput(location: unit.location, reason: "\(error)"))
            }
        }
    }

    static func newlines(_ bytes: JSONBytes, from start: Int, to end: Int) -> Int {
        var count = 0
        var position = start
        while position < end, let found = memchr(bytes.base + position, 0x0A, end - position) {
            count += 1
            position = UnsafeMutableRawPointer(found) - UnsafeMutableRawPointer(bytes.base) + 1
        }
        return count
    }

    /// Where to resume after a broken top-level value: the next line that starts a new value (`{` or
    /// `[` in its first column). NDJSON goes on with the next line; the rest of a broken pretty-printed
    /// file is indented and skipped instead of being reported line by line.
    static func resynchronise(_ bytes: JSONBytes, after start: Int) -> Int {
        var position = start
        while position < bytes.count {
            guard let newline = memchr(bytes.base + position, 0x0A, bytes.count - position) else { return bytes.count }
            position = UnsafeMutableRawPointer(newline) - UnsafeMutableRawPointer(bytes.base) + 1
            if position < bytes.count, bytes.base[position] == UInt8(ascii: "{") || bytes.base[position] == UInt8(ascii: "[") {
                return position
            }
        }
        return bytes.count
    }

    /// One object: a record, a `Records` container, an EventBridge envelope or a Falco alert.
    func decodeObject(_ scanner: inout JSONScanner, location: InputLocation, isTopLevel: Bool) throws {
        guard scanner.peek() == UInt8(ascii: "{") else {
            let raw = try scanner.skipValue()
            onMalformed(MalformedInput(location: location, reason: "expected a JSON object, got \(raw.text.prefix(40))"))
            return
        }
        var fields = SkimmedFields(location: location)
        // A `Records` array is decoded as it is met, in the same pass: records before a break in a
        // truncated file are kept, and big trail files are scanned once.
        fields.onRecords = { inner in
            guard inner.peek() == UInt8(ascii: "[") else {
                let raw = try inner.skipValue()
                onMalformed(MalformedInput(location: location, reason: "\"Records\" is not an array: \(raw.text.prefix(40))"))
                return
            }
            try inner.forEachElement { element, index in
                var elementLocation = location
                elementLocation.index = index
                guard element.peek() == UInt8(ascii: "{") else {
                    let raw = try element.skipValue()
                    onMalformed(
                        MalformedInput(
                            location: elementLocation, reason: "a record must be an object, got \(raw.text.prefix(40))"))
                    return
                }
                var recordFields = SkimmedFields(location: elementLocation)
                try recordFields.skim(&element)
                emit(recordFields)
            }
        }
        try fields.skim(&scanner)
        if fields.sawRecords { return }
        if let detailType = fields.detailType {
            guard detailType == "AWS API Call via CloudTrail" || detailType == "AWS Console Sign In via CloudTrail" else {
                onSkip(.otherEventBridgeEvent)
                return
            }
            guard let detail = fields.detail else {
                onMalformed(MalformedInput(location: location, reason: "EventBridge envelope without \"detail\""))
                return
            }
            var inner = detail.scanner
            var detailFields = SkimmedFields(location: location)
            try detailFields.skim(&inner)
            if !detailFields.slots.awsRegion.isPresent { detailFields.slots.awsRegion = fields.envelopeRegion }
            if !detailFields.slots.recipientAccountID.isPresent { detailFields.slots.recipientAccountID = fields.envelopeAccount }
            emit(detailFields)
            return
        }
        if let outputFields = fields.outputFields {
            switch FalcoAlert.record(outputFields: outputFields, alertTime: fields.falcoTime, location: location) {
            case .record(let record):
                emitted.count += 1
                onRecord(record)
            case .notCloudTrail: onSkip(.falcoNotCloudTrail)
            case .malformed(let reason): onMalformed(MalformedInput(location: location, reason: reason))
            }
            return
        }
        if fields.isNotificationEnvelope {
            onSkip(.logDeliveryNotification)
            return
        }
        if fields.isS3TestEvent {
            onSkip(.s3TestEvent)
            return
        }
        emit(fields)
    }

    /// A part as a range of the record's buffer; `null` is absent.
    static func slot(_ raw: RawJSON?) -> CloudTrailRecord.PartSlot {
        guard let raw, !raw.isNull else { return .absent }
        return .range(raw.start, raw.end)
    }

    func emit(_ fields: SkimmedFields) {
        if fields.slots.eventSource.equals("aws:s3", in: fields.buffer) || fields.hasS3NotificationBody {
            onSkip(.s3Notification)
            return
        }
        guard fields.slots.eventName.isPresent else {
            onMalformed(MalformedInput(location: fields.location, reason: "not a CloudTrail record: no \"eventName\""))
            return
        }
        guard fields.slots.eventSource.isPresent else {
            let name = fields.slots.eventName.value(in: fields.buffer) ?? ""
            onMalformed(MalformedInput(location: fields.location, reason: "CloudTrail record \"\(name)\" has no \"eventSource\""))
            return
        }
        var eventDate: Date?
        if fields.slots.eventTime.isPresent {
            // A record stamped with the wrong time would be misordered and mis-windowed: malformed.
            eventDate = fields.slots.eventTime.timestamp(in: fields.buffer)
            guard eventDate != nil else {
                let text = fields.slots.eventTime.value(in: fields.buffer) ?? ""
                onMalformed(
                    MalformedInput(
                        location: fields.location,
                        reason: "eventTime \"\(text.prefix(40))\" is not an RFC 3339 time such as 2023-07-10T12:40:05Z"))
                return
            }
        }
        emitted.count += 1
        var record = CloudTrailRecord(location: fields.location)
        record.buffer = fields.buffer
        record.slots = fields.slots
        record.eventDate = eventDate
        record.readOnly = fields.readOnly
        record.parts = CloudTrailRecord.Parts(
            userIdentity: Self.slot(fields.userIdentity), requestParameters: Self.slot(fields.requestParameters),
            responseElements: Self.slot(fields.responseElements))
        onRecord(record)
    }
}

/// Line numbers for offsets that only move forward: O(n) over a whole NDJSON file.
struct LineCounter {
    let bytes: JSONBytes
    var offset = 0
    var line = 1

    init(bytes: JSONBytes) { self.bytes = bytes }

    mutating func line(at target: Int) -> Int {
        if target < offset {
            offset = 0
            line = 1
        }
        let limit = min(target, bytes.count)
        while offset < limit {
            if bytes.base[offset] == 10 { line += 1 }
            offset += 1
        }
        return line
    }
}

/// The keys read from one object in a single pass, whatever the object turns out to be.
struct SkimmedFields {
    var location: InputLocation
    var buffer: JSONBytes?
    var slots = CloudTrailRecord.Slots()
    var readOnly: Bool?
    var userIdentity: RawJSON?
    var requestParameters: RawJSON?
    var responseElements: RawJSON?
    // Envelopes
    var onRecords: ((inout JSONScanner) throws -> Void)?
    var sawRecords = false
    var detailType: String?
    var detail: RawJSON?
    var envelopeRegion = TextSlot.absent
    var envelopeAccount = TextSlot.absent
    var outputFields: RawJSON?
    var falcoTime: String?
    var isS3TestEvent = false
    var hasS3NotificationBody = false
    var isNotificationEnvelope = false

    init(location: InputLocation) { self.location = location }

    /// One pass over the object's members, dispatching on key length first so most keys are
    /// rejected after one integer comparison.
    mutating func skim(_ scanner: inout JSONScanner) throws {
        buffer = scanner.bytes
        try scanner.forEachMember { s, key in
            switch key.count {
            case 2:
                if s.key(key, is: "s3") { hasS3NotificationBody = true }
            case 5:
                if s.key(key, is: "Event") {
                    isS3TestEvent = try s.readScalarText() == "s3:TestEvent"
                }
            case 6:
                if s.key(key, is: "detail") {
                    detail = try s.skipValue()
                } else if s.key(key, is: "region") {
                    envelopeRegion = try s.readTextSlot()
                }
            case 4:
                if s.key(key, is: "time") {
                    falcoTime = try s.readScalarText()
                } else if s.key(key, is: "Type") {
                    let type = try s.readScalarText()
                    isNotificationEnvelope = isNotificationEnvelope || type == "Notification"
                }
            case 7:
                if s.key(key, is: "Message") {
                    isNotificationEnvelope = true
                } else if s.key(key, is: "Records") {
                    sawRecords = true
                    if let onRecords { try onRecords(&s) } else { try s.skipValue() }
                } else if s.key(key, is: "eventID") {
                    slots.eventID = try s.readTextSlot()
                } else if s.key(key, is: "account") {
                    envelopeAccount = try s.readTextSlot()
                }
            case 8:
                if s.key(key, is: "readOnly") {
                    readOnly = try s.readBool()
                } else if s.key(key, is: "s3Bucket") {
                    isNotificationEnvelope = true
                }
            case 9:
                if s.key(key, is: "eventName") {
                    slots.eventName = try s.readTextSlot()
                } else if s.key(key, is: "eventTime") {
                    slots.eventTime = try s.readTextSlot()
                } else if s.key(key, is: "eventType") {
                    slots.eventType = try s.readTextSlot()
                } else if s.key(key, is: "errorCode") {
                    slots.errorCode = try s.readTextSlot()
                } else if s.key(key, is: "awsRegion") {
                    slots.awsRegion = try s.readTextSlot()
                } else if s.key(key, is: "userAgent") {
                    slots.userAgent = try s.readTextSlot()
                }
            case 11:
                if s.key(key, is: "eventSource") {
                    slots.eventSource = try s.readTextSlot()
                } else if s.key(key, is: "detail-type") {
                    detailType = try s.readString()
                }
            case 12:
                if s.key(key, is: "userIdentity") { userIdentity = try s.skipValue() }
            case 13:
                if s.key(key, is: "output_fields") { outputFields = try s.skipValue() }
            case 15:
                if s.key(key, is: "sourceIPAddress") { slots.sourceIPAddress = try s.readTextSlot() }
            case 16:
                if s.key(key, is: "responseElements") { responseElements = try s.skipValue() }
            case 17:
                if s.key(key, is: "requestParameters") { requestParameters = try s.skipValue() }
            case 18:
                if s.key(key, is: "recipientAccountId") { slots.recipientAccountID = try s.readTextSlot() }
            default:
                break
            }
        }
    }
}
