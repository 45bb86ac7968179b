/// Keeps drift events in memory: the doctor's sample run, and tests.
public actor CollectingSink: DriftSink {
    public nonisolated let name: String
    public private(set) var events: [DriftEvent] = []
    nonisolated let loop = DeliveryLoop()

    public init(name: String = "memory") { self.name = name }

    public func submit(_ events: [DriftEvent]) { self.events += events }
    public func run() async { await loop.waitForFinish() }
    public nonisolated func finish() { loop.finish() }

    public func health() -> SinkHealth {
        SinkHealth(name: name, healthy: true, detail: "\(events.count) events", accepted: events.count, delivered: events.count)
    }
}
