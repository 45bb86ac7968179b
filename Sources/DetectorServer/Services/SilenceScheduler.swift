import Foundation
import Logging
import ServiceLifecycle
import TfdriftCore

/// Keeps the silence horizon filled while the detector runs (`advanced.silences.keep_filled`): runs the
/// schedule at start and then every `interval`, so maintenance windows never run out of silences. After
/// a failure it tries again sooner (`retryAfter`), and a failure never stops the detector.
///
/// The job is a closure so this module needs no Grafana or Alertmanager client: the executable passes
/// `silence schedule`'s apply step.
public struct SilenceHorizonService: Service {
    /// What one run did, for the log (e.g. "2 created, 0 updated, 1 expired, 12 unchanged").
    public typealias Job = @Sendable () async throws -> String

    let interval: Duration
    let retryAfter: Duration
    let job: Job
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void

    public init(
        interval: Duration, retryAfter: Duration = .seconds(300), logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        job: @escaping Job
    ) {
        self.interval = interval
        self.retryAfter = min(retryAfter, interval)
        self.job = job
        self.logger = logger
        self.sleep = sleep
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    let succeeded = await runOnce()
                    try await sleep(succeeded ? interval : retryAfter)
                }
            }
        } catch is CancellationError {
            return
        }
    }

    /// One schedule run; logs the outcome and says whether it succeeded.
    @discardableResult
    public func runOnce() async -> Bool {
        do {
            let summary = try await job()
            logger.info("maintenance silences scheduled", metadata: ["result": "\(summary)"])
            return true
        } catch is CancellationError {
            return false
        } catch {
            logger.error(
                "scheduling maintenance silences failed; trying again later",
                metadata: ["error": "\(error)", "retry_in": "\(retryAfter)"])
            return false
        }
    }
}
