import Foundation

/// Where drift events go (stdout, a file, Loki, Slack, webhooks): the domain's port, with no server
/// framework in its signature (DetectorServer runs each sink as a service).
///
/// `submit` must return quickly — written, spooled or buffered — so a slow or dead downstream never
/// holds up detection or the other sinks. `run` is the sink's own delivery loop; it returns once
/// `finish()` was called and everything submitted is delivered, spooled for the next start, or given up.
public protocol DriftSink: Sendable {
    var name: String { get }
    func submit(_ events: [DriftEvent]) async
    func run() async throws
    /// Asks `run` to deliver what it holds and return. Callable from any context, any number of times.
    func finish()
    func health() async -> SinkHealth
}

/// A sink's health and delivery record, for `/readyz`, metrics and the end of a one-shot run.
public struct SinkHealth: Sendable {
    public var name: String
    public var healthy: Bool
    public var detail: String
    public var queueDepth: Int
    public var spoolBytes: Int?
    /// Events handed to the sink, delivered downstream, and given up (refused, dropped).
    public var accepted: Int
    public var delivered: Int
    public var failed: Int
    /// Delivery failed for a reason retrying cannot fix (wrong credentials, a refused URL).
    public var permanentFailure: String?

    public init(
        name: String, healthy: Bool, detail: String, queueDepth: Int = 0, spoolBytes: Int? = nil, accepted: Int = 0,
        delivered: Int = 0, failed: Int = 0, permanentFailure: String? = nil
    ) {
        self.name = name
        self.healthy = healthy
        self.detail = detail
        self.queueDepth = queueDepth
        self.spoolBytes = spoolBytes
        self.accepted = accepted
        self.delivered = delivered
        self.failed = failed
        self.permanentFailure = permanentFailure
    }
}
