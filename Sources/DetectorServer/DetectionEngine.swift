import Detector
import Foundation
import TfdriftCore

/// The detector's single owner of evaluation state: the evaluator (dedup memory, counters) and the
/// drifts still open, so that a state reload can report the ones it explains as `drift_resolved`.
public actor DetectionEngine {
    var evaluator: DriftEvaluator
    /// Open drifts by resource, with what the state said about the resource when they were found.
    var open: OpenDrifts

    public init(evaluator: DriftEvaluator, maxOpenDrifts: Int = 20_000) {
        self.evaluator = evaluator
        open = OpenDrifts(capacity: maxOpenDrifts)
    }

    public var summary: DetectionSummary { evaluator.summary }

    /// What one batch produced, with the counters the metrics need (read in the same actor turn).
    public struct BatchOutcome: Sendable {
        public var events: [DriftEvent]
        public var skipped: [String: Int]
        public var openDrifts: Int
        /// Open drifts this batch pushed out of the bounded table.
        public var evictedOpenDrifts: Int
    }

    /// Evaluates records in order; returns their drift events and how many were skipped, by reason.
    public func processCounting(_ records: [CloudTrailRecord], now: Date = Date()) -> BatchOutcome {
        let before = evaluator.summary.skipped
        let evictedBefore = open.evicted
        let events = process(records, now: now)
        var delta: [String: Int] = [:]
        for (reason, count) in evaluator.summary.skipped where count != before[reason, default: 0] {
            delta[reason] = count - before[reason, default: 0]
        }
        return BatchOutcome(
            events: events, skipped: delta, openDrifts: open.count, evictedOpenDrifts: open.evicted - evictedBefore)
    }

    /// Evaluates records in order; returns their drift events.
    public func process(_ records: [CloudTrailRecord], now: Date = Date()) -> [DriftEvent] {
        var events: [DriftEvent] = []
        for record in records {
            for event in evaluator.evaluate(record, now: now) {
                remember(event)
                events.append(event)
            }
        }
        return events
    }

    public func countMalformed(_ count: Int) { evaluator.countMalformed(count) }

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

    /// Swaps in a freshly loaded state and reports the open drifts it now explains:
    /// an unmanaged resource that is now managed, a deleted one that is gone from the state, a
    /// modified one whose state now holds the new values (or changed, when the call carried none).
    public func replaceState(_ index: StateIndex, now: Date = Date()) -> [DriftEvent] {
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
        return resolved.sorted { $0.timestamp < $1.timestamp }
    }

    public var openDriftCount: Int { open.count }
}
