import Detector
import Foundation
import Logging
import ServiceLifecycle
import TfdriftCore

/// Pushes drift events to Loki (`/loki/api/v1/push`, JSON, gzip) without losing any: each event is
/// written to the disk spool before `submit` returns, and removed only after Loki accepted it.
/// Batches by size and age; retries 429/5xx and transport errors with backoff; never retries a 400
/// (logged with Loki's reason, counted, skipped). A Loki outage or a restart of tfdriftctl loses
/// nothing: delivery resumes from the spool, in order.
public actor LokiSink: DriftSink {
    public nonisolated let name = "loki"
    let config: LokiConfig
    let transport: any HTTPTransport
    let spool: Spool
    let metrics: DetectorMetrics
    let logger: Logger
    let pushURL: URL
    let wake: AsyncStream<Void>
    let wakeContinuation: AsyncStream<Void>.Continuation
    var shuttingDown = false
    var lastError: String?
    var consecutiveFailures = 0
    public private(set) var pushedEntries = 0

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
        (wake, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
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
        let entries = events.map { event -> String in
            let nanoseconds = String(Int64((event.detectedAt.timeIntervalSince1970 * 1e9).rounded()))
            let entry: JSONValue = .object([
                "ts": .string(nanoseconds), "labels": .object(labels(for: event).mapValues(JSONValue.string)),
                "line": .string(event.jsonLine()),
            ])
            return JSONWriter.encode(entry)
        }
        do {
            try spool.append(entries)
        } catch {
            metrics.sinkDropped(name, count: events.count)
            metrics.sinkFailure(name)
            logger.error("drift events not spooled for Loki", metadata: ["error": "\(error)", "events": "\(events.count)"])
        }
        metrics.spoolBytes(name, spool.pendingBytes)
        metrics.sinkQueueDepth(name, spool.pendingBytes > 0 ? 1 : 0)
        wakeContinuation.yield()
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await self.deliverLoop()
        } onGracefulShutdown: {
            Task { await self.beginShutdown() }
        }
    }

    func beginShutdown() {
        shuttingDown = true
        wakeContinuation.yield()
    }

    func deliverLoop() async {
        var iterator = wake.makeAsyncIterator()
        while true {
            let batch: (lines: [String], end: Int)
            do {
                batch = try spool.pending(limit: config.batchMaxEntries)
            } catch {
                lastError = "\(error)"
                logger.error("cannot read the Loki spool", metadata: ["error": "\(error)"])
                return
            }
            if batch.lines.isEmpty {
                if shuttingDown || Task.isCancelled { return }
                _ = await iterator.next()
                continue
            }
            // Age-based batching: give a small batch a moment to fill up.
            if batch.lines.count < config.batchMaxEntries, !shuttingDown {
                try? await Task.sleep(for: .milliseconds(Int(config.batchMaxWait * 1000)))
                if let fuller = try? spool.pending(limit: config.batchMaxEntries), fuller.lines.count > batch.lines.count {
                    await push(fuller)
                    continue
                }
            }
            await push(batch)
            if consecutiveFailures > 0 {
                if shuttingDown {
                    logger.warning(
                        "Loki unreachable at shutdown; undelivered drift events stay in the spool for the next start",
                        metadata: ["spool": "\(spool.directory)", "bytes": "\(spool.pendingBytes)"])
                    return
                }
                let backoff = min(30.0, 0.5 * pow(2.0, Double(min(consecutiveFailures, 6)))) * Double.random(in: 0.8...1.2)
                try? await Task.sleep(for: .milliseconds(Int(backoff * 1000)))
                if Task.isCancelled { return }
            }
        }
    }

    func push(_ batch: (lines: [String], end: Int)) async {
        var streams: [String: (labels: JSONValue, values: [JSONValue])] = [:]
        var order: [String] = []
        for line in batch.lines {
            guard case .object(let entry)? = try? JSONValue.parse(line), let ts = entry["ts"], let labels = entry["labels"],
                let text = entry["line"]
            else {
                logger.error("skipping a corrupt spool entry")
                continue
            }
            let key = JSONWriter.encode(labels)
            if streams[key] == nil {
                streams[key] = (labels, [])
                order.append(key)
            }
            streams[key]!.values.append(.array([ts, text]))
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
        do {
            let body = try Gzip.compress(writer.bytes)
            let response = try await transport.send(
                HTTPRequest(method: "POST", url: pushURL, headers: headers, body: body, timeout: .seconds(15)))
            switch response.status {
            case 200..<300:
                try spool.markDelivered(upTo: batch.end)
                pushedEntries += batch.lines.count
                consecutiveFailures = 0
                lastError = nil
            case 400:
                // Loki will never take this batch (bad labels, too old, too large): log why, skip it.
                let reason = String(response.text.prefix(300))
                logger.error(
                    "Loki rejected a batch; skipping it (not retried)",
                    metadata: ["status": "400", "reason": "\(reason)", "entries": "\(batch.lines.count)"])
                metrics.sinkFailure(name)
                metrics.sinkDropped(name, count: batch.lines.count)
                try spool.markDelivered(upTo: batch.end)
                lastError = "400: \(reason)"
            default:
                consecutiveFailures += 1
                metrics.sinkFailure(name)
                lastError = "HTTP \(response.status): \(String(response.text.prefix(200)))"
                logger.warning(
                    "Loki push failed; will retry",
                    metadata: ["status": "\(response.status)", "pending_bytes": "\(spool.pendingBytes)"])
            }
        } catch {
            consecutiveFailures += 1
            metrics.sinkFailure(name)
            lastError = "\(error)"
            logger.warning("Loki push failed; will retry", metadata: ["error": "\(error)"])
        }
        metrics.spoolBytes(name, spool.pendingBytes)
    }

    public func health() -> SinkHealth {
        SinkHealth(
            name: name, healthy: consecutiveFailures < 3, detail: lastError ?? "pushing to \(Redaction.url(config.url))",
            queueDepth: spool.pendingBytes > 0 ? 1 : 0, spoolBytes: spool.pendingBytes)
    }
}
