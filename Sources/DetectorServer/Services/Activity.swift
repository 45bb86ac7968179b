import Foundation
import Synchronization

/// When the detector last received records, and how many it has received: staleness, `/readyz`, the
/// last-event metric and the heartbeat.
public final class Activity: Sendable {
    private let state = Mutex<(last: Date?, received: Int)>((nil, 0))
    let metrics: DetectorMetrics

    public init(metrics: DetectorMetrics) { self.metrics = metrics }

    public func recordEvents(_ count: Int, at date: Date) {
        state.withLock {
            $0.last = date
            $0.received += count
        }
        metrics.recordLastEvent(at: date.timeIntervalSince1970)
    }

    public var lastEvent: Date? { state.withLock { $0.last } }
    /// Records received since the process started, all sources together.
    public var received: Int { state.withLock { $0.received } }
}
