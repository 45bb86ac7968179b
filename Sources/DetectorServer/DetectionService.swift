import Detector
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TfdriftCore

/// Takes accepted batches off the ingest queue, evaluates them and hands drift events to the sinks.
/// On graceful shutdown the queue is closed and everything already accepted is processed first.
public struct DetectionService: Service {
    let queue: IngestQueue
    let engine: DetectionEngine
    let sinks: [any DriftSink]
    let metrics: DetectorMetrics
    let logger: Logger
    let activity: Activity

    public init(
        queue: IngestQueue, engine: DetectionEngine, sinks: [any DriftSink], metrics: DetectorMetrics, activity: Activity,
        logger: Logger
    ) {
        self.queue = queue
        self.engine = engine
        self.sinks = sinks
        self.metrics = metrics
        self.activity = activity
        self.logger = logger
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await batch in queue.stream {
                await process(batch)
            }
        } onGracefulShutdown: {
            queue.close()
        }
        let open = await engine.openDriftCount
        logger.info("detection drained", metadata: ["open_drifts": "\(open)"])
    }

    /// For sources that need to know when their records are safe (SQS deletes a message only after
    /// this returns): evaluates and hands drift events to the sinks, whose `submit` is durable for
    /// Loki (spooled) and the file sink. Serialised with HTTP ingest by the engine actor.
    public func handleDirectly(_ records: [CloudTrailRecord], source: String, malformed: Int) async {
        metrics.received(source: source, count: records.count)
        if malformed > 0 { await engine.countMalformed(malformed) }
        await process(IngestBatch(records: records, source: source), fromQueue: false)
    }

    func process(_ batch: IngestBatch, fromQueue: Bool = true) async {
        let started = ContinuousClock.now
        let now = Date()
        let outcome = await engine.processCounting(batch.records, now: now)
        let events = outcome.events
        let elapsed = started.duration(to: .now)
        for (reason, count) in outcome.skipped { metrics.skipped(reason: reason, count: count) }
        metrics.openDrifts(outcome.openDrifts, evicted: outcome.evictedOpenDrifts)
        if !batch.records.isEmpty {
            let perRecord = Int64(elapsed.components.seconds) * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
            for _ in batch.records { metrics.recordProcessing(nanoseconds: perRecord / Int64(batch.records.count)) }
        }
        for record in batch.records {
            if let time = record.eventTime.flatMap(Timestamp.parse) { metrics.recordLag(seconds: now.timeIntervalSince(time)) }
        }
        for event in events { metrics.drift(severity: event.severity.rawValue, type: event.driftType.rawValue) }
        await deliver(events)
        metrics.recordIngestToSink(batch.receivedAt.duration(to: .now))
        activity.recordEvents(at: now)
        if fromQueue {
            queue.done(batch)
            if let journal = queue.journal { metrics.journal(bytes: journal.bytesOnDisk) }
        }
    }

    /// Hands events to every sink concurrently: one slow sink does not hold the others back.
    func deliver(_ events: [DriftEvent]) async {
        guard !events.isEmpty else { return }
        if sinks.count == 1 {
            await sinks[0].submit(events)
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for sink in sinks { group.addTask { await sink.submit(events) } }
        }
    }
}

/// When the detector last received events (for staleness, `/readyz` and the metric).
public final class Activity: Sendable {
    private let last = Mutex<Date?>(nil)
    let metrics: DetectorMetrics

    public init(metrics: DetectorMetrics) { self.metrics = metrics }

    public func recordEvents(at date: Date) {
        last.withLock { $0 = date }
        metrics.recordLastEvent(at: date.timeIntervalSince1970)
    }

    public var lastEvent: Date? { last.withLock { $0 } }
}
