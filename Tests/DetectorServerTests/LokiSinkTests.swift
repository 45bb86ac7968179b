import Detector
import DetectorServer
import Foundation
import HTTPTransportAHC
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import TestSupport
import Testing
import TfdriftCore

@Suite("Loki sink: push API, batching, retries, spool")
struct LokiSinkTests {
    static func event(_ n: Int, severity: Severity = .high) -> DriftEvent {
        DriftEvent(
            timestamp: Date(timeIntervalSince1970: 1_700_000_000 + Double(n)),
            detectedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)),
            driftType: .modified, severity: severity, resourceType: "aws_instance", resourceID: "i-\(n)",
            resourceAddress: "aws_instance.web[\(n)]",
            state: "main", diff: ["instance_type": AttributeChange(expected: "t3.micro", actual: "t3.large")], actor: Actor(),
            eventName: "ModifyInstanceAttribute", eventSource: "ec2.amazonaws.com", eventID: "e-\(n)", region: "us-east-1",
            accountID: "123456789012", maintenanceWindow: nil, message: "event \(n)")
    }

    static func withLoki(
        _ simulator: LokiSimulator = LokiSimulator(), _ body: @escaping @Sendable (LokiSimulator, Int) async throws -> Void
    ) async throws {
        let app = Application(
            router: simulator.router(), configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            logger: ServerFixtures.logger)
        try await app.test(.live) { client in
            try await body(simulator, try #require(client.port))
        }
    }

    static func sink(port: Int, spool: URL, labels: [String: String] = [:]) throws -> LokiSink {
        var config = LokiConfig(url: "http://127.0.0.1:\(port)")
        config.tenantID = "team-a"
        config.username = "tfdrift"
        config.password = Secret("loki-pass")
        config.spoolDirectory = spool.path
        config.batchMaxWait = 0.05
        config.labels = labels
        let metrics = DetectorMetrics()
        return try LokiSink(config: config, transport: try AHCTransport(), metrics: metrics, logger: ServerFixtures.logger)
    }

    static func waitUntil(timeout: Duration = .seconds(15), _ condition: () async -> Bool) async {
        let deadline = ContinuousClock.now + timeout
        while !(await condition()), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(25)) }
    }

    @Test("pushes valid streams: bounded labels, nanosecond timestamps, SPEC §5 lines, tenant and basic auth")
    func push() async throws {
        let spool = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: spool) }
        try await Self.withLoki { loki, port in
            let sink = try Self.sink(port: port, spool: spool)
            let runner = Task { await sink.run() }
            await sink.submit([Self.event(1), Self.event(2, severity: .critical), Self.event(3)])
            await Self.waitUntil { loki.accepted.count == 3 }
            runner.cancel()
            _ = await runner.result
            let entries = loki.accepted
            #expect(entries.count == 3)
            #expect(loki.rejected.isEmpty, "\(loki.rejected)")
            #expect(Set(entries.map { $0.labels["severity"] ?? "" }) == ["high", "critical"])
            #expect(
                entries.allSatisfy {
                    Set($0.labels.keys) == ["job", "severity", "account_id", "region"] && $0.labels["job"] == "tfdrift-falco"
                })
            #expect(entries.contains { $0.timestamp == "1800000001000000000" })
            let line = try JSONSerialization.jsonObject(with: Data(entries[0].line.utf8)) as? [String: Any]
            #expect(line?["resource_type"] as? String == "aws_instance")
            #expect(loki.tenants == ["team-a"])
            #expect(loki.authorizations == ["Basic " + Data("tfdrift:loki-pass".utf8).base64EncodedString()])
        }
    }

    @Test("a Loki outage loses nothing: entries wait in the spool and arrive in order when Loki returns")
    func outage() async throws {
        let spool = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: spool) }
        try await Self.withLoki { loki, port in
            loki.setMode(.serverError)
            let sink = try Self.sink(port: port, spool: spool)
            let runner = Task { await sink.run() }
            for n in 0..<20 { await sink.submit([Self.event(n)]) }
            await Self.waitUntil { loki.requestCount >= 3 }
            #expect(loki.accepted.isEmpty)
            #expect((await sink.health().spoolBytes ?? 0) > 0)
            loki.setMode(.rateLimited)
            await Self.waitUntil { loki.requestCount >= 5 }
            loki.setMode(.healthy)
            // Delivered is when the sink recorded Loki's answer, not only when Loki stored the lines.
            await Self.waitUntil(timeout: .seconds(60)) { await sink.health().spoolBytes == 0 && loki.accepted.count == 20 }
            runner.cancel()
            _ = await runner.result
            let expected: [String] = (0..<20).map { String(1_800_000_000 + $0) + "000000000" }
            let timestamps: [String] = loki.accepted.map(\.timestamp)
            #expect(timestamps == expected)
            #expect(await sink.health().spoolBytes == 0)
        }
    }

    @Test("a restart with a non-empty spool delivers what the previous process accepted")
    func restart() async throws {
        let spool = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: spool) }
        try await Self.withLoki { loki, port in
            loki.setMode(.serverError)
            do {
                let first = try Self.sink(port: port, spool: spool)
                let runner = Task { await first.run() }
                await first.submit((0..<5).map { Self.event($0) })
                await Self.waitUntil { loki.requestCount >= 1 }
                runner.cancel()
                _ = await runner.result
            }
            #expect(loki.accepted.isEmpty)
            loki.setMode(.healthy)
            let second = try Self.sink(port: port, spool: spool)
            let runner = Task { await second.run() }
            await Self.waitUntil { loki.accepted.count == 5 }
            runner.cancel()
            _ = await runner.result
            #expect(loki.accepted.map(\.line).map { $0.contains("\"resource_id\":\"i-") }.allSatisfy { $0 })
            #expect(loki.accepted.count == 5)
        }
    }

    @Test("a 400 is logged and skipped, never retried")
    func badRequestNotRetried() async throws {
        let spool = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: spool) }
        try await Self.withLoki { loki, port in
            let sink = try Self.sink(port: port, spool: spool, labels: ["bad-label": "x"])
            let runner = Task { await sink.run() }
            await sink.submit([Self.event(1)])
            await Self.waitUntil { loki.rejected.count == 1 }
            try await Task.sleep(for: .milliseconds(500))
            runner.cancel()
            _ = await runner.result
            #expect(loki.requestCount == 1)
            #expect(loki.rejected.first?.contains("invalid label name") == true)
            #expect(await sink.health().spoolBytes == 0)
        }
    }

    @Test("one oversized event does not cost the batch: its line is shortened to Loki's limit, marked, and all arrive")
    func oversizedLine() async throws {
        let spool = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: spool) }
        try await Self.withLoki { loki, port in
            let sink = try Self.sink(port: port, spool: spool)
            let runner = Task { await sink.run() }
            var huge = Self.event(10)
            huge.actor.userAgent = String(repeating: "A", count: 300_000)
            await sink.submit((0..<10).map { Self.event($0) } + [huge])
            await Self.waitUntil { await sink.health().spoolBytes == 0 && loki.accepted.count == 11 }
            sink.finish()
            await runner.value
            #expect(loki.accepted.count == 11, "\(loki.rejected)")
            #expect(loki.rejected.isEmpty)
            let line = try #require(loki.accepted.first { $0.line.contains("\"event_id\":\"e-10\"") }?.line)
            #expect(line.utf8.count <= 256_000)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["truncated"] as? Bool == true)
            #expect(object["resource_id"] as? String == "i-10")
            let health = await sink.health()
            #expect(health.delivered == 11 && health.failed == 0)
        }
    }

    @Test("a 400 for some entries of a batch: the batch is split, every valid entry delivered, the refused counted")
    func partialRefusal() async throws {
        let spool = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: spool) }
        try await Self.withLoki(LokiSimulator(refusedMarker: "i-7\"")) { loki, port in
            let sink = try Self.sink(port: port, spool: spool)
            let runner = Task { await sink.run() }
            await sink.submit((0..<11).map { Self.event($0) })
            await Self.waitUntil { await sink.health().spoolBytes == 0 }
            sink.finish()
            await runner.value
            #expect(
                Set(loki.accepted.map(\.line).compactMap { $0.firstMatch(of: /"resource_id":"(i-\d+)"/).map { String($0.1) } })
                    == Set((0..<11).filter { $0 != 7 }.map { "i-\($0)" }))
            #expect(loki.accepted.count == 10, "re-pushed halves are stored once")
            let health = await sink.health()
            #expect(health.delivered == 10)
            #expect(health.failed == 1)
            #expect(health.detail.contains("timestamp too old"))
        }
    }

    @Test("wrong credentials (401) are said as such, not retried as a passing outage; the events wait in the spool")
    func wrongCredentials() async throws {
        let spool = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: spool) }
        try await Self.withLoki(LokiSimulator(requiredAuth: ("tfdrift", "the-real-one"), configYAML: nil)) { loki, port in
            let sink = try Self.sink(port: port, spool: spool)
            let runner = Task { await sink.run() }
            await sink.submit([Self.event(1), Self.event(2)])
            await Self.waitUntil { await sink.health().permanentFailure != nil }
            sink.finish()
            await runner.value
            let health = await sink.health()
            #expect(health.permanentFailure?.contains("Loki refused the credentials (HTTP 401)") == true)
            #expect(health.permanentFailure?.contains("outputs.loki.username/password") == true)
            #expect(!health.healthy)
            #expect(health.accepted == 2 && health.delivered == 0)
            #expect((health.spoolBytes ?? 0) > 0)
            #expect(loki.accepted.isEmpty)
            #expect(!(health.permanentFailure ?? "").contains("loki-pass"))
        }
    }
}
