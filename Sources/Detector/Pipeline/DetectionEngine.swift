import DequeModule
import Foundation
import TfdriftCore

/// The one path from records to sinks. Every source — files, an S3 trail, HTTP ingest, SQS — hands its
/// batches here: the engine counts what the input held (records, malformed, skipped), evaluates the
/// records in order, hands the drift events to every sink, then acknowledges the batch to its source.
/// Counters, metrics and exit codes all come from this one accounting.
///
/// Batches are processed one at a time, in the order they arrive (a FIFO gate, since delivery awaits
/// the sinks and an actor would otherwise let the next batch overtake it).
public actor DetectionEngine {
    var evaluator: DriftEvaluator
    /// Open drifts by resource, with what the state said about the resource when they were found.
    var open: OpenDrifts
    let sinks: [any DriftSink]
    let observer: (any EngineObserver)?
    private var busy = false
    private var waiting: Deque<CheckedContinuation<Void, Never>> = []

    public init(
        evaluator: DriftEvaluator, sinks: [any DriftSink], observer: (any EngineObserver)? = nil, maxOpenDrifts: Int = 20_000
    ) {
        self.evaluator = evaluator
        self.sinks = sinks
        self.observer = observer
        open = OpenDrifts(capacity: maxOpenDrifts)
    }

    public var summary: DetectionSummary { evaluator.summary }
    public var openDriftCount: Int { open.count }
    public var catalog: EventCatalog { evaluator.catalog }

    /// Evaluates one batch, delivers its drift events and acknowledges it; returns what it produced.
    @discardableResult
    public func process(_ batch: RecordBatch, now: Date = Date()) async -> BatchReport {
        await enter()
        defer { leave() }
        let started = ContinuousClock.now
        let skippedBefore = evaluator.summary.skipped
        let evictedBefore = open.evicted
        evaluator.countInput(batch)
        var events: [DriftEvent] = []
        for record in batch.records {
            for event in evaluator.evaluate(record, now: now) {
                remember(event)
                events.append(event)
            }
        }
        var skipped: [String: Int] = [:]
        for (reason, count) in evaluator.summary.skipped where count != skippedBefore[reason, default: 0] {
            skipped[reason] = count - skippedBefore[reason, default: 0]
        }
        let processing = started.duration(to: .now)
        await deliver(events)
        await batch.acknowledgement?.delivered()
        let report = BatchReport(
            source: batch.source, records: batch.records.count, malformed: batch.malformedCount,
            malformedSamples: batch.malformed, unreadable: batch.unreadable, skipped: skipped, events: events,
            processing: processing, receivedAt: batch.receivedAt, eventTimes: batch.records.compactMap(\.eventTime), now: now,
            openDrifts: open.count, evictedOpenDrifts: open.evicted - evictedBefore)
        observer?.processed(report)
        return report
    }

    /// Swaps in a freshly loaded state, and reports (and delivers) the open drifts it now explains:
    /// an unmanaged resource that is now managed, a deleted one that is gone from the state, a
    /// modified one whose state now holds the new values (or changed, when the call carried none).
    @discardableResult
    public func replaceState(_ index: StateIndex, now: Date = Date()) async -> [DriftEvent] {
        await enter()
        defer { leave() }
        evaluator.replaceIndex(index)
        var resolved: [DriftEvent] = []
        for (key, drift) in open.entries {
            let event = drift.event
            let references = index.lookup(type: event.resourceType, identifier: event.resourceID, accountID: event.accountID)
            let explained: Bool
            switch event.driftType {
            case .unmanaged:
                explained = !references.isEmpty
            case .deleted:
                explained = references.isEmpty
            case .modified:
                guard let reference = references.first else {
                    explained = true  // removed from the state: no longer Terraform's drift
                    break
                }
                let instance = index.instance(reference)
                if event.diff.isEmpty {
                    explained = instance.attributes?.text.hashValue != drift.attributesFingerprint
                } else {
                    explained = DriftResolution.stateHolds(event, instance: instance, catalog: evaluator.catalog)
                }
            }
            if explained {
                var resolution = event
                resolution.action = .resolved
                resolution.detectedAt = now
                resolution.message =
                    "\(event.resourceAddress ?? "\(event.resourceType) \(event.resourceID)"): drift resolved by a state reload (\(event.driftType.rawValue) by \(event.changedBy) is now what Terraform's state says)"
                resolved.append(resolution)
                open.close(key)
            }
        }
        resolved.sort { $0.timestamp < $1.timestamp }
        await deliver(resolved)
        observer?.resolved(resolved, openDrifts: open.count)
        return resolved
    }

    func remember(_ event: DriftEvent) {
        var fingerprint: Int?
        if event.state != nil {
            fingerprint = attributesFingerprint(type: event.resourceType, id: event.resourceID, account: event.accountID)
        }
        open.open(event, attributesFingerprint: fingerprint)
    }

    /// A hash of the state's attributes for a resource: open drifts keep this, not the text (which
    /// can be kilobytes of policy JSON), and only compare it within this process.
    func attributesFingerprint(type: String, id: String, account: String?) -> Int? {
        let index = evaluator.index
        guard let reference = index.lookup(type: type, identifier: id, accountID: account).first,
            let text = index.instance(reference).attributes?.text
        else { return nil }
        return text.hashValue
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
    /// Time spent evaluating (not delivering).
    public var processing: Duration
    public var receivedAt: ContinuousClock.Instant
    /// `eventTime` of each record, for the lag histogram.
    public var eventTimes: [String]
    public var now: Date
    public var openDrifts: Int
    /// Open drifts this batch pushed out of the bounded table.
    public var evictedOpenDrifts: Int
}

/// Watches the engine (the service's metrics; nothing in a replay).
public protocol EngineObserver: Sendable {
    func processed(_ report: BatchReport)
    func resolved(_ events: [DriftEvent], openDrifts: Int)
}
