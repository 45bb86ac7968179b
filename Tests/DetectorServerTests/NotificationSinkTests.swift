import Detector
import DetectorServer
import Foundation
import Synchronization
import Testing
import TfdriftCore

/// An HTTPTransport that records requests and answers with a scripted status.
final class RecordingTransport: HTTPTransport {
    private let state = Mutex<(requests: [HTTPRequest], statuses: [Int])>(([], []))

    init(statuses: [Int] = []) { state.withLock { $0.statuses = statuses } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let status = state.withLock { state -> Int in
            state.requests.append(request)
            return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
        }
        return HTTPResponse(status: status, body: Array("ok".utf8))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    var bodies: [[String: Any]] {
        requests.compactMap { request in
            request.body.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
        }
    }
}

@Suite("Slack and webhook notifications")
struct NotificationSinkTests {
    static func event(_ n: Int, severity: Severity, window: String? = nil) -> DriftEvent {
        var actor = Actor()
        actor.userName = "alice"
        return DriftEvent(
            timestamp: Date(), detectedAt: Date(), driftType: .modified, severity: severity, resourceType: "aws_security_group",
            resourceID: "sg-\(n)", resourceAddress: "aws_security_group.s\(n)", state: "main",
            diff: ["ingress": AttributeChange(expected: [], actual: ["tcp 22 from 0.0.0.0/0"])], actor: actor,
            eventName: "AuthorizeSecurityGroupIngress", eventSource: "ec2.amazonaws.com", eventID: "e\(n)", region: "us-east-1",
            accountID: "123456789012", maintenanceWindow: window, message: "sg-\(n) opened")
    }

    static func slack(
        transport: RecordingTransport, rate: Double = 1, windows: [MaintenanceWindow] = [],
        policy: MaintenanceNotifications = .summary
    )
        -> NotificationSink
    {
        var config = SlackConfig(webhookURL: Secret("http://127.0.0.1:1/services/T/B/secret"))
        config.channel = "#drift"
        config.minimumSeverity = .high
        config.ratePerSecond = rate
        return NotificationSink(
            kind: .slack(config), transport: transport, windows: windows, maintenancePolicy: policy, metrics: DetectorMetrics(),
            logger: ServerFixtures.logger)
    }

    static func waitUntil(_ condition: () -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition(), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }

    @Test("one drift: a Block Kit message with resource, actor, severity and diff; below the minimum severity nothing")
    func single() async throws {
        let transport = RecordingTransport()
        let sink = Self.slack(transport: transport)
        let runner = Task { await sink.run() }
        await sink.submit([Self.event(1, severity: .low)])
        await sink.submit([Self.event(2, severity: .critical)])
        await Self.waitUntil { transport.requests.count == 1 }
        try await Task.sleep(for: .milliseconds(300))
        runner.cancel()
        _ = await runner.result
        #expect(transport.requests.count == 1)
        let message = try #require(transport.bodies.first)
        #expect(message["channel"] as? String == "#drift")
        let blocks = try #require(message["blocks"] as? [[String: Any]])
        let text = String(
            decoding: try JSONSerialization.data(withJSONObject: blocks, options: [.withoutEscapingSlashes]), as: UTF8.self)
        #expect(text.contains("aws_security_group.s2"))
        #expect(text.contains("alice"))
        #expect(text.contains("critical"))
        #expect(text.contains("tcp 22 from 0.0.0.0/0"))
    }

    @Test("a burst beyond the rate limit becomes one digest instead of a message storm")
    func digest() async throws {
        let transport = RecordingTransport()
        let sink = Self.slack(transport: transport, rate: 1)
        await sink.submit((0..<25).map { Self.event($0, severity: .high) })
        let runner = Task { await sink.run() }
        await Self.waitUntil { !transport.requests.isEmpty }
        try await Task.sleep(for: .milliseconds(300))
        runner.cancel()
        _ = await runner.result
        #expect(transport.requests.count == 1)
        let heading = try #require(transport.bodies.first?["text"] as? String)
        #expect(heading.contains("25 Terraform drift events"))
    }

    @Test("drift in a maintenance window is held and summarised when the window ends; drop policy sends nothing")
    func maintenanceWindow() async throws {
        let ended = MaintenanceWindow(
            name: "deploy", schedule: .oneOff(start: Date().addingTimeInterval(-7200), end: Date().addingTimeInterval(-3600)))
        let transport = RecordingTransport()
        let sink = Self.slack(transport: transport, windows: [ended])
        let runner = Task { await sink.run() }
        await sink.submit([
            Self.event(1, severity: .critical, window: "deploy"), Self.event(2, severity: .high, window: "deploy"),
        ])
        await Self.waitUntil { !transport.requests.isEmpty }
        runner.cancel()
        _ = await runner.result
        #expect(transport.requests.count == 1)
        #expect(
            (transport.bodies.first?["text"] as? String)?.contains("Maintenance window \"deploy\" ended: 2 drift events") == true)

        let quiet = RecordingTransport()
        let dropping = Self.slack(transport: quiet, windows: [ended], policy: .drop)
        let second = Task { await dropping.run() }
        await dropping.submit([Self.event(3, severity: .critical, window: "deploy")])
        try await Task.sleep(for: .milliseconds(400))
        second.cancel()
        _ = await second.result
        #expect(quiet.requests.isEmpty)
    }

    @Test("webhook: the drift event JSON with custom headers; 5xx retried; the URL never appears in health")
    func webhook() async throws {
        let transport = RecordingTransport(statuses: [502, 200])
        var config = WebhookConfig(url: Secret("http://127.0.0.1:1/hook/secret-path"))
        config.headers = ["X-Team": Secret("infra")]
        let sink = NotificationSink(
            kind: .webhook(config), transport: transport, windows: [], maintenancePolicy: .summary, metrics: DetectorMetrics(),
            logger: ServerFixtures.logger)
        let runner = Task { await sink.run() }
        await sink.submit([Self.event(7, severity: .medium)])
        await Self.waitUntil { transport.requests.count == 2 }
        runner.cancel()
        _ = await runner.result
        #expect(transport.requests.count == 2)
        #expect(transport.requests.last?.header("X-Team") == "infra")
        #expect(transport.bodies.last?["resource_id"] as? String == "sg-7")
        #expect(transport.bodies.last?["drift_type"] as? String == "modified")
        #expect(!(await sink.health().detail.contains("secret-path")))
    }
}
