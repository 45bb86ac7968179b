import Detector
import Foundation
import Synchronization

/// Records accepted by an ingest route, waiting for detection.
public struct IngestBatch: Sendable {
    public var records: [CloudTrailRecord]
    public var source: String
    public var receivedAt: ContinuousClock.Instant

    public init(records: [CloudTrailRecord], source: String, receivedAt: ContinuousClock.Instant = .now) {
        self.records = records
        self.source = source
        self.receivedAt = receivedAt
    }
}

/// A bounded queue between ingest and detection. `offer` never blocks: when the queue is full the
/// caller answers 429 with `Retry-After` — an accepted event is never dropped silently.
public final class IngestQueue: Sendable {
    public let capacity: Int
    private let state = Mutex<(count: Int, closed: Bool)>((0, false))
    let stream: AsyncStream<IngestBatch>
    private let continuation: AsyncStream<IngestBatch>.Continuation

    public enum Offer: Sendable, Equatable { case accepted, full, closed }

    public init(capacity: Int) {
        self.capacity = capacity
        (stream, continuation) = AsyncStream.makeStream(of: IngestBatch.self, bufferingPolicy: .unbounded)
    }

    public func offer(_ batch: IngestBatch) -> Offer {
        let verdict: Offer = state.withLock { state in
            if state.closed { return .closed }
            if state.count + batch.records.count > capacity, state.count > 0 { return .full }
            state.count += batch.records.count
            return .accepted
        }
        if verdict == .accepted { continuation.yield(batch) }
        return verdict
    }

    /// Called by the consumer once a batch's drift events are with the sinks.
    func done(_ count: Int) { state.withLock { $0.count -= count } }

    public var depth: Int { state.withLock { $0.count } }

    /// Stop accepting; the consumer drains what was accepted, then ends.
    public func close() {
        state.withLock { $0.closed = true }
        continuation.finish()
    }
}
