import Detector
import Prometheus
import Synchronization
import TfdriftCore

/// The detector's Prometheus metrics (SPEC §6), on a registry owned by one server instance (so tests
/// can run several). Registered directly on swift-prometheus rather than through swift-metrics
/// because every metric needs `# HELP` text (`promtool check metrics` insists), which the
/// swift-metrics bridge does not pass through.
public final class DetectorMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let counters = Mutex<[String: Counter]>([:])
    private let gauges = Mutex<[String: Gauge]>([:])
    let processing: DurationHistogram
    let lag: ValueHistogram
    let lastEvent: Gauge
    let ingestToSink: DurationHistogram

    static let help: [String: String] = [
        "tfdrift_events_received_total": "CloudTrail records accepted for detection, by source.",
        "tfdrift_events_skipped_total": "Records that produced no drift event, by reason.",
        "tfdrift_drift_events_total": "drift_detected lines emitted, by severity and drift type (resolutions are counted apart).",
        "tfdrift_drift_resolved_total": "drift_resolved lines emitted, by what closed the drift (revert, deleted, state_reload).",
        "tfdrift_ingest_rejected_total": "Records refused at ingest (queue full, unauthorised, malformed, too large).",
        "tfdrift_sink_failures_total": "Failed deliveries to a sink.",
        "tfdrift_sink_dropped_total":
            "Drift events a sink could not keep (spool full, notification queue full, rejected by Loki).",
        "tfdrift_sink_queue_depth": "Drift events waiting in a sink.",
        "tfdrift_spool_bytes": "Bytes in a sink's disk spool not yet delivered.",
        "tfdrift_state_resources": "Managed resource instances in a loaded Terraform state.",
        "tfdrift_state_load_seconds": "Time the last successful load of a state took.",
        "tfdrift_state_last_success_timestamp_seconds": "Unix time of the last successful load of a state.",
        "tfdrift_state_reload_failures_total": "State reloads that failed (the last good state stays in use).",
        "tfdrift_ingest_journal_bytes":
            "Bytes of accepted HTTP requests on disk in the ingest journal (processed ones until their segment is deleted).",
        "tfdrift_ingest_journal_recovered_total":
            "Records an earlier process accepted but had not processed, recovered from the ingest journal at start.",
        "tfdrift_open_drifts":
            "Resources in the live picture that differ from the state: reported and not yet reverted, deleted or adopted by a state reload (bounded; see the evicted counter).",
        "tfdrift_build_info": "Always 1; the labels say which tfdriftctl this is.",
        "tfdrift_open_drifts_evicted_total":
            "Resources dropped from the live picture (oldest first) because it holds at most detection.live_picture_max_resources; their drifts were reported but can no longer be resolved.",
    ]

    static func descriptor(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        processing = registry.makeDurationHistogram(
            descriptor: Self.descriptor("tfdrift_event_processing_seconds", help: "Time to evaluate one CloudTrail record."),
            buckets: [
                .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(5),
                .milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1),
            ])
        lag = registry.makeValueHistogram(
            descriptor: Self.descriptor("tfdrift_event_lag_seconds", help: "Seconds from a CloudTrail event to its evaluation."),
            buckets: [1, 5, 30, 60, 120, 300, 600, 900, 1800, 3600, 86400])
        ingestToSink = registry.makeDurationHistogram(
            descriptor: Self.descriptor(
                "tfdrift_ingest_to_sink_seconds",
                help: "Time from accepting a batch at ingest to handing its drift events to the sinks."),
            buckets: [
                .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5),
            ])
        lastEvent = registry.makeGauge(
            descriptor: Self.descriptor(
                "tfdrift_last_event_timestamp_seconds", help: "Unix time the last CloudTrail record was received."))
    }

    func counter(_ name: String, _ labels: [(String, String)]) -> Counter {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        return counters.withLock { cache in
            if let existing = cache[key] { return existing }
            let counter = registry.makeCounter(descriptor: Self.descriptor(name, help: Self.help[name] ?? name), labels: labels)
            cache[key] = counter
            return counter
        }
    }

    func gauge(_ name: String, _ labels: [(String, String)]) -> Gauge {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        return gauges.withLock { cache in
            if let existing = cache[key] { return existing }
            let gauge = registry.makeGauge(descriptor: Self.descriptor(name, help: Self.help[name] ?? name), labels: labels)
            cache[key] = gauge
            return gauge
        }
    }

    public func recordProcessing(nanoseconds: Int64) { processing.record(.nanoseconds(nanoseconds)) }
    public func recordIngestToSink(_ duration: Duration) { ingestToSink.record(duration) }
    public func recordLag(seconds: Double) { lag.record(max(0, seconds)) }
    public func recordLastEvent(at timestamp: Double) { lastEvent.set(timestamp) }

    public func received(source: String, count: Int) {
        counter("tfdrift_events_received_total", [("source", source)]).increment(by: Int64(count))
    }

    public func skipped(reason: String, count: Int = 1) {
        counter("tfdrift_events_skipped_total", [("reason", reason)]).increment(by: Int64(count))
    }

    public func drift(severity: String, type: String) {
        counter("tfdrift_drift_events_total", [("severity", severity), ("drift_type", type)]).increment()
    }

    public func resolved(by: String) {
        counter("tfdrift_drift_resolved_total", [("resolved_by", by)]).increment()
    }

    public func rejected(reason: String, count: Int = 1) {
        counter("tfdrift_ingest_rejected_total", [("reason", reason)]).increment(by: Int64(count))
    }

    public func sinkFailure(_ sink: String) { counter("tfdrift_sink_failures_total", [("sink", sink)]).increment() }
    public func sinkDropped(_ sink: String, count: Int = 1) {
        counter("tfdrift_sink_dropped_total", [("sink", sink)]).increment(by: Int64(count))
    }
    public func sinkQueueDepth(_ sink: String, _ depth: Int) {
        gauge("tfdrift_sink_queue_depth", [("sink", sink)]).set(Double(depth))
    }
    public func spoolBytes(_ sink: String, _ bytes: Int) { gauge("tfdrift_spool_bytes", [("sink", sink)]).set(Double(bytes)) }

    public func stateLoaded(state: String, resources: Int, seconds: Double, at timestamp: Double) {
        gauge("tfdrift_state_resources", [("state", state)]).set(Double(resources))
        gauge("tfdrift_state_load_seconds", [("state", state)]).set(seconds)
        gauge("tfdrift_state_last_success_timestamp_seconds", [("state", state)]).set(timestamp)
    }

    public func openDrifts(_ count: Int, evicted: Int) {
        gauge("tfdrift_open_drifts", []).set(Double(count))
        if evicted > 0 { counter("tfdrift_open_drifts_evicted_total", []).increment(by: Int64(evicted)) }
    }

    public func journal(bytes: Int) { gauge("tfdrift_ingest_journal_bytes", []).set(Double(bytes)) }
    public func journalRecovered(_ count: Int) {
        counter("tfdrift_ingest_journal_recovered_total", []).increment(by: Int64(count))
    }

    /// Every series the detector may export, at zero from the start: `rate()` and `increase()` need a
    /// first sample before the first event, and an alert on `absent()` must not fire on a healthy
    /// detector that has seen nothing yet.
    public func registerAtZero(sources: [String], sinks: [String], states: [String], version: String) {
        gauge("tfdrift_build_info", [("version", version)]).set(Double(1))
        for source in sources { counter("tfdrift_events_received_total", [("source", source)]).increment(by: Int64(0)) }
        for reason in SkipReason.allCases.map(\.rawValue) + InputSkip.allCases.map(\.rawValue) {
            counter("tfdrift_events_skipped_total", [("reason", reason)]).increment(by: Int64(0))
        }
        for severity in Severity.allCases {
            for type in DriftType.allCases {
                counter("tfdrift_drift_events_total", [("severity", severity.rawValue), ("drift_type", type.rawValue)])
                    .increment(by: Int64(0))
            }
        }
        for resolvedBy in ResolvedBy.allCases {
            counter("tfdrift_drift_resolved_total", [("resolved_by", resolvedBy.rawValue)]).increment(by: Int64(0))
        }
        for reason in ["unauthorized", "too_large", "malformed", "queue_full", "journal", "shutting_down", "read_timeout"] {
            counter("tfdrift_ingest_rejected_total", [("reason", reason)]).increment(by: Int64(0))
        }
        for sink in sinks {
            counter("tfdrift_sink_failures_total", [("sink", sink)]).increment(by: Int64(0))
            counter("tfdrift_sink_dropped_total", [("sink", sink)]).increment(by: Int64(0))
            sinkQueueDepth(sink, 0)
        }
        if sinks.contains("loki") { spoolBytes("loki", 0) }
        for state in states { counter("tfdrift_state_reload_failures_total", [("state", state)]).increment(by: Int64(0)) }
        openDrifts(0, evicted: 0)
        counter("tfdrift_open_drifts_evicted_total", []).increment(by: Int64(0))
        journal(bytes: 0)
        journalRecovered(0)
        recordLastEvent(at: 0)
    }

    public func stateReloadFailed(state: String) {
        counter("tfdrift_state_reload_failures_total", [("state", state)]).increment()
    }
}
