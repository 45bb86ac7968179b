import Foundation
import Logging
import Synchronization

/// Receives what a `CloudTrailQueueConsumer` fetched: the raw bytes of a log file (gzip or not — the
/// handler detects it) or of an SQS message body holding events. Throwing leaves the SQS message on
/// the queue for redelivery, so the handler must only return once the events are handed on durably.
public protocol CloudTrailPayloadHandler: Sendable {
    func handle(_ bytes: [UInt8], from origin: CloudTrailPayloadOrigin) async throws
}

/// A handler from a closure.
public struct CloudTrailPayloadClosure: CloudTrailPayloadHandler {
    let body: @Sendable ([UInt8], CloudTrailPayloadOrigin) async throws -> Void
    public init(_ body: @escaping @Sendable ([UInt8], CloudTrailPayloadOrigin) async throws -> Void) { self.body = body }
    public func handle(_ bytes: [UInt8], from origin: CloudTrailPayloadOrigin) async throws { try await body(bytes, origin) }
}

/// The result of one SQS message.
public enum CloudTrailMessageOutcome: Sendable, Equatable {
    /// Every payload was handled; the message is deleted.
    case handled(objects: Int, skipped: Int)
    /// Nothing to do (test event, other S3 events); the message is deleted.
    case ignored(String)
    /// A fetch or the handler failed; the message stays and comes back after its visibility timeout.
    case failed(String)
    /// An unknown body; left for the dead-letter queue unless `deleteUnrecognized`.
    case unrecognized(String)

    var deletes: Bool {
        switch self {
        case .handled, .ignored: true
        case .failed, .unrecognized: false
        }
    }
}

/// Counters for metrics and `/readyz` (thread-safe snapshot).
public final class CloudTrailConsumerStatistics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var messagesReceived = 0
        public var messagesDeleted = 0
        public var messagesFailed = 0
        public var messagesIgnored = 0
        public var messagesUnrecognized = 0
        public var objectsHandled = 0
        public var eventBodiesHandled = 0
        public var objectBytes = 0
        /// Skipped objects by reason: `digest_or_insight`, `account_not_allowed`, `bucket_or_prefix`, `object_missing`.
        public var objectsSkipped: [String: Int] = [:]
        public var visibilityExtensions = 0
        public var receiveErrors = 0
        public var lastReceiveError: String?
        public var lastSuccessfulReceive: Date?
    }

    let state = Mutex(Snapshot())
    public init() {}
    public var snapshot: Snapshot { state.withLock { $0 } }
    func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }
}

/// Stop receiving after the batches in flight (graceful shutdown), as opposed to cancellation,
/// which abandons in-flight work and leaves its messages for redelivery. Stopping ends an open long
/// poll at once: the receive is cancelled, so whatever it would have returned stays on the queue.
public final class CloudTrailConsumerControl: Sendable {
    struct State {
        var stopped = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    let state = Mutex(State())
    public init() {}

    public func stopReceiving() {
        let waiters = state.withLock { state in
            state.stopped = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    public var isStopping: Bool { state.withLock { $0.stopped } }

    /// Returns once `stopReceiving()` was called, or when the calling task is cancelled.
    func waitUntilStopping() async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.stopped || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// What `operation` returned, or nil when receiving stopped first (the operation is then cancelled
    /// and awaited; `leftover` gets anything it still returned).
    func unlessStopped<T: Sendable>(
        _ operation: @escaping @Sendable () async throws -> T, leftover: @Sendable (T) async -> Void = { _ in }
    ) async throws -> T? {
        if isStopping { return nil }
        return try await withThrowingTaskGroup(of: Race<T>.self) { group in
            group.addTask { .finished(try await operation()) }
            group.addTask {
                await self.waitUntilStopping()
                return .stopped
            }
            let first = try await group.next()
            group.cancelAll()
            guard case .finished(let value) = first else {
                // Stopped first: the cancelled operation ends with CancellationError (ignored) or, if its
                // answer was already on the way, with a value the caller must not drop on the floor.
                while let rest = try? await group.next() {
                    if case .finished(let value) = rest { await leftover(value) }
                }
                return nil
            }
            return value
        }
    }

    enum Race<T: Sendable>: Sendable {
        case finished(T)
        case stopped
    }
}

/// Reads CloudTrail through SQS, reliably: long polling (20 s, batches of 10), several pollers,
/// S3 notifications (raw or through SNS), CloudTrail's SNS notifications and EventBridge events;
/// a message is deleted only after every object it names was fetched and handled; a failed one is
/// left for redelivery, and messages are kept invisible while a large object is processed.
/// Competing consumers (several processes on one queue) work, since a message is only deleted by
/// the consumer holding it; redelivery means at-least-once, so the handler deduplicates by eventID.
public struct CloudTrailQueueConsumer<Handler: CloudTrailPayloadHandler>: Sendable {
    public struct Configuration: Sendable {
        /// Pollers receiving and processing batches at the same time.
        public var concurrency: Int = 2
        public var maxMessages: Int = 10
        public var waitTimeSeconds: Int = 20
        /// The visibility timeout to hold messages with; nil reads the queue's `VisibilityTimeout`.
        public var visibilityTimeout: Int?
        /// How often held messages get their visibility extended; nil is half the visibility timeout.
        public var heartbeatInterval: Duration?
        /// Organisation trails: only these accounts' log files are processed (empty: all).
        public var accounts: Set<String> = []
        /// Only objects in these buckets (nil: any bucket the notifications name).
        public var buckets: Set<String>?
        /// Only keys under this prefix (`cloudtrail.s3_prefix`).
        public var keyPrefix: String?
        /// Delete bodies we cannot read instead of leaving them for the dead-letter queue.
        public var deleteUnrecognized = false
        /// Pause after a failed receive, doubling up to `maxErrorBackoff`.
        public var errorBackoff: Duration = .seconds(1)
        public var maxErrorBackoff: Duration = .seconds(60)

        public init() {}
    }

    public let sqs: SQSClient
    public let s3: S3Client
    public let handler: Handler
    public let configuration: Configuration
    public let statistics: CloudTrailConsumerStatistics
    public let control: CloudTrailConsumerControl
    let logger: Logger

    public init(
        sqs: SQSClient, s3: S3Client, handler: Handler, configuration: Configuration = Configuration(),
        statistics: CloudTrailConsumerStatistics = CloudTrailConsumerStatistics(),
        control: CloudTrailConsumerControl = CloudTrailConsumerControl(), logger: Logger = Logger(label: "tfdrift.sqs")
    ) {
        self.sqs = sqs
        self.s3 = s3
        self.handler = handler
        self.configuration = configuration
        self.statistics = statistics
        self.control = control
        self.logger = logger
    }

    /// Polls until cancelled or `control.stopReceiving()` (then returns after the batches in flight; an
    /// open long poll is cancelled rather than waited for).
    /// The queue URL is resolved and the visibility timeout read first; those errors are thrown.
    public func run() async throws {
        let sqs = try await self.sqs.resolved()
        let visibility = try await visibilityTimeout(sqs)
        logger.info(
            "consuming CloudTrail notifications",
            metadata: [
                "queue": "\(sqs.queue)", "concurrency": "\(configuration.concurrency)", "visibility_timeout": "\(visibility)",
            ])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, configuration.concurrency) {
                group.addTask { try await poll(sqs, visibility: visibility) }
            }
            try await group.waitForAll()
        }
    }

    func visibilityTimeout(_ sqs: SQSClient) async throws -> Int {
        if let configured = configuration.visibilityTimeout { return configured }
        let attributes = try await sqs.getQueueAttributes(["VisibilityTimeout"])
        return attributes["VisibilityTimeout"].flatMap { Int($0) } ?? 30
    }

    /// Receives and processes batches until cancelled or stopped. `stopReceiving()` cancels an open long
    /// poll (and a backoff pause) at once; a batch already received is processed and deleted first.
    func poll(_ sqs: SQSClient, visibility: Int) async throws {
        var backoff = configuration.errorBackoff
        let configuration = self.configuration
        while !Task.isCancelled && !control.isStopping {
            let received: [SQSMessage]?
            do {
                received = try await control.unlessStopped {
                    try await sqs.receiveMessages(
                        maxMessages: configuration.maxMessages, waitTimeSeconds: configuration.waitTimeSeconds,
                        visibilityTimeout: configuration.visibilityTimeout)
                } leftover: { messages in
                    await release(messages, sqs: sqs)
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                statistics.update {
                    $0.receiveErrors += 1
                    $0.lastReceiveError = "\(error)"
                }
                logger.warning("receiving from SQS failed; retrying", metadata: ["error": "\(error)", "backoff": "\(backoff)"])
                let pause = backoff
                _ = try await control.unlessStopped { try await Task.sleep(for: pause) }
                backoff = min(backoff * 2, configuration.maxErrorBackoff)
                continue
            }
            guard let messages = received else { return }
            backoff = configuration.errorBackoff
            statistics.update { $0.lastSuccessfulReceive = Date() }
            if messages.isEmpty { continue }
            _ = try await processBatch(messages, sqs: sqs, visibility: visibility)
        }
    }

    /// Messages a cancelled receive still returned: visible again at once, for this or another consumer.
    /// If that fails they come back when their visibility timeout ends; either way nothing is lost.
    func release(_ messages: [SQSMessage], sqs: SQSClient) async {
        guard !messages.isEmpty else { return }
        for message in messages {
            do {
                try await sqs.changeMessageVisibility(receiptHandle: message.receiptHandle, timeout: 0)
            } catch {
                logger.debug(
                    "could not return a message received while stopping; it is redelivered after its visibility timeout",
                    metadata: ["message_id": "\(message.messageID)", "error": "\(error)"])
            }
        }
        logger.info("stopping: returned messages received during shutdown to the queue", metadata: ["count": "\(messages.count)"])
    }

    /// One receive and its processing (tests, and `run` with a finite source).
    public func receiveOnce() async throws -> [CloudTrailMessageOutcome] {
        let sqs = try await self.sqs.resolved()
        let visibility = try await visibilityTimeout(sqs)
        let messages = try await sqs.receiveMessages(
            maxMessages: configuration.maxMessages, waitTimeSeconds: configuration.waitTimeSeconds,
            visibilityTimeout: configuration.visibilityTimeout)
        return try await processBatch(messages, sqs: sqs, visibility: visibility)
    }

    /// Processes a received batch one message at a time while a heartbeat keeps the unfinished ones
    /// invisible; then deletes the finished ones in one call.
    func processBatch(_ messages: [SQSMessage], sqs: SQSClient, visibility: Int) async throws -> [CloudTrailMessageOutcome] {
        statistics.update { $0.messagesReceived += messages.count }
        let held = HeldMessages(messages.map(\.receiptHandle))
        let interval = configuration.heartbeatInterval ?? .seconds(max(1, visibility / 2))
        return await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: interval)
                    for handle in held.current {
                        do {
                            try await sqs.changeMessageVisibility(receiptHandle: handle, timeout: visibility)
                            statistics.update { $0.visibilityExtensions += 1 }
                        } catch is CancellationError {
                            return
                        } catch {
                            logger.warning("extending a message's visibility failed", metadata: ["error": "\(error)"])
                        }
                    }
                }
            }
            var outcomes: [CloudTrailMessageOutcome] = []
            var toDelete: [String] = []
            for message in messages {
                if Task.isCancelled { break }
                let outcome = await process(message)
                outcomes.append(outcome)
                if outcome.deletes || (configuration.deleteUnrecognized && Self.isUnrecognized(outcome)) {
                    toDelete.append(message.receiptHandle)
                } else {
                    // Left alone: visible again when the current visibility timeout ends.
                    held.release(message.receiptHandle)
                }
                record(outcome, message: message)
            }
            if !toDelete.isEmpty {
                do {
                    let failed = try await sqs.deleteMessageBatch(receiptHandles: toDelete)
                    statistics.update { $0.messagesDeleted += toDelete.count - failed.count }
                    for failure in failed {
                        logger.warning(
                            "SQS refused to delete a processed message; it will be redelivered",
                            metadata: ["reason": "\(failure.reason)"])
                    }
                } catch {
                    logger.warning(
                        "deleting processed messages failed; they will be redelivered (events are deduplicated by eventID)",
                        metadata: ["error": "\(error)"])
                }
            }
            group.cancelAll()
            return outcomes
        }
    }

    static func isUnrecognized(_ outcome: CloudTrailMessageOutcome) -> Bool {
        if case .unrecognized = outcome { return true }
        return false
    }

    func record(_ outcome: CloudTrailMessageOutcome, message: SQSMessage) {
        switch outcome {
        case .handled: break
        case .ignored(let reason):
            statistics.update { $0.messagesIgnored += 1 }
            logger.debug("ignored SQS message", metadata: ["message_id": "\(message.messageID)", "reason": "\(reason)"])
        case .failed(let reason):
            statistics.update { $0.messagesFailed += 1 }
            logger.warning(
                "processing an SQS message failed; it stays on the queue for redelivery",
                metadata: [
                    "message_id": "\(message.messageID)", "receive_count": "\(message.receiveCount)", "error": "\(reason)",
                ])
        case .unrecognized(let reason):
            statistics.update { $0.messagesUnrecognized += 1 }
            logger.warning(
                "unrecognised SQS message body",
                metadata: [
                    "message_id": "\(message.messageID)", "reason": "\(reason)",
                    "action": "\(configuration.deleteUnrecognized ? "deleted" : "left for the dead-letter queue")",
                ])
        }
    }

    /// Parses one message and handles everything it points at. Never throws: the outcome says what happened.
    public func process(_ message: SQSMessage) async -> CloudTrailMessageOutcome {
        switch CloudTrailNotification.parse(message.body) {
        case .ignored(let reason):
            return .ignored(reason)
        case .unrecognized(let reason):
            return .unrecognized(reason)
        case .events:
            do {
                try await handler.handle(Array(message.body.utf8), from: .message(id: message.messageID))
                statistics.update { $0.eventBodiesHandled += 1 }
                return .handled(objects: 0, skipped: 0)
            } catch {
                return .failed("\(error)")
            }
        case .objects(let locations):
            var handled = 0
            var skipped = 0
            for location in locations {
                if let reason = skipReason(location) {
                    skipped += 1
                    statistics.update { $0.objectsSkipped[reason, default: 0] += 1 }
                    continue
                }
                do {
                    guard let object = try await s3.getObject(bucket: location.bucket, key: location.key) else {
                        return .failed("\(location): S3 answered 304 without a conditional request")
                    }
                    try await handler.handle(object.body, from: .object(location))
                    handled += 1
                    statistics.update {
                        $0.objectsHandled += 1
                        $0.objectBytes += object.body.count
                    }
                } catch let error as AWSServiceError where error.code == "NoSuchKey" {
                    // Deleted since the notification (lifecycle, a re-run); retrying cannot help.
                    skipped += 1
                    statistics.update { $0.objectsSkipped["object_missing", default: 0] += 1 }
                    logger.warning("a notified CloudTrail object no longer exists", metadata: ["object": "\(location)"])
                } catch {
                    return .failed("\(location): \(error)")
                }
            }
            return .handled(objects: handled, skipped: skipped)
        }
    }

    func skipReason(_ location: S3ObjectLocation) -> String? {
        if CloudTrailKey.isDigestOrInsight(location.key) { return "digest_or_insight" }
        if let buckets = configuration.buckets, !buckets.contains(location.bucket) { return "bucket_or_prefix" }
        if let prefix = configuration.keyPrefix, !prefix.isEmpty, !location.key.hasPrefix(prefix) { return "bucket_or_prefix" }
        if !configuration.accounts.isEmpty, let account = CloudTrailKey.account(of: location.key),
            !configuration.accounts.contains(account)
        {
            return "account_not_allowed"
        }
        return nil
    }
}

/// Receipt handles still held by a batch (the heartbeat extends these).
final class HeldMessages: Sendable {
    let handles: Mutex<[String]>
    init(_ handles: [String]) { self.handles = Mutex(handles) }
    var current: [String] { handles.withLock { $0 } }
    func release(_ handle: String) { handles.withLock { $0.removeAll { $0 == handle } } }
}
