import Detector
import Foundation
import Logging
import TfdriftCore

/// Pushes drift events to Loki (`/loki/api/v1/push`, JSON, gzip) without losing any: each event is
/// written to the disk spool before `submit` returns, and leaves it only once Loki answered for it.
///
/// - Batches by size and age; 429/5xx and transport errors are retried with backoff.
/// - A line longer than Loki's `max_line_size` would be refused: it is shortened first (long strings
///   cut, `"truncated": true` added), so it stays valid JSON for LogQL's `| json`.
/// - A 400 for a batch (Loki takes the valid entries of a push and refuses the rest, and drops exact
///   repeats, so pushing a part again is harmless) is split in halves until the refused entries are
///   alone: those are counted as failed with Loki's reason, every other entry is delivered.
/// - 401/403 means the credentials are wrong, which retrying cannot fix: it is reported as such
///   (health, logs, the end of a one-shot run) while the entries wait in the spool for a fixed config.
public actor LokiSink: DriftSink {
    public nonisolated let name = "loki"
    nonisolated let loop = DeliveryLoop()
    let config: LokiConfig
    let transport: any HTTPTransport
    let spool: Spool
    let metrics: DetectorMetrics
    let logger: Logger
    let pushURL: URL
    var lastError: String?
    var permanentFailure: String?
    var consecutiveFailures = 0
    var accepted = 0
    public private(set) var pushedEntries = 0
    var refusedEntries = 0

    public init(config: LokiConfig, transport: any HTTPTransport, metrics: DetectorMetrics, logger: Logger) throws {
        self.config = config
        self.transport = transport
        self.metrics = metrics
        self.logger = logger
        spool = try Spool(directory: config.spoolDirectory, maxBytes: config.spoolMaxBytes)
        guard let base = URL(string: config.url) else {
            throw HTTPTransportError(kind: .other, url: config.url, reason: "not a URL")
        }
        pushURL = base.appendingPathComponent("loki/api/v1/push")
        metrics.spoolBytes(name, spool.pendingBytes)
    }

    /// Stream labels: few and bounded (SPEC §5).
    func labels(for event: DriftEvent) -> [String: String] {
        var labels = config.labels
        labels["job"] = config.job
        labels["severity"] = event.severity.rawValue
        labels["account_id"] = event.accountID ?? "unknown"
        labels["region"] = event.region ?? "unknown"
        return labels
    }

    public func submit(_ events: [DriftEvent]) {
        guard !events.isEmpty else { return }
        accepted += events.count
        let entries = events.map { event -> String in
            let nanoseconds = String(Int64((event.detectedAt.timeIntervalSince1970 * 1e9).rounded()))
            let entry: JSONValue = .object([
                "ts": .string(nanoseconds), "labels": .object(labels(for: event).mapValues(JSONValue.string)),
                "line": .string(event.jsonLine(maxBytes: config.maxLineBytes)),
            ])
            return JSONWriter.encode(entry)
        }
        do {
            try spool.append(entries)
        } catch {
            refusedEntries += events.count
            metrics.sinkDropped(name, count: events.count)
            metrics.sinkFailure(name)
            logger.error("drift events not spooled for Loki", metadata: ["error": "\(error)", "events": "\(events.count)"])
        }
        metrics.spoolBytes(name, spool.pendingBytes)
        metrics.sinkQueueDepth(name, spool.pendingBytes > 0 ? 1 : 0)
        loop.notify()
    }

    /// The detector's heartbeat (`{job="<job>-heartbeat"}`, kept apart from the drift stream so that
    /// counting drift lines counts only drift): how many records arrived since the last one. The
    /// "detector silent" alert of a Loki-only stack (no Prometheus) fires when these stop or say zero.
    public func heartbeat(eventsReceived: Int, at date: Date) {
        var labels = config.labels
        labels["job"] = config.job + "-heartbeat"
        let nanoseconds = String(Int64((date.timeIntervalSince1970 * 1e9).rounded()))
        let line: JSONValue = .object([
            "action": "heartbeat", "detected_at": .string(Timestamp.format(date, fractional: true)),
            "events_received": .number(String(eventsReceived)),
        ])
        let entry: JSONValue = .object([
            "ts": .string(nanoseconds), "labels": .object(labels.mapValues(JSONValue.string)),
            "line": .string(JSONWriter.encode(line)), "heartbeat": true,
        ])
        do {
            try spool.append([JSONWriter.encode(entry)])
            loop.notify()
        } catch {
            logger.warning("heartbeat not spooled for Loki", metadata: ["error": "\(error)"])
        }
    }

    public func run() async {
        await loop.run { await self.step() }
        if spool.pendingBytes > 0 {
            logger.warning(
                "Loki did not take every drift event before shutdown; they stay in the spool for the next start",
                metadata: ["spool": "\(spool.directory)", "bytes": "\(spool.pendingBytes)"])
        }
    }

    public nonisolated func finish() { loop.finish() }

    /// One batch from the spool to Loki.
    func step() async -> DeliveryLoop.Step {
        var batch: (lines: [String], end: Int)
        do {
            batch = try spool.pending(limit: config.batchMaxEntries)
        } catch {
            lastError = "\(error)"
            logger.error("cannot read the Loki spool", metadata: ["error": "\(error)"])
            return .failed(backoff: DeliveryLoop.backoff(failures: 6))
        }
        if batch.lines.isEmpty { return .idle }
        // Age-based batching: give a small batch a moment to fill up.
        if batch.lines.count < config.batchMaxEntries, !loop.isFinishing {
            try? await Task.sleep(for: .milliseconds(Int(config.batchMaxWait * 1000)))
            if let fuller = try? spool.pending(limit: config.batchMaxEntries), fuller.lines.count > batch.lines.count {
                batch = fuller
            }
        }
        let entries = batch.lines.compactMap(Self.entry)
        if entries.count < batch.lines.count {
            logger.error("skipping \(batch.lines.count - entries.count) corrupt spool entries")
        }
        switch await push(entries) {
        case .delivered(let refused):
            do {
                try spool.markDelivered(upTo: batch.end)
            } catch {
                logger.error("cannot record Loki delivery in the spool", metadata: ["error": "\(error)"])
            }
            pushedEntries += entries.count { !$0.heartbeat } - refused
            refusedEntries += refused
            consecutiveFailures = 0
            permanentFailure = nil
            if refused == 0 { lastError = nil }
            metrics.spoolBytes(name, spool.pendingBytes)
            metrics.sinkQueueDepth(name, spool.pendingBytes > 0 ? 1 : 0)
            return .delivered(pause: nil)
        case .retry:
            consecutiveFailures += 1
            metrics.sinkFailure(name)
            return .failed(backoff: DeliveryLoop.backoff(failures: consecutiveFailures))
        }
    }

    enum PushOutcome {
        /// Loki answered for every entry; `refused` of them were refused for good (400 on their own).
        case delivered(refused: Int)
        /// Not delivered (transport error, 429, 5xx, wrong credentials): the batch stays in the spool.
        case retry
    }

    /// Pushes entries; on a 400 splits them until the refused ones are alone.
    func push(_ entries: [Entry]) async -> PushOutcome {
        guard !entries.isEmpty else { return .delivered(refused: 0) }
        let response: HTTPResponse
        do {
            response = try await transport.send(request(for: entries))
        } catch {
            lastError = "\(error)"
            logger.warning("Loki push failed; will retry", metadata: ["error": "\(error)"])
            return .retry
        }
        switch response.status {
        case 200..<300:
            return .delivered(refused: 0)
        case 401, 403:
            let keys = config.username == nil ? "outputs.loki.username/password (none set)" : "outputs.loki.username/password"
            permanentFailure = "Loki refused the credentials (HTTP \(response.status)): check \(keys) and tenant_id"
            lastError = permanentFailure
            logger.error(
                "Loki refused the credentials; drift events wait in the spool until the configuration is fixed",
                metadata: ["status": "\(response.status)", "pending_bytes": "\(spool.pendingBytes)"])
            return .retry
        case 400 where entries.count > 1:
            let half = entries.count / 2
            guard case .delivered(let first) = await push(Array(entries[..<half])) else { return .retry }
            guard case .delivered(let second) = await push(Array(entries[half...])) else { return .retry }
            return .delivered(refused: first + second)
        case 400:
            let reason = String(response.text.prefix(300))
            lastError = "400: \(reason)"
            metrics.sinkDropped(name)
            logger.error(
                "Loki refused a drift event; it is not retried",
                metadata: ["reason": "\(reason)", "line": "\((entries[0].line.stringValue ?? "").prefix(200))"])
            return .delivered(refused: 1)
        default:
            lastError = "HTTP \(response.status): \(String(response.text.prefix(200)))"
            logger.warning(
                "Loki push failed; will retry",
                metadata: ["status": "\(response.status)", "pending_bytes": "\(spool.pendingBytes)"])
            return .retry
        }
    }

    struct Entry {
        var ts: JSONValue
        var labels: JSONValue
        var line: JSONValue
        /// The detector's heartbeat, not a drift event (not counted as one delivered).
        var heartbeat = false
    }

    static func entry(_ spooled: String) -> Entry? {
        guard case .object(let entry)? = try? JSONValue.parse(spooled), let ts = entry["ts"], let labels = entry["labels"],
            let line = entry["line"]
        else { return nil }
        return Entry(ts: ts, labels: labels, line: line, heartbeat: entry["heartbeat"] == .bool(true))
    }

    func request(for entries: [Entry]) throws -> HTTPRequest {
        var streams: [String: (labels: JSONValue, values: [JSONValue])] = [:]
        var order: [String] = []
        for entry in entries {
            let key = JSONWriter.encode(entry.labels)
            if streams[key] == nil {
                streams[key] = (entry.labels, [])
                order.append(key)
            }
            streams[key]!.values.append(.array([entry.ts, entry.line]))
        }
        let payload: JSONValue = .object([
            "streams": .array(
                order.map { key in .object(["stream": streams[key]!.labels, "values": .array(streams[key]!.values)]) })
        ])
        var writer = JSONWriter()
        writer.write(payload)
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
        if let tenant = config.tenantID { headers.append(("X-Scope-OrgID", tenant)) }
        if let username = config.username {
            let credentials = Data("\(username):\(config.password?.value ?? "")".utf8).base64EncodedString()
            headers.append(("Authorization", "Basic \(credentials)"))
        }
        return HTTPRequest(
            method: "POST", url: pushURL, headers: headers, body: try Gzip.compress(writer.bytes), timeout: .seconds(15))
    }

    public func health() -> SinkHealth {
        SinkHealth(
            name: name, healthy: permanentFailure == nil && consecutiveFailures < 3,
            detail: lastError ?? "pushing to \(Redaction.url(config.url))", queueDepth: spool.pendingBytes > 0 ? 1 : 0,
            spoolBytes: spool.pendingBytes, accepted: accepted, delivered: pushedEntries, failed: refusedEntries,
            permanentFailure: permanentFailure)
    }
}
