import Foundation
import Synchronization

/// The shape of every sink's delivery: one loop that wakes when work arrives, when `finish()` is
/// called, and on an optional tick (a maintenance window that ended, a retry that is due), and asks
/// the sink to take one step. It returns once the sink is idle after `finish()` — everything delivered —
/// or when a step fails after `finish()` (what is left stays in the sink's spool, or is reported).
public final class DeliveryLoop: Sendable {
    public enum Step: Sendable {
        /// Nothing to deliver now.
        case idle
        /// Delivered something; wait `pause` before the next step (a rate limit), unless finishing.
        case delivered(pause: Duration?)
        /// Delivery failed; try again after `backoff` (unless finishing).
        case failed(backoff: Duration)
    }

    private let wake: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let finishing = Mutex(false)
    let tick: Duration?

    public init(tick: Duration? = nil) {
        self.tick = tick
        (wake, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// New work is waiting.
    public func notify() { continuation.yield() }

    public func finish() {
        finishing.withLock { $0 = true }
        continuation.yield()
    }

    public var isFinishing: Bool { finishing.withLock { $0 } }

    public func run(_ step: @Sendable () async -> Step) async {
        await withTaskGroup(of: Void.self) { group in
            if let tick {
                group.addTask {
                    while !Task.isCancelled, !self.isFinishing {
                        try? await Task.sleep(for: tick)
                        self.notify()
                    }
                }
            }
            var iterator = wake.makeAsyncIterator()
            // A cancelled loop (its task torn down) returns too; what is left stays in the sink.
            steps: while !Task.isCancelled {
                switch await step() {
                case .idle:
                    if isFinishing { break steps }
                    _ = await iterator.next()
                case .delivered(let pause):
                    if let pause, !isFinishing { try? await Task.sleep(for: pause) }
                case .failed(let backoff):
                    if isFinishing { break steps }
                    try? await Task.sleep(for: backoff)
                }
            }
            group.cancelAll()
        }
    }

    /// For sinks that deliver as they accept (stdout, a file): wait for `finish()`.
    public func waitForFinish() async {
        await run { .idle }
    }

    /// Exponential backoff with jitter: 0.5 s doubling up to `cap` seconds.
    public static func backoff(failures: Int, cap: Double = 30) -> Duration {
        let seconds = min(cap, 0.5 * pow(2.0, Double(min(failures, 6)))) * Double.random(in: 0.8...1.2)
        return .milliseconds(Int(seconds * 1000))
    }
}
