import DequeModule
import Foundation
import HeapModule
import TfdriftCore

/// The one path from records to sinks. Every source — files, an S3 trail, HTTP ingest, SQS — hands its
/// batches here: the engine counts what the input held (records, malformed, skipped), applies the
/// mutating calls to the live picture in `eventTime` order, hands the drift events to every sink, then
/// acknowledges the batch to its source. Counters, metrics and exit codes all come from this one
/// accounting.
///
/// Order: within a batch, records are applied by `eventTime` (creations before changes before
/// deletions within one second — CloudTrail does not order them). A replay also orders across inputs:
/// with a `reorderWindow`, calls wait until the newest `eventTime` seen is that far past them, since a
/// trail's files overlap in time; `finishInput` applies what is left.
///
/// Batches are processed one at a time, in the order they arrive (a FIFO gate, since delivery awaits
/// the sinks and an actor would otherwise let the next batch overtake it).
public actor DetectionEngine {
    var evaluator: DriftEvaluator
    let sinks: [any DriftSink]
    let observer: (any EngineObserver)?
    let reorderWindow: Double?
    private var pending = Heap<Pending>()
    /// Bytes of the calls held for ordering (their detached copies).
    private var heldBytes = 0
    /// Calls held for ordering in a replay, at most, by number and by bytes: memory stays bounded even
    /// for an input written newest first, whose calls all arrive late. Past either bound the oldest
    /// is applied before its window closed, and counted (`DetectionSummary.reorderOverflow`).
    let maxHeld: Int
    let maxHeldBytes: Int
    private var arrivals = 0
    private var newest = Date.distantPast
    private var busy = false
    private var waiting: Deque<CheckedContinuation<Void, Never>> = []

    public init(
        evaluator: DriftEvaluator, sinks: [any DriftSink], observer: (any EngineObserver)? = nil, reorderWindow: Double? = nil,
        maxHeld: Int = 100_000, maxHeldBytes: Int = 32 << 20
    ) {
        self.maxHeld = maxHeld
        self.maxHeldBytes = maxHeldBytes
        self.evaluator = evaluator
        self.sinks = sinks
        self.observer = observer
        self.reorderWindow = reorderWindow
    }

    public var summary: DetectionSummary { evaluator.summary }
    public var openDriftCount: Int { evaluator.picture.driftedCount }
    public var picture: LivePicture { evaluator.picture }
    public var catalog: EventCatalog { evaluator.catalog }

    /// Continues from a picture an earlier process kept.
    public func restore(_ saved: LivePicture) { evaluator.restore(saved) }

    /// Explanations of what became of each mutating record (`replay --explain`).
    public func explain(_ on: Bool) { evaluator.explains = on }

    /// A call waiting for its turn.
    struct Pending: Comparable {
        let candidate: RecordTriage.Candidate
        let time: Date
        let arrival: Int
        /// Bytes of the detached copy held (0 when applied within its batch).
        let bytes: Int

        static func < (a: Pending, b: Pending) -> Bool {
            (a.time, a.candidate.changeRank, a.arrival) < (b.time, b.candidate.changeRank, b.arrival)
        }
        static func == (a: Pending, b: Pending) -> Bool { a.arrival == b.arrival }
    }

    /// Evaluates one batch, delivers its drift events and acknowledges it; returns what it produced.
    @discardableResult
    public func process(_ batch: RecordBatch, now: Date = Date()) async -> BatchReport {
        await enter()
        defer { leave() }
        let started = ContinuousClock.now
        let skippedBefore = evaluator.summary.skipped
        let evictedBefore = evaluator.picture.evicted
        evaluator.countInput(batch)
        var explanations: [Explanation] = []
        var events: [DriftEvent] = []
        func apply(_ pending: Pending) {
            heldBytes -= pending.bytes
            let outcome = evaluator.apply(pending.candidate, now: now)
            events += outcome.events
            if let explanation = outcome.explanation { explanations.append(explanation) }
        }
        let records = batch.records
        for position in records.indices {
            // Indexed, not iterated: a record copy is a retain, and most records are skipped here.
            let verdict = batch.verdicts?[position] ?? evaluator.triage.triage(records[position])
            if let explanation = evaluator.count(verdict, record: records[position]) { explanations.append(explanation) }
            guard case .candidate(let candidate) = verdict else { continue }
            let record = candidate.record
            // A call without a time sorts with the newest seen; it does not move the window (the wall
            // clock would make every held call late, and the lines depend on when the replay ran).
            let time = record.eventDate ?? (newest == .distantPast ? now : newest)
            if let date = record.eventDate, date > newest { newest = date }
            arrivals += 1
            var waiting = candidate
            var bytes = 0
            // Held past this batch: keep only the record's own bytes, not the input's buffer.
            if reorderWindow != nil {
                waiting.record = record.detached()
                bytes = waiting.record.retainedBytes
                heldBytes += bytes
            }
            pending.insert(Pending(candidate: waiting, time: time, arrival: arrivals, bytes: bytes))
            // Released record by record, so what is applied when depends on the input alone, not on
            // how it was cut into batches (the same lines with any --jobs or window). A call waits until
            // the newest time seen is a window past it and a later call has arrived: a run of calls that
            // come late (an input older than the others, or one written newest first) is still applied
            // in time order among itself — within one second, creations first. At most `maxHeld` calls
            // and `maxHeldBytes` wait.
            if let reorderWindow {
                let horizon = newest.addingTimeInterval(-reorderWindow)
                while let first = pending.min {
                    let due = first.time < horizon && first.time < time
                    guard due || pending.count > maxHeld || heldBytes > maxHeldBytes else { break }
                    if !due { evaluator.summary.reorderOverflow += 1 }
                    apply(pending.removeMin())
                }
            }
        }
        if reorderWindow == nil {
            while !pending.isEmpty { apply(pending.removeMin()) }
        }
        let processing = started.duration(to: .now)
        await deliver(events)
        await batch.acknowledgement?.delivered()
        let report = BatchReport(
            source: batch.source, records: batch.records.count, malformed: batch.malformedCount,
            malformedSamples: batch.malformed, unreadable: batch.unreadable, skipped: delta(since: skippedBefore),
            events: events, explanations: explanations, processing: processing, receivedAt: batch.receivedAt,
            eventTimes: observer?.needsEventTimes == true ? batch.records.compactMap(\.eventDate) : [], now: now,
            openDrifts: evaluator.picture.driftedCount,
            evictedOpenDrifts: evaluator.picture.evicted - evictedBefore)
        observer?.processed(report)
        return report
    }

    /// The end of a finite input: applies the calls still waiting for the reorder window.
    @discardableResult
    public func finishInput(now: Date = Date()) async -> BatchReport {
        await enter()
        defer { leave() }
        let started = ContinuousClock.now
        let skippedBefore = evaluator.summary.skipped
        let evictedBefore = evaluator.picture.evicted
        var events: [DriftEvent] = []
        var explanations: [Explanation] = []
        heldBytes = 0
        while !pending.isEmpty {
            let outcome = evaluator.apply(pending.removeMin().candidate, now: now)
            events += outcome.events
            if let explanation = outcome.explanation { explanations.append(explanation) }
        }
        let processing = started.duration(to: .now)
        await deliver(events)
        let report = BatchReport(
            source: "file", records: 0, malformed: 0, malformedSamples: [], unreadable: [], skipped: delta(since: skippedBefore),
            events: events, explanations: explanations, processing: processing, receivedAt: .now, eventTimes: [], now: now,
            openDrifts: evaluator.picture.driftedCount, evictedOpenDrifts: evaluator.picture.evicted - evictedBefore)
        observer?.processed(report)
        return report
    }

    func delta(since before: [String: Int]) -> [String: Int] {
        var skipped: [String: Int] = [:]
        for (reason, count) in evaluator.summary.skipped where count != before[reason, default: 0] {
            skipped[reason] = count - before[reason, default: 0]
        }
        return skipped
    }

    /// Swaps in a freshly loaded state, and reports (and delivers) the drifts it now explains.
    @discardableResult
    public func replaceState(_ index: StateIndex, now: Date = Date()) async -> [DriftEvent] {
        await enter()
        defer { leave() }
        let resolved = evaluator.replaceIndex(index, now: now)
        await deliver(resolved)
        observer?.resolved(resolved, openDrifts: evaluator.picture.driftedCount)
        return resolved
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

    private func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if let next = waiting.popFirst() {
            next.resume()  // `busy` passes to the next batch
        } else {
            busy = false
        }
    }
}

/// What one batch produced, for metrics and callers that render.
public struct BatchReport: Sendable {
    public var source: String
    public var records: Int
    public var malformed: Int
    /// The first malformed inputs, and inputs that could not be read at all.
    public var malformedSamples: [MalformedInput]
    public var unreadable: [MalformedInput]
    /// Records skipped by this batch, by reason.
    public var skipped: [String: Int]
    public var events: [DriftEvent]
    /// With explanations on: what became of each mutating record.
    public var explanations: [Explanation]
    /// Time spent evaluating (not delivering).
    public var processing: Duration
    public var receivedAt: ContinuousClock.Instant
    /// `eventTime` of each record, for the lag histogram.
    public var eventTimes: [Date]
    public var now: Date
    /// Resources that differ from the state, and how many the bounded picture forgot in this batch.
    public var openDrifts: Int
    public var evictedOpenDrifts: Int
}

/// Watches the engine (the service's metrics; a replay's problem report).
public protocol EngineObserver: Sendable {
    func processed(_ report: BatchReport)
    func resolved(_ events: [DriftEvent], openDrifts: Int)
    /// Whether reports carry every record's event time (the service's lag histogram). A replay's
    /// observer does not need them, and collecting them is work on the engine's one thread.
    var needsEventTimes: Bool { get }
}

extension EngineObserver {
    public var needsEventTimes: Bool { false }
}
