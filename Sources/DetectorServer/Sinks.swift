import Detector
import Foundation
import Logging
import ServiceLifecycle
import TfdriftCore

/// Health of one sink, for `/readyz`.
public struct SinkHealth: Sendable {
    public var name: String
    public var healthy: Bool
    public var detail: String
    public var queueDepth: Int
    public var spoolBytes: Int?

    public init(name: String, healthy: Bool, detail: String, queueDepth: Int = 0, spoolBytes: Int? = nil) {
        self.name = name
        self.healthy = healthy
        self.detail = detail
        self.queueDepth = queueDepth
        self.spoolBytes = spoolBytes
    }
}

/// Where drift events go. `submit` must return quickly (buffer, spool or write locally): a slow or
/// dead downstream never blocks detection or the other sinks. `run` is the sink's own delivery loop,
/// owned by the service group; it drains and flushes on graceful shutdown.
public protocol DriftSink: Service {
    var name: String { get }
    func submit(_ events: [DriftEvent]) async
    func health() async -> SinkHealth
}

/// Drift events as JSON lines on stdout (the Promtail/Alloy or `kubectl logs` path).
public actor StdoutSink: DriftSink {
    public nonisolated let name = "stdout"
    var written = 0

    public init() {}

    public func submit(_ events: [DriftEvent]) {
        guard !events.isEmpty else { return }
        var text = ""
        for event in events {
            text += event.jsonLine()
            text += "\n"
        }
        FileHandle.standardOutput.write(Data(text.utf8))
        written += events.count
    }

    public func run() async throws {
        try await gracefulShutdown()
    }

    public func health() -> SinkHealth { SinkHealth(name: name, healthy: true, detail: "\(written) events written") }
}

/// Drift events as JSON lines in a size-rotated file.
public actor FileSink: DriftSink {
    public nonisolated let name = "file"
    let sink: JSONLinesFileSink
    let metrics: DetectorMetrics
    let logger: Logger
    var lastError: String?

    public init(path: String, maxBytes: Int, maxFiles: Int, metrics: DetectorMetrics, logger: Logger) throws {
        sink = try JSONLinesFileSink(path: path, maxBytes: maxBytes, maxFiles: maxFiles)
        self.metrics = metrics
        self.logger = logger
    }

    public func submit(_ events: [DriftEvent]) {
        for event in events {
            do {
                try sink.write(event.jsonLine())
                lastError = nil
            } catch {
                lastError = "\(error)"
                metrics.sinkFailure(name)
                logger.error("cannot write the drift log", metadata: ["error": "\(error)"])
            }
        }
    }

    public func run() async throws {
        try await gracefulShutdown()
    }

    public func health() -> SinkHealth {
        SinkHealth(name: name, healthy: lastError == nil, detail: lastError ?? "writing \(sink.path)")
    }
}
