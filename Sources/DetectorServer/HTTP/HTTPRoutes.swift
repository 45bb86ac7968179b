import Detector
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import TfdriftCore

/// Everything the HTTP routes need, built once by `DetectorRuntime` for `run` and for the tests.
public struct RouteDependencies: Sendable {
    public var queue: IngestQueue
    public var store: StateStore
    public var reloader: StateReloadService
    public var sinks: [any DriftSink]
    public var registry: PrometheusCollectorRegistry
    public var metrics: DetectorMetrics
    public var activity: Activity
    public var token: Secret?
    public var maxBodyBytes: Int
    public var readTimeout: Double = 30
    public var falcoPath: String
    public var hasStates: Bool
    public var logger: Logger
}

/// The detector's HTTP API (SPEC §6).
public enum DetectorRoutes {
    public static func router(_ dependencies: RouteDependencies) -> Router<BasicRequestContext> {
        let router = Router()
        let routes = Handlers(dependencies: dependencies)
        router.post(RouterPath(dependencies.falcoPath)) { request, _ in try await routes.ingest(request, source: "falco") }
        if dependencies.falcoPath != "/api/v1/falco/events" {
            router.post("/api/v1/falco/events") { request, _ in try await routes.ingest(request, source: "falco") }
        }
        router.post("/api/v1/events") { request, _ in try await routes.ingest(request, source: "http") }
        router.post("/api/v1/reload-state") { request, _ in try await routes.reload(request) }
        router.get("/healthz") { _, _ in Handlers.json(.ok, ["status": "ok"]) }
        router.get("/readyz") { _, _ in await routes.ready() }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: dependencies.registry.emitToBuffer())))
        }
        return router
    }
}

struct Handlers: Sendable {
    let dependencies: RouteDependencies

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(
            status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: JSONWriter.encode(value) + "\n")))
    }

    /// Bearer token on every POST route, compared in constant time.
    func authorised(_ request: Request) -> Response? {
        guard let token = dependencies.token, !token.isEmpty else { return nil }
        // RFC 7235: the scheme is case-insensitive (`bearer` is `Bearer`); the token is compared in constant time.
        let presented = request.headers[.authorization] ?? ""
        let parts = presented.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        if parts.count == 2, parts[0].lowercased() == "bearer",
            Self.constantTimeEquals(parts[1].trimmingCharacters(in: .whitespaces), token.value)
        {
            return nil
        }
        dependencies.metrics.rejected(reason: "unauthorized")
        return Self.json(
            .unauthorized, ["error": "missing or wrong bearer token (Authorization: Bearer …)"],
            headers: [HTTPField.Name.wwwAuthenticate: "Bearer realm=\"tfdriftctl\""])
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }

    func ingest(_ incoming: Request, source: String) async throws -> Response {
        if let refusal = authorised(incoming) { return refusal }
        let body: ByteBuffer
        do {
            body = try await Self.within(dependencies.readTimeout) { [maxBodyBytes = dependencies.maxBodyBytes] in
                var request = incoming
                return try await request.collectBody(upTo: maxBodyBytes)
            }
        } catch is BodyTimeout {
            dependencies.metrics.rejected(reason: "read_timeout")
            return Self.json(
                .requestTimeout,
                ["error": .string("the body did not arrive within \(Int(dependencies.readTimeout)) s (server.read_timeout)")],
                headers: [.connection: "close"])
        } catch {
            dependencies.metrics.rejected(reason: "too_large")
            return Self.json(
                .contentTooLarge,
                ["error": .string("body larger than \(dependencies.maxBodyBytes) bytes (server.max_body_bytes)")])
        }
        let batch = RecordBatch.decoding(JSONBytes(body.readableBytesView), name: "request body", source: source)
        let records = batch.records
        if batch.malformedCount > 0 { dependencies.metrics.rejected(reason: "malformed", count: batch.malformedCount) }
        if records.isEmpty {
            let skipped = batch.skips.values.reduce(0, +)
            if batch.malformedCount == 0, skipped > 0 {
                // Well-formed but not records (a Falco syscall alert, an S3 test event): accepted and
                // counted as skipped, so a Falco that also runs syscall rules is not told to retry.
                _ = dependencies.queue.offer(batch)
                return Self.json(.accepted, ["accepted": 0, "skipped": .number(String(skipped))])
            }
            let reason =
                batch.malformed.first.map { "\($0.reason) (\($0.location))" }
                ?? "empty body: expected CloudTrail records, EventBridge envelopes or Falco alerts"
            return Self.json(.badRequest, ["error": .string(reason), "malformed": .number(String(batch.malformedCount))])
        }
        let journaled = dependencies.queue.journal == nil ? nil : Array(body.readableBytesView)
        switch dependencies.queue.offer(batch, body: journaled) {
        case .accepted(let ticket):
            if let ticket, let journal = dependencies.queue.journal {
                do {
                    try await journal.waitDurable(ticket)
                } catch {
                    // Queued, so it will be processed, but it is not safe on disk: the sender should retry
                    // (a repeat is recognised by its event id).
                    return journalUnavailable("\(error)", records: records.count)
                }
            }
            return Self.json(
                .accepted,
                ["accepted": .number(String(records.count)), "malformed": .number(String(batch.malformedCount))])
        case .full:
            dependencies.metrics.rejected(reason: "queue_full", count: records.count)
            return Self.json(
                .tooManyRequests,
                ["error": "ingest queue full; retry later", "queue_capacity": .number(String(dependencies.queue.capacity))],
                headers: [HTTPField.Name.retryAfter: "1"])
        case .journalFailed(let reason):
            return journalUnavailable(reason, records: records.count)
        case .closed:
            dependencies.metrics.rejected(reason: "shutting_down", count: records.count)
            return Self.json(.serviceUnavailable, ["error": "shutting down"], headers: [HTTPField.Name.retryAfter: "5"])
        }
    }

    struct BodyTimeout: Error {}

    /// Runs `body` with a deadline: a client that sends headers and then stalls does not keep a worker.
    static func within<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw BodyTimeout() }
            return value
        }
    }

    /// The journal could not take or sync a request (disk full, I/O error): 503, so the sender retries.
    func journalUnavailable(_ reason: String, records: Int) -> Response {
        dependencies.logger.error("ingest journal: \(reason)")
        dependencies.metrics.rejected(reason: "journal", count: records)
        return Self.json(
            .serviceUnavailable, ["error": .string("cannot persist the request: \(reason)")],
            headers: [HTTPField.Name.retryAfter: "5"])
    }

    func reload(_ request: Request) async throws -> Response {
        if let refusal = authorised(request) { return refusal }
        switch await dependencies.reloader.reload(reason: "POST /api/v1/reload-state") {
        case .reloaded(let summaries, let resolved):
            let states: [JSONValue] = summaries.map { summary in
                .object([
                    "name": .string(summary.name), "serial": summary.serial.map { .number(String($0)) } ?? .null,
                    "resources": .number(String(summary.resources)),
                    "load_seconds": .number(String(format: "%.3f", summary.seconds)),
                ])
            }
            return Self.json(.ok, ["reloaded": true, "states": .array(states), "resolved_drifts": .number(String(resolved))])
        case .unchanged:
            return Self.json(.ok, ["reloaded": false])
        case .failed(let reason):
            return Self.json(.internalServerError, ["reloaded": false, "error": .string(reason), "kept": "the last good state"])
        }
    }

    /// Ready means "send me events": a state is loaded (with none configured, every change is reported
    /// unmanaged). A failed reload (the last good state stays in use) or a sink that cannot deliver (its
    /// spool keeps the events) is a degradation reported in the body and the metrics, not unreadiness:
    /// a 503 would make Kubernetes pull the pod and Falco drop events it could have delivered.
    func ready() async -> Response {
        let store = dependencies.store
        let loaded = await store.isLoaded
        let lastError = await store.lastError
        let lastSuccess = await store.lastSuccess
        var sinkReports: [JSONValue] = []
        var degraded: [JSONValue] = []
        if let lastError { degraded.append(.string("state reload failed; serving the last good state: \(lastError)")) }
        for sink in dependencies.sinks {
            let health = await sink.health()
            if !health.healthy { degraded.append(.string("sink \(health.name): \(health.detail)")) }
            var report: [String: JSONValue] = [
                "name": .string(health.name), "healthy": .bool(health.healthy), "detail": .string(health.detail),
            ]
            if let spool = health.spoolBytes { report["spool_bytes"] = .number(String(spool)) }
            sinkReports.append(.object(report))
        }
        let ready = !dependencies.hasStates || loaded
        let body: JSONValue = .object([
            "ready": .bool(ready),
            "degraded": .array(degraded),
            "state": .object([
                "loaded": .bool(loaded), "fresh": .bool(lastError == nil),
                "last_success": lastSuccess.map { .string(Timestamp.format($0)) } ?? .null,
                "error": lastError.map(JSONValue.string) ?? .null,
            ]),
            "sinks": .array(sinkReports),
            "queue": .object([
                "depth": .number(String(dependencies.queue.depth)), "capacity": .number(String(dependencies.queue.capacity)),
                "journal_bytes": dependencies.queue.journal.map { .number(String($0.bytesOnDisk)) } ?? .null,
            ]),
            "last_event": dependencies.activity.lastEvent.map { .string(Timestamp.format($0)) } ?? .null,
        ])
        return Self.json(ready ? .ok : .serviceUnavailable, body)
    }
}
