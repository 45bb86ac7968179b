import Detector
import Foundation
import Synchronization
import TfdriftCore

/// Records accepted by an ingest route, waiting for detection.
public struct IngestBatch: Sendable {
    public var records: [CloudTrailRecord]
    public var source: String
    public var receivedAt: ContinuousClock.Instant
    /// Where the request's body ends in the ingest journal, when it was journaled.
    public var journalEnd: JournalPosition?

    public init(
        records: [CloudTrailRecord], source: String, receivedAt: ContinuousClock.Instant = .now,
        journalEnd: JournalPosition? = nil
    ) {
        self.records = records
        self.source = source
        self.receivedAt = receivedAt
        self.journalEnd = journalEnd
    }
}

/// A bounded queue between ingest and detection. `offer` never blocks: when the queue is full the
/// caller answers 429 with `Retry-After` — an accepted event is never dropped silently. With a journal,
/// the request body is appended under the same lock that orders the queue, so the journal's order is
/// detection's order and "processed up to here" is one position.
public final class IngestQueue: Sendable {
    public let capacity: Int
    public let journal: IngestJournal?
    private let state = Mutex<(count: Int, closed: Bool)>((0, false))
    let stream: AsyncStream<IngestBatch>
    private let continuation: AsyncStream<IngestBatch>.Continuation

    public enum Offer: Sendable, Equatable {
        /// Accepted; with a journal, answer only after `journal.waitDurable(ticket)`.
        case accepted(durableTicket: Int?)
        case full
        case closed
        /// The journal could not take the body (disk full, I/O error): nothing was queued.
        case journalFailed(String)
    }

    public init(capacity: Int, journal: IngestJournal? = nil) {
        self.capacity = capacity
        self.journal = journal
        (stream, continuation) = AsyncStream.makeStream(of: IngestBatch.self, bufferingPolicy: .unbounded)
    }

    /// `body` is journaled when the queue has a journal (HTTP ingest); sources that are durable on their
    /// own (files, SQS) pass none.
    public func offer(_ batch: IngestBatch, body: [UInt8]? = nil) -> Offer {
        state.withLock { state in
            if state.closed { return .closed }
            if state.count + batch.records.count > capacity, state.count > 0 { return .full }
            var batch = batch
            var ticket: Int?
            if let journal, let body {
                do {
                    let appended = try journal.append(source: batch.source, body: body)
                    batch.journalEnd = appended.position
                    ticket = appended.ticket
                } catch {
                    return .journalFailed("\(error)")
                }
            }
            state.count += batch.records.count
            continuation.yield(batch)
            return .accepted(durableTicket: ticket)
        }
    }

    /// Batches an earlier process accepted and journaled but did not process: queued ahead of anything
    /// new, whatever the capacity (they were within it when accepted).
    func requeueRecovered(_ batch: IngestBatch) {
        state.withLock { state in
            state.count += batch.records.count
            continuation.yield(batch)
        }
    }

    /// Called by the consumer once a batch's drift events are with the sinks.
    func done(_ batch: IngestBatch) {
        state.withLock { $0.count -= batch.records.count }
        if let end = batch.journalEnd { journal?.markProcessed(end) }
    }

    public var depth: Int { state.withLock { $0.count } }

    /// Stop accepting; the consumer drains what was accepted, then ends.
    public func close() {
        state.withLock { $0.closed = true }
        continuation.finish()
    }
}
