import Foundation
import TfdriftCore

/// Records from one unit of input (a file or a chunk of one, an HTTP request, an SQS message, an S3
/// object), with what went wrong reading it: the one shape every source hands to the engine.
public struct RecordBatch: Sendable {
    public var records: [CloudTrailRecord]
    /// Every malformed file, line or record in the input (all counted; `malformed` keeps the first few).
    public var malformedCount: Int
    public var malformed: [MalformedInput]
    /// Inputs that are well-formed but not records (digests, S3 test events…), by reason.
    public var skips: [InputSkip: Int]
    /// An input that could not be read at all (missing, unreadable, corrupt gzip).
    public var unreadable: [MalformedInput]
    /// The source's metrics label: `file`, `http`, `falco`, `sqs`, `s3`.
    public var source: String
    public var receivedAt: ContinuousClock.Instant
    /// Called by the engine once the batch's drift events are with the sinks (journal offset, SQS delete).
    public var acknowledgement: (any BatchAcknowledgement)?
    /// The records already triaged, one verdict each (a replay triages on every core before the engine).
    public var verdicts: [RecordTriage.Verdict]?

    /// How many malformed inputs a batch keeps for reports; the rest are only counted.
    public static let malformedKept = 100

    public init(
        records: [CloudTrailRecord] = [], source: String, malformed: [MalformedInput] = [], malformedCount: Int? = nil,
        skips: [InputSkip: Int] = [:], unreadable: [MalformedInput] = [], receivedAt: ContinuousClock.Instant = .now,
        acknowledgement: (any BatchAcknowledgement)? = nil
    ) {
        self.records = records
        self.source = source
        self.malformed = Array(malformed.prefix(Self.malformedKept))
        self.malformedCount = malformedCount ?? malformed.count
        self.skips = skips
        self.unreadable = unreadable
        self.receivedAt = receivedAt
        self.acknowledgement = acknowledgement
    }

    /// Decodes one input already in memory (an HTTP body, an SQS payload, a file).
    public static func decoding(_ bytes: JSONBytes, name: String, source: String) -> RecordBatch {
        var batch = RecordBatch(source: source)
        batch.append(decoding: bytes, name: name)
        return batch
    }

    /// Decodes one payload that may be gzip (an S3 object, an SQS message's log file): a payload that
    /// cannot be inflated is reported unreadable, not dropped.
    public static func decoding(payload: [UInt8], name: String, source: String) -> RecordBatch {
        var batch = RecordBatch(source: source)
        do {
            batch.append(decoding: try Gzip.inflatingIfNeeded(payload), name: name)
        } catch {
            batch.noteUnreadable(MalformedInput(location: InputLocation(file: name), reason: "unreadable: \(error)"))
        }
        return batch
    }

    /// Adds the records, problems and skips of one more input held whole.
    public mutating func append(decoding bytes: JSONBytes, name: String) {
        collect { $0.decode(bytes, file: name) }
    }

    /// Adds the records, problems and skips of one chunk the splitter cut.
    public mutating func append(_ chunk: InputChunk) {
        collect { $0.decode(chunk) }
    }

    /// Runs a decoder and folds what it found into the batch (its callbacks cannot capture `inout self`).
    private mutating func collect(_ decode: (RecordDecoder) -> Void) {
        var records: [CloudTrailRecord] = []
        var problems: [MalformedInput] = []
        var problemCount = 0
        var skips: [InputSkip: Int] = [:]
        let decoder = RecordDecoder(
            onRecord: { records.append($0) },
            onMalformed: { problem in
                problemCount += 1
                if problems.count < Self.malformedKept { problems.append(problem) }
            },
            onSkip: { skips[$0, default: 0] += 1 })
        withExtendedLifetime(decoder) { decode(decoder) }
        // Moved, not copied element by element (a record copy is a retain of its buffer).
        if self.records.isEmpty { self.records = records } else { self.records += records }
        noteMalformed(problems, count: problemCount)
        for (reason, count) in skips { self.skips[reason, default: 0] += count }
    }

    public mutating func noteMalformed(_ problems: [MalformedInput], count: Int) {
        malformedCount += count
        malformed += problems.prefix(max(0, Self.malformedKept - malformed.count))
    }

    public mutating func noteUnreadable(_ problem: MalformedInput) { unreadable.append(problem) }
}

/// What a source does once the engine says a batch's drift events are with the sinks: advance the
/// ingest journal's offset, delete the SQS message.
public protocol BatchAcknowledgement: Sendable {
    func delivered() async
}
