import Detector
import DetectorServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing
import TfdriftCore

@Suite("detector HTTP API")
struct RouteTests {
    struct Running {
        var runtime: DetectorRuntime
        var sink: CollectingSink
        var directory: URL
        var statePath: String
    }

    /// Builds a runtime with a state file and a recording sink; the application runs the runtime's
    /// services (detection, reloader, sinks) in its own service group for the test's duration.
    static func withServer(
        token: String? = nil, queueCapacity: Int = 10_000, prepare: (inout TfdriftConfig) -> Void = { _ in },
        _ body: @escaping @Sendable (Running, any TestClientProtocol) async throws -> Void
    ) async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let statePath = directory.appendingPathComponent("terraform.tfstate").path
        try ServerFixtures.stateJSON().write(toFile: statePath, atomically: true, encoding: .utf8)
        var config = ServerFixtures.config(statePath: statePath, token: token, queueCapacity: queueCapacity)
        prepare(&config)
        let sink = CollectingSink()
        var options = DetectorRuntime.Options()
        options.extraSinks = [sink]
        let runtime = try await DetectorRuntime.make(
            config: config, catalog: ServerFixtures.catalog, options: options, logger: ServerFixtures.logger)
        let app = try runtime.application(server: config.server, logger: ServerFixtures.logger, withServices: true)
        try await app.test(.live) { client in
            try await body(Running(runtime: runtime, sink: sink, directory: directory, statePath: statePath), client)
        }
    }

    /// Polls `condition` for up to five seconds (processing happens after the 202).
    static func eventually(_ condition: @Sendable () async -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(5)
        while !(await condition()), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }

    static func post(_ client: some TestClientProtocol, _ path: String, _ body: String, token: String? = nil) async throws -> (
        HTTPResponse.Status, String
    ) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (response.status, String(buffer: response.body))
        }
    }

    @Test("a Falco http_output alert is accepted (202) and becomes a drift event with a rule-level diff")
    func falcoAlert() async throws {
        try await Self.withServer { running, client in
            let (status, body) = try await Self.post(client, "/api/v1/falco/events", ServerFixtures.falcoAlert)
            #expect(status == .accepted, "\(body)")
            #expect(body.contains("\"accepted\":1"))
            let events = await running.sink.waitFor(1)
            let event = try #require(events.first)
            #expect(event.resourceAddress == "aws_security_group.bastion")
            #expect(event.diff["ingress"]?.actual == ["tcp 22 from 208.236.235.254/0"])
            #expect(event.severity == .critical)
        }
    }

    @Test("arrays and NDJSON of records on /api/v1/events; malformed lines counted, the rest accepted")
    func batches() async throws {
        try await Self.withServer { running, client in
            let ndjson = [ServerFixtures.createVpc(1), "{\"eventName\": broken", ServerFixtures.createVpc(2)].joined(
                separator: "\n")
            let (status, body) = try await Self.post(client, "/api/v1/events", ndjson)
            #expect(status == .accepted)
            #expect(body.contains("\"accepted\":2"))
            #expect(body.contains("\"malformed\":1"))
            let array = "[" + ServerFixtures.createVpc(3) + "," + ServerFixtures.createVpc(4) + "]"
            #expect(try await Self.post(client, "/api/v1/events", array).0 == .accepted)
            let events = await running.sink.waitFor(4)
            #expect(Set(events.map(\.resourceID)) == ["vpc-1", "vpc-2", "vpc-3", "vpc-4"])
            #expect(events.allSatisfy { $0.driftType == .unmanaged })
        }
    }

    @Test("malformed bodies get 400 with the reason; oversized bodies 413")
    func badBodies() async throws {
        try await Self.withServer { _, client in
            let (status, body) = try await Self.post(client, "/api/v1/events", "{\"Records\": [")
            #expect(status == .badRequest)
            #expect(body.contains("malformed JSON"))
            let (emptyStatus, _) = try await Self.post(client, "/api/v1/events", "")
            #expect(emptyStatus == .badRequest)
            let big = "[" + Array(repeating: ServerFixtures.createVpc(9), count: 200).joined(separator: ",") + "]"
            #expect(try await Self.post(client, "/api/v1/events", big).0 == .contentTooLarge)
        }
    }

    @Test("a Falco alert of a syscall rule is accepted (202) and counted as skipped, not refused")
    func falcoSyscallAlert() async throws {
        try await Self.withServer { running, client in
            let syscall =
                #"{"output":"Shell spawned in a container","priority":"Notice","rule":"Terminal shell in container","time":"2026-01-01T00:00:00.000000000Z","output_fields":{"container.id":"abc","proc.name":"bash","user.name":"root"},"source":"syscall"}"#
            let (status, body) = try await Self.post(client, "/api/v1/falco/events", syscall)
            #expect(status == .accepted, "\(body)")
            #expect(body.contains("\"skipped\":1"), "\(body)")
            await Self.eventually { await running.runtime.engine.summary.skipped["falco_not_cloudtrail"] == 1 }
            #expect(await running.runtime.engine.summary.skipped["falco_not_cloudtrail"] == 1)
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains(#"tfdrift_events_skipped_total{reason="falco_not_cloudtrail"} 1"#), "\(metrics)")
        }
    }

    @Test("a record whose eventTime is not a time is refused (400), not stamped with the ingest time")
    func badEventTime() async throws {
        try await Self.withServer { _, client in
            let record = ServerFixtures.createVpc(1).replacingOccurrences(of: "2026-01-01T00:00:00Z", with: "yesterday")
            let (status, body) = try await Self.post(client, "/api/v1/events", record)
            #expect(status == .badRequest, "\(body)")
            #expect(body.contains("eventTime \\\"yesterday\\\" is not an RFC 3339 time"), "\(body)")
        }
    }

    @Test("the bearer token guards every POST route; health and metrics stay open")
    func token() async throws {
        try await Self.withServer(token: "s3cret-token") { running, client in
            #expect(try await Self.post(client, "/api/v1/events", ServerFixtures.createVpc(1)).0 == .unauthorized)
            #expect(try await Self.post(client, "/api/v1/events", ServerFixtures.createVpc(1), token: "wrong").0 == .unauthorized)
            #expect(try await Self.post(client, "/api/v1/falco/events", ServerFixtures.falcoAlert).0 == .unauthorized)
            #expect(try await Self.post(client, "/api/v1/reload-state", "").0 == .unauthorized)
            #expect(
                try await Self.post(client, "/api/v1/events", ServerFixtures.createVpc(1), token: "s3cret-token").0 == .accepted)
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            #expect(await running.sink.waitFor(1).count == 1)
        }
    }

    @Test("the Bearer scheme is case-insensitive (RFC 7235); the token is not")
    func bearerScheme() async throws {
        try await Self.withServer(token: "s3cret-token") { running, client in
            for header in ["bearer s3cret-token", "BEARER s3cret-token", "Bearer  s3cret-token"] {
                let status = try await client.execute(
                    uri: "/api/v1/events", method: .post, headers: [.contentType: "application/json", .authorization: header],
                    body: ByteBuffer(string: ServerFixtures.createVpc(1))
                ) { $0.status }
                #expect(status == .accepted, "\(header)")
            }
            let wrongCase = try await client.execute(
                uri: "/api/v1/events", method: .post, headers: [.authorization: "Bearer S3CRET-TOKEN"],
                body: ByteBuffer(string: ServerFixtures.createVpc(2))
            ) { $0.status }
            #expect(wrongCase == .unauthorized)
            _ = await running.sink.waitFor(1)
        }
    }

    @Test("a client that sends headers and then stalls loses its connection within server.read_timeout")
    func stalledBody() async throws {
        let readTimeout: (inout TfdriftConfig) -> Void = { $0.server.readTimeout = 1 }
        try await Self.withServer(token: "t", prepare: readTimeout) { running, client in
            let port = try #require(client.port)
            let request =
                "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"Records\":["
            let started = ContinuousClock.now
            let answer = try await offThePool { try RawClient.send(request, to: port, readFor: .seconds(10)) }
            let elapsed = started.duration(to: .now)
            #expect(elapsed < .seconds(5), "\(elapsed)")
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains("server.read_timeout"))
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains(#"tfdrift_ingest_rejected_total{reason="read_timeout"} 1"#))
            _ = running
        }
    }

    @Test("every documented metric is exported from the start, at zero, with build info")
    func metricsAtZero() async throws {
        try await Self.withServer { _, client in
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            for series in [
                #"tfdrift_events_received_total{source="http"} 0"#, #"tfdrift_events_received_total{source="falco"} 0"#,
                #"tfdrift_events_skipped_total{reason="read_only"} 0"#,
                #"tfdrift_drift_events_total{severity="critical",drift_type="modified"} 0"#,
                #"tfdrift_ingest_rejected_total{reason="queue_full"} 0"#, #"tfdrift_sink_failures_total{sink="memory"} 0"#,
                #"tfdrift_state_reload_failures_total{state="main"} 0"#, "tfdrift_open_drifts 0",
                "tfdrift_open_drifts_evicted_total 0", "tfdrift_last_event_timestamp_seconds 0", "tfdrift_build_info{version=",
            ] {
                #expect(metrics.contains(series), "\(series)")
            }
        }
    }

    @Test("a full ingest queue answers 429 with Retry-After; nothing accepted is lost")
    func backpressure() async throws {
        try await Self.withServer(queueCapacity: 2) { running, client in
            var accepted = 0
            var refused = 0
            for n in 0..<200 {
                let status = try await client.execute(
                    uri: "/api/v1/events", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(
                        string: "[" + ServerFixtures.createVpc(2 * n) + "," + ServerFixtures.createVpc(2 * n + 1) + "]")
                ) { response in
                    if response.status == .tooManyRequests { #expect(response.headers[.retryAfter] == "1") }
                    return response.status
                }
                if status == .accepted { accepted += 2 } else if status == .tooManyRequests { refused += 1 }
            }
            let events = await running.sink.waitFor(accepted)
            #expect(events.count == accepted)
            #expect(accepted + refused * 2 == 400)
        }
    }

    @Test("/metrics exposes SPEC §6's names in Prometheus text format")
    func metrics() async throws {
        try await Self.withServer { running, client in
            _ = try await Self.post(client, "/api/v1/falco/events", ServerFixtures.falcoAlert)
            _ = await running.sink.waitFor(1)
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            for name in [
                "tfdrift_events_received_total", "tfdrift_drift_events_total", "tfdrift_event_processing_seconds",
                "tfdrift_event_lag_seconds", "tfdrift_state_resources", "tfdrift_state_load_seconds",
                "tfdrift_state_last_success_timestamp_seconds", "tfdrift_last_event_timestamp_seconds",
                "tfdrift_open_drifts",
            ] {
                #expect(text.contains(name), "\(name) missing")
            }
            #expect(text.contains(#"tfdrift_drift_events_total{severity="critical",drift_type="modified"} 1"#), "\(text)")
            #expect(try await PromtoolCheck.run(text).isEmpty)
        }
    }

    @Test("reload-state: returns serial and counts; a drift the new state explains is reported resolved")
    func reloadResolves() async throws {
        try await Self.withServer(token: "t") { running, client in
            _ = try await Self.post(client, "/api/v1/falco/events", ServerFixtures.falcoAlert, token: "t")
            #expect(await running.sink.waitFor(1).count == 1)
            // `terraform apply` adopted the rule: the state now holds what the call set.
            let adopted = #"[{"protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["208.236.235.254/0"],"self":false}]"#
            try ServerFixtures.stateJSON(ingress: adopted, serial: 2).write(
                toFile: running.statePath, atomically: true, encoding: .utf8)
            let (status, body) = try await Self.post(client, "/api/v1/reload-state", "", token: "t")
            #expect(status == .ok, "\(body)")
            #expect(body.contains("\"serial\":2"))
            #expect(body.contains("\"resolved_drifts\":1"))
            let events = await running.sink.waitFor(2)
            #expect(events.last?.action == .resolved)
            #expect(events.last?.jsonLine().contains("\"action\":\"drift_resolved\"") == true)
            // The resolution is counted as such, not as a second drift.
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains(#"tfdrift_drift_events_total{severity="critical",drift_type="modified"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"tfdrift_drift_resolved_total{resolved_by="state_reload"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"tfdrift_drift_resolved_total{resolved_by="revert"} 0"#), "\(metrics)")
        }
    }

    @Test("a corrupt state on reload keeps the last good one: /readyz stays ready and reports the degradation")
    func corruptReload() async throws {
        try await Self.withServer { running, client in
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            try "{\"version\": 4, \"resources\": [".write(toFile: running.statePath, atomically: true, encoding: .utf8)
            let (status, body) = try await Self.post(client, "/api/v1/reload-state", "")
            #expect(status == .internalServerError)
            #expect(body.contains("the last good state"))
            // Still ready: the detector serves from the last good state, and a 503 would make Kubernetes
            // pull the pod and Falco drop events (issue 13 item 9).
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                #expect(body.contains("\"fresh\":false"), "\(body)")
                #expect(body.contains("state reload failed; serving the last good state"), "\(body)")
            }
            // Detection still uses the last good state.
            _ = try await Self.post(client, "/api/v1/falco/events", ServerFixtures.falcoAlert)
            #expect(await running.sink.waitFor(1).first?.resourceAddress == "aws_security_group.bastion")
        }
    }
}

/// `promtool check metrics` from the Debian `prometheus` package, installed by scripts/test.sh.
enum PromtoolCheck {
    /// Lint problems promtool reports (empty when clean). Fails the test if promtool is missing.
    static func run(_ text: String) async throws -> String {
        try await offThePool { try runBlocking(text) }
    }

    static func runBlocking(_ text: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let result = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(result)")
        return process.terminationStatus == 0 ? "" : result
    }
}
