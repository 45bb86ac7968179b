import Detector
import Foundation
import Logging
import ServiceLifecycle
import TfdriftCore
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// Reloads the states on an interval when they changed on disk, on SIGHUP, and on demand (the
/// reload endpoint calls `reload` directly). Loading runs here, off the detection path; the engine
/// swaps the index in one step and reports the drifts the new state explains.
public struct StateReloadService: Service {
    let store: StateStore
    let engine: DetectionEngine
    let interval: Duration
    let logger: Logger

    public init(store: StateStore, engine: DetectionEngine, interval: Duration, logger: Logger) {
        self.store = store
        self.engine = engine
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // SIGHUP feeds the same path as the endpoint.
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    _ = await reload(reason: "SIGHUP")
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    if await store.changedOnDisk() {
                        _ = await reload(reason: "state changed on disk")
                    } else if await store.changedRemotely() {
                        _ = await reload(reason: "state object changed in S3 (ETag)")
                    }
                }
            }
            try await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// Reloads now; on failure the last good state stays in use.
    @discardableResult
    public func reload(reason: String) async -> StateStore.ReloadOutcome {
        switch await store.load() {
        case .success(let summaries):
            guard let index = await store.current else { return .failed("no state") }
            let resolved = await engine.replaceState(index)
            logger.info(
                "state reloaded",
                metadata: [
                    "reason": "\(reason)", "resources": "\(summaries.reduce(0) { $0 + $1.resources })",
                    "resolved": "\(resolved.count)",
                ])
            return .reloaded(summaries, resolved: resolved.count)
        case .failure(let error):
            return .failed(error.description)
        }
    }
}

/// Logs once when no event has arrived for `staleAfter` (seed 2.4); the alert side uses
/// `tfdrift_last_event_timestamp_seconds`.
public struct StalenessService: Service {
    let activity: Activity
    let staleAfter: Double
    let started: Date
    let logger: Logger

    public init(activity: Activity, staleAfter: Double, logger: Logger) {
        self.activity = activity
        self.staleAfter = staleAfter
        self.started = Date()
        self.logger = logger
    }

    public func run() async throws {
        var warned = false
        while !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(min(30, staleAfter / 2))) }
            } catch {
                return
            }
            let last = activity.lastEvent ?? started
            let silent = Date().timeIntervalSince(last)
            if silent >= staleAfter, !warned {
                warned = true
                logger.warning(
                    "no CloudTrail event received for \(Int(silent / 60)) minutes: check Falco, the trail and the queue",
                    metadata: ["last_event": "\(activity.lastEvent.map { Timestamp.format($0) } ?? "never")"])
            } else if silent < staleAfter {
                warned = false
            }
        }
    }
}
