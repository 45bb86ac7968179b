import Foundation
import Logging
import Synchronization
import Testing
import TfdriftCore

@testable import AWSClient

/// Graceful shutdown of the SQS consumer (issue 13 item 12): `stopReceiving()` cancels an open 20 s long
/// poll at once, while a batch already being processed finishes and is deleted.
@Suite("stopping the SQS consumer (moto)")
struct ConsumerStopTests {
    func consumer(
        _ moto: Moto, _ sqs: SQSClient, _ handler: CollectingHandler, control: CloudTrailConsumerControl
    ) throws -> CloudTrailQueueConsumer<CollectingHandler> {
        var configuration = CloudTrailQueueConsumer<CollectingHandler>.Configuration()
        configuration.waitTimeSeconds = 20
        configuration.concurrency = 2
        var logger = Logger(label: "tfdrift.sqs.test")
        logger.logLevel = .error
        return CloudTrailQueueConsumer(
            sqs: sqs, s3: try moto.s3(), handler: handler, configuration: configuration, control: control, logger: logger)
    }

    @Test("stopReceiving() during a 20 s long poll: run() returns within a second; a message sent afterwards stays in SQS")
    func stopDuringLongPoll() async throws {
        let moto = try Moto.connect()
        let (sqs, _) = try await moto.createQueue(Moto.unique("stop"), visibilityTimeout: 30)
        let control = CloudTrailConsumerControl()
        let handler = CollectingHandler()
        let consumer = try consumer(moto, sqs, handler, control: control)
        let stopped = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            // Both pollers are in their ReceiveMessage by now (the setup takes two requests).
            try await Task.sleep(for: .seconds(2))
            let stopped = ContinuousClock.now
            control.stopReceiving()
            try await group.waitForAll()
            return stopped.duration(to: .now)
        }
        // Far below the 20 s poll it cancels (the issue asks for 5 s; a loaded machine shares two cores).
        #expect(stopped < .seconds(5), "run() took \(stopped) to return after stopReceiving()")
        #expect(consumer.statistics.snapshot.receiveErrors == 0, "a cancelled receive is not an error")
        try await sqs.sendMessage(
            body: #"{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"PutBucketPolicy"}}"#)
        try await Task.sleep(for: .milliseconds(300))
        // Still in SQS: visible, or in flight if the server side of a cancelled poll (moto keeps polling
        // for a client that hung up; SQS may too) took it; then it comes back after the visibility timeout.
        let depth = try await moto.queueDepth(sqs)
        #expect(depth.visible + depth.inFlight == 1, "\(depth)")
        #expect(handler.received.withLock { $0.isEmpty }, "nothing is handled after the stop")
    }

    @Test("a batch being processed when the stop comes finishes and is deleted; run() returns after it")
    func inFlightBatchCompletes() async throws {
        let moto = try Moto.connect()
        let (sqs, _) = try await moto.createQueue(Moto.unique("drain"), visibilityTimeout: 30)
        let control = CloudTrailConsumerControl()
        let handler = CollectingHandler(delay: .seconds(2))
        let consumer = try consumer(moto, sqs, handler, control: control)
        try await sqs.sendMessage(
            body: #"{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"PutBucketPolicy"}}"#)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            let deadline = ContinuousClock.now + .seconds(20)
            while consumer.statistics.snapshot.messagesReceived == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(consumer.statistics.snapshot.messagesReceived == 1)
            control.stopReceiving()
            try await group.waitForAll()
        }
        #expect(handler.received.withLock { $0.count } == 1, "the message in hand was handled")
        #expect(consumer.statistics.snapshot.messagesDeleted == 1)
        let depth = try await moto.queueDepth(sqs)
        #expect(depth.visible == 0 && depth.inFlight == 0, "and deleted: \(depth)")
    }

    @Test("the stop signal: waiters wake at stopReceiving(), a cancelled waiter returns, a late waiter returns at once")
    func controlSignal() async throws {
        let control = CloudTrailConsumerControl()
        let woke = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    await control.waitUntilStopping()
                    woke.increment()
                }
            }
            let cancelled = Task { await control.waitUntilStopping() }
            cancelled.cancel()
            await cancelled.value
            try await Task.sleep(for: .milliseconds(100))
            #expect(woke.count == 0)
            control.stopReceiving()
            try await group.waitForAll()
        }
        #expect(woke.count == 3)
        await control.waitUntilStopping()
        let skipped = try await control.unlessStopped { 42 }
        #expect(skipped == nil, "after the stop, nothing new starts")
        let answer = try await CloudTrailConsumerControl().unlessStopped { 42 }
        #expect(answer == 42)

        // An operation whose answer was already on the way when the stop came: handed to `leftover`, not dropped.
        let racing = CloudTrailConsumerControl()
        let leftovers = Counter()
        async let outcome = racing.unlessStopped {
            try? await Task.sleep(for: .seconds(30))
            return 7
        } leftover: { value in
            if value == 7 { leftovers.increment() }
        }
        try await Task.sleep(for: .milliseconds(100))
        racing.stopReceiving()
        #expect(try await outcome == nil)
        #expect(leftovers.count == 1)
    }

    @Test("messages a cancelled receive still returned are made visible again at once")
    func releaseReturnsMessages() async throws {
        let moto = try Moto.connect()
        let (sqs, _) = try await moto.createQueue(Moto.unique("release"), visibilityTimeout: 300)
        try await sqs.sendMessage(body: "{}")
        let received = try await sqs.receiveMessages(maxMessages: 1, waitTimeSeconds: 1)
        #expect(received.count == 1)
        #expect(try await moto.queueDepth(sqs).inFlight == 1)
        let consumer = try consumer(moto, sqs, CollectingHandler(), control: CloudTrailConsumerControl())
        await consumer.release(received, sqs: sqs)
        let depth = try await moto.queueDepth(sqs)
        #expect(depth.visible == 1 && depth.inFlight == 0, "\(depth)")
    }
}

/// How many waiters woke (shared with child tasks).
final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
