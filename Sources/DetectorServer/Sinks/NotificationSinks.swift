import Detector
import Foundation
import Logging
import TfdriftCore

/// Slack (incoming webhook, Block Kit) and generic webhook notifications.
///
/// `submit` only filters and buffers. Delivery runs in the sink's own loop: at most `ratePerSecond`
/// messages (Slack allows about one per second per webhook); when more drifts are waiting than that
/// allows, one digest message carries them. Drifts inside a maintenance window are held back: dropped,
/// or summarised in one message when the window ends (`outputs.maintenance_notifications`).
public actor NotificationSink: DriftSink {
    public enum Kind: Sendable {
        case slack(SlackConfig)
        case webhook(WebhookConfig)
    }

    public nonisolated let name: String
    let kind: Kind
    let transport: any HTTPTransport
    let metrics: DetectorMetrics
    let logger: Logger
    let windows: [MaintenanceWindow]
    let maintenancePolicy: MaintenanceNotifications
    let minimumSeverity: Severity
    let interval: Duration
    let capacity = 10_000
    var pending: [DriftEvent] = []
    var held: [String: [DriftEvent]] = [:]
    var dropped = 0
    var sent = 0
    var lastError: String?
    var acceptedEvents = 0
    var deliveredEvents = 0
    var failedEvents = 0
    /// Wakes on new drifts and every second, to notice maintenance windows that ended.
    nonisolated let loop = DeliveryLoop(tick: .seconds(1))
    public init(
        kind: Kind, transport: any HTTPTransport, windows: [MaintenanceWindow], maintenancePolicy: MaintenanceNotifications,
        metrics: DetectorMetrics, logger: Logger
    ) {
        self.kind = kind
        self.transport = transport
        self.windows = windows
        self.maintenancePolicy = maintenancePolicy
        self.metrics = metrics
        self.logger = logger
        switch kind {
        case .slack(let slack):
            name = "slack"
            minimumSeverity = slack.minimumSeverity
            interval = .milliseconds(Int(1000 / max(slack.ratePerSecond, 0.01)))
        case .webhook(let webhook):
            name = "webhook"
            minimumSeverity = webhook.minimumSeverity
            interval = .milliseconds(100)
        }
    }

    public func submit(_ events: [DriftEvent]) {
        for event in events where event.severity >= minimumSeverity || event.action == .resolved {
            if let window = event.maintenanceWindow {
                if maintenancePolicy == .summary { held[window, default: []].append(event) }
                continue
            }
            if pending.count >= capacity {
                dropped += 1
                metrics.sinkDropped(name)
                continue
            }
            pending.append(event)
            acceptedEvents += 1
        }
        metrics.sinkQueueDepth(name, pending.count)
        loop.notify()
    }

    public func run() async {
        await loop.run { await self.step() }
        if !pending.isEmpty {
            logger.warning("notifications not sent at shutdown", metadata: ["sink": "\(name)", "events": "\(pending.count)"])
        }
    }

    public nonisolated func finish() { loop.finish() }

    /// One message: a single drift, or a digest when more wait than the rate allows.
    func step() async -> DeliveryLoop.Step {
        await releaseEndedWindows()
        guard !pending.isEmpty else { return .idle }
        let batch = pending
        pending.removeAll()
        let overflow = dropped
        dropped = 0
        let sentBefore = sent
        if batch.count == 1, overflow == 0 {
            await deliver(message(for: batch[0]))
        } else {
            await deliver(digest(batch, dropped: overflow))
        }
        if sent > sentBefore { deliveredEvents += batch.count } else { failedEvents += batch.count }
        metrics.sinkQueueDepth(name, pending.count)
        return .delivered(pause: interval)
    }

    /// Held drifts of windows that are over become one summary message.
    func releaseEndedWindows() async {
        let now = Date()
        for (windowName, events) in held {
            let stillOpen = windows.first { $0.name == windowName }?.contains(now) ?? false
            guard !stillOpen || loop.isFinishing else { continue }
            held.removeValue(forKey: windowName)
            await deliver(summary(window: windowName, events))
        }
    }

    // MARK: Messages

    func message(for event: DriftEvent) -> JSONValue {
        switch kind {
        case .webhook: return (try? JSONValue.parse(event.jsonLine())) ?? .null
        case .slack(let slack): return SlackMessage.single(event, channel: slack.channel)
        }
    }

    func digest(_ events: [DriftEvent], dropped: Int) -> JSONValue {
        switch kind {
        case .webhook:
            return .object([
                "digest": .array(events.compactMap { try? JSONValue.parse($0.jsonLine()) }), "dropped": .number(String(dropped)),
            ])
        case .slack(let slack):
            return SlackMessage.digest(events, dropped: dropped, channel: slack.channel)
        }
    }

    func summary(window: String, _ events: [DriftEvent]) -> JSONValue {
        switch kind {
        case .webhook:
            return .object([
                "maintenance_window": .string(window),
                "drift_events": .array(events.compactMap { try? JSONValue.parse($0.jsonLine()) }),
            ])
        case .slack(let slack):
            return SlackMessage.digest(
                events, dropped: 0, channel: slack.channel,
                title: "Maintenance window \"\(window)\" ended: \(events.count) drift events during it")
        }
    }

    // MARK: Delivery

    func deliver(_ payload: JSONValue) async {
        let (url, headers): (String, [(name: String, value: String)]) = {
            switch kind {
            case .slack(let slack): return (slack.webhookURL.value, [])
            case .webhook(let webhook): return (webhook.url.value, webhook.headers.map { ($0.key, $0.value.value) })
            }
        }()
        guard let target = URL(string: url) else {
            lastError = "invalid URL"
            return
        }
        var writer = JSONWriter()
        writer.write(payload)
        let request = HTTPRequest(
            method: "POST", url: target, headers: [("Content-Type", "application/json")] + headers, body: writer.bytes,
            timeout: .seconds(10))
        for attempt in 1...3 {
            do {
                let response = try await transport.send(request)
                if (200..<300).contains(response.status) {
                    sent += 1
                    lastError = nil
                    return
                }
                lastError = "HTTP \(response.status)"
                if response.status == 429, let retry = response.header("Retry-After").flatMap(Double.init) {
                    try? await Task.sleep(for: .milliseconds(Int(min(retry, 30) * 1000)))
                    continue
                }
                if (400..<500).contains(response.status) { break }  // a bad request will not get better
            } catch let error as HTTPTransportError {
                // Webhook URLs are secrets: never echo the URL (or its path) into logs or /readyz.
                lastError = "cannot reach \(Redaction.secretURL(url)) (\(error.kind))"
            } catch {
                lastError = "delivery to \(Redaction.secretURL(url)) failed"
            }
            try? await Task.sleep(for: .milliseconds(250 * (1 << attempt)))
        }
        metrics.sinkFailure(name)
        logger.error("notification not delivered", metadata: ["sink": "\(name)", "error": "\(lastError ?? "?")"])
    }

    public func health() -> SinkHealth {
        SinkHealth(
            name: name, healthy: lastError == nil, detail: lastError ?? "\(sent) messages sent", queueDepth: pending.count,
            accepted: acceptedEvents, delivered: deliveredEvents, failed: failedEvents + dropped)
    }
}

/// Slack Block Kit messages for drift events.
enum SlackMessage {
    static let icons: [Severity: String] = [
        .critical: ":rotating_light:", .high: ":red_circle:", .medium: ":large_orange_diamond:", .low: ":white_circle:",
    ]

    static func single(_ event: DriftEvent, channel: String?) -> JSONValue {
        let title = event.action == .resolved ? "Drift resolved" : "Terraform drift: \(event.driftType.rawValue)"
        var fields: [JSONValue] = [
            field("Resource", "`\(event.resourceAddress ?? event.resourceType)`\n\(event.resourceID)"),
            field("Severity", "\(icons[event.severity] ?? "") \(event.severity.rawValue)"),
            field("Changed by", event.changedBy),
            field("Call", "\(event.eventName) (\(event.eventSource))"),
            field("Account / region", "\(event.accountID ?? "?") / \(event.region ?? "?")"),
        ]
        if let window = event.maintenanceWindow { fields.append(field("Maintenance window", window)) }
        var blocks: [JSONValue] = [
            .object(["type": "header", "text": .object(["type": "plain_text", "text": .string(title)])]),
            .object(["type": "section", "text": .object(["type": "mrkdwn", "text": .string(event.message)])]),
            .object(["type": "section", "fields": .array(fields)]),
        ]
        if !event.diff.isEmpty {
            let lines = event.diff.keys.sorted().map { key -> String in
                let change = event.diff[key]!
                return "\(key): \(JSONWriter.encode(change.expected)) → \(JSONWriter.encode(change.actual))"
            }
            blocks.append(
                .object([
                    "type": "section",
                    "text": .object([
                        "type": "mrkdwn", "text": .string("```" + String(lines.joined(separator: "\n").prefix(2800)) + "```"),
                    ]),
                ]))
        }
        var message: [String: JSONValue] = ["text": .string(event.message), "blocks": .array(blocks)]
        if let channel { message["channel"] = .string(channel) }
        return .object(message)
    }

    static func digest(_ events: [DriftEvent], dropped: Int, channel: String?, title: String? = nil) -> JSONValue {
        let counts = Dictionary(grouping: events, by: \.severity).mapValues(\.count)
        let summary = Severity.allCases.reversed().compactMap { severity in counts[severity].map { "\($0) \(severity.rawValue)" }
        }.joined(separator: ", ")
        let heading = title ?? "\(events.count) Terraform drift events (\(summary))"
        let lines = events.prefix(15).map { "\(icons[$0.severity] ?? "") \($0.message)" }
        var text = lines.joined(separator: "\n")
        if events.count > 15 { text += "\n… and \(events.count - 15) more" }
        if dropped > 0 { text += "\n(\(dropped) more were dropped while the queue was full)" }
        var message: [String: JSONValue] = [
            "text": .string(heading),
            "blocks": .array([
                .object([
                    "type": "header", "text": .object(["type": "plain_text", "text": .string(String(heading.prefix(150)))]),
                ]),
                .object(["type": "section", "text": .object(["type": "mrkdwn", "text": .string(String(text.prefix(2900)))])]),
            ]),
        ]
        if let channel { message["channel"] = .string(channel) }
        return .object(message)
    }

    static func field(_ title: String, _ value: String) -> JSONValue {
        .object(["type": "mrkdwn", "text": .string("*\(title)*\n\(value)")])
    }
}
