import Detector
import Foundation
import TfdriftCore

/// The engine's accounting as Prometheus metrics: every source's records, skips, drifts, timings and
/// lag are counted here, from the one report the engine makes per batch.
public struct EngineMetrics: EngineObserver {
    let metrics: DetectorMetrics
    let activity: Activity

    public init(metrics: DetectorMetrics, activity: Activity) {
        self.metrics = metrics
        self.activity = activity
    }

    public var needsEventTimes: Bool { true }

    public func processed(_ report: BatchReport) {
        if report.records > 0 { metrics.received(source: report.source, count: report.records) }
        for (reason, count) in report.skipped { metrics.skipped(reason: reason, count: count) }
        metrics.openDrifts(report.openDrifts, evicted: report.evictedOpenDrifts)
        if report.records > 0 {
            let perRecord = report.processing.nanoseconds / Int64(report.records)
            for _ in 0..<report.records { metrics.recordProcessing(nanoseconds: perRecord) }
        }
        for time in report.eventTimes { metrics.recordLag(seconds: report.now.timeIntervalSince(time)) }
        count(report.events)
        metrics.recordIngestToSink(report.receivedAt.duration(to: .now))
        if report.records > 0 { activity.recordEvents(report.records, at: report.now) }
    }

    public func resolved(_ events: [DriftEvent], openDrifts: Int) {
        count(events)
        metrics.openDrifts(openDrifts, evicted: 0)
    }

    /// New drift and resolutions are counted apart, so a dashboard's "drift by severity" does not rise
    /// when a drift closes.
    func count(_ events: [DriftEvent]) {
        for event in events {
            if let resolvedBy = event.resolvedBy, event.action == .resolved {
                metrics.resolved(by: resolvedBy.rawValue)
            } else {
                metrics.drift(severity: event.severity.rawValue, type: event.driftType.rawValue)
            }
        }
    }
}
