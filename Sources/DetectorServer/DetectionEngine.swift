import Detector
import Foundation
import TfdriftCore

/// The detector's single owner of evaluation state: the evaluator (dedup memory, counters) and the
/// drifts still open, so that a state reload can report the ones it explains as `drift_resolved`.
public actor DetectionEngine {
    var evaluator: DriftEvaluator
    /// Open drifts by resource, with what the state said about the resource when they were found.
    var open: [String: OpenDrift] = [:]
    // Bounded: every open drift is kept whole for resolution; beyond this, new drifts are not tracked.
    let maxOpen = 20_000

    struct OpenDrift {
        var event: DriftEvent
        /// The state's attributes JSON for the resource at detection time (nil for unmanaged).
        var attributesAtDetection: String?
    }

    public init(evaluator: DriftEvaluator) { self.evaluator = evaluator }

    public var summary: DetectionSummary { evaluator.summary }

    /// Evaluates records in order; returns their drift events and how many were skipped, by reason.
    public func processCounting(_ records: [CloudTrailRecord], now: Date = Date()) -> (
        events: [DriftEvent], skipped: [String: Int]
    ) {
        let before = evaluator.summary.skipped
        let events = process(records, now: now)
        var delta: [String: Int] = [:]
        for (reason, count) in evaluator.summary.skipped where count != before[reason, default: 0] {
            delta[reason] = count - before[reason, default: 0]
        }
        return (events, delta)
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
        guard open.count < maxOpen else { return }
        let key = "\(event.resourceType)|\(event.resourceID)"
        var attributes: String?
        if event.state != nil {
            attributes = currentAttributes(type: event.resourceType, id: event.resourceID, account: event.accountID)
        }
        open[key] = OpenDrift(event: event, attributesAtDetection: attributes)
    }

    func currentAttributes(type: String, id: String, account: String?) -> String? {
        let index = evaluator.index
        guard let reference = index.lookup(type: type, identifier: id, accountID: account).first else { return nil }
        return index.instance(reference).attributes?.text
    }

    /// Swaps in a freshly loaded state and reports the open drifts it now explains:
    /// an unmanaged resource that is now managed, a deleted one that is gone from the state, a
    /// modified one whose state now holds the new values (or changed, when the call carried none).
    public func replaceState(_ index: StateIndex, now: Date = Date()) -> [DriftEvent] {
        evaluator.replaceIndex(index)
        var resolved: [DriftEvent] = []
        for (key, drift) in open {
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
                    explained = instance.attributes?.text != drift.attributesAtDetection
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
                open.removeValue(forKey: key)
            }
        }
        return resolved.sorted { $0.timestamp < $1.timestamp }
    }

    public var openDriftCount: Int { open.count }
}
