import Detector
import Foundation
import Synchronization
import TfdriftCore

/// A bounded queue between the ingest routes and the engine. `offer` never blocks: when the queue is
/// full the route answers 429 with `Retry-After` — an accepted event is never dropped silently. With a
/// journal, the request body is appended under the same lock that orders the queue, so the journal's
/// order is detection's order and "processed up to here" is one position.
public final class IngestQueue: Sendable {
    public let capacity: Int
    public let journal: IngestJournal?
    private let occupancy: Occupancy
    let stream: AsyncStream<RecordBatch>
    private let continuation: AsyncStream<RecordBatch>.Continuation
    /// Called after a batch is acknowledged (the journal's size metric).
    let onDone: @Sendable (IngestJournal?) -> Void

    public enum Offer: Sendable, Equatable {
        /// Accepted; with a journal, answer only after `journal.waitDurable(ticket)`.
        case accepted(durableTicket: Int?)
        case full
        case closed
        /// The journal could not take the body (disk full, I/O error): nothing was queued.
        case journalFailed(String)
    }

    public init(capacity: Int, journal: IngestJournal? = nil, onDone: @escaping @Sendable (IngestJournal?) -> Void = { _ in }) {
        self.capacity = capacity
        self.journal = journal
        self.onDone = onDone
        occupancy = Occupancy()
        (stream, continuation) = AsyncStream.makeStream(of: RecordBatch.self, bufferingPolicy: .unbounded)
    }

    /// `body` is journaled when the queue has a journal (HTTP ingest).
    public func offer(_ batch: RecordBatch, body: [UInt8]? = nil) -> Offer {
        occupancy.state.withLock { state in
            if state.closed { return .closed }
            if state.count + batch.records.count > capacity, state.count > 0 { return .full }
            var journalEnd: JournalPosition?
            var ticket: Int?
            if let journal, let body {
                do {
                    let appended = try journal.append(source: batch.source, body: body)
                    journalEnd = appended.position
                    ticket = appended.ticket
                } catch {
                    return .journalFailed("\(error)")
                }
            }
            state.count += batch.records.count
            continuation.yield(acknowledged(batch, journalEnd: journalEnd))
            return .accepted(durableTicket: ticket)
        }
    }

    /// Batches an earlier process accepted and journaled but did not process: queued ahead of anything
    /// new, whatever the capacity (they were within it when accepted).
    func requeueRecovered(_ batch: RecordBatch, journalEnd: JournalPosition) {
        occupancy.state.withLock { state in
            state.count += batch.records.count
            continuation.yield(acknowledged(batch, journalEnd: journalEnd))
        }
    }

    private func acknowledged(_ batch: RecordBatch, journalEnd: JournalPosition?) -> RecordBatch {
        var batch = batch
        batch.acknowledgement = Acknowledgement(
            occupancy: occupancy, journal: journal, records: batch.records.count, journalEnd: journalEnd, onDone: onDone)
        return batch
    }

    /// How many records wait, and whether the queue still accepts. Shared with the acknowledgements,
    /// which must not hold the queue itself: a batch waiting in the queue's stream would keep it alive.
    final class Occupancy: Sendable {
        let state = Mutex<(count: Int, closed: Bool)>((0, false))
    }

    /// A batch's drift events are with the sinks: it leaves the queue, and the journal may forget it.
    struct Acknowledgement: BatchAcknowledgement {
        let occupancy: Occupancy
        let journal: IngestJournal?
        let records: Int
        let journalEnd: JournalPosition?
        let onDone: @Sendable (IngestJournal?) -> Void

        func delivered() async {
            occupancy.state.withLock { $0.count -= records }
            if let journalEnd { journal?.markProcessed(journalEnd) }
            onDone(journal)
        }
    }

    public var depth: Int { occupancy.state.withLock { $0.count } }

    /// Stop accepting; the consumer drains what was accepted, then ends.
    public func close() {
        occupancy.state.withLock { $0.closed = true }
        continuation.finish()
    }
}
