import Detector
import Foundation
import Logging
import TfdriftCore

/// Drift events as JSON lines on stdout (the Promtail/Alloy or `kubectl logs` path).
public actor StdoutSink: DriftSink {
    public nonisolated let name = "stdout"
    nonisolated let loop = DeliveryLoop()
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

    public func run() async { await loop.waitForFinish() }
    public nonisolated func finish() { loop.finish() }

    public func health() -> SinkHealth {
        SinkHealth(
            name: name, healthy: true, detail: "\(written) events written", accepted: written, delivered: written)
    }
}

/// Drift events as JSON lines in a size-rotated file (Promtail/Alloy tail it).
public actor FileSink: DriftSink {
    public nonisolated let name = "file"
    nonisolated let loop = DeliveryLoop()
    let file: JSONLinesFile
    let metrics: DetectorMetrics
    let logger: Logger
    var lastError: String?
    var accepted = 0
    var written = 0

    public init(path: String, maxBytes: Int, maxFiles: Int, metrics: DetectorMetrics, logger: Logger) throws {
        file = try JSONLinesFile(path: path, maxBytes: maxBytes, maxFiles: maxFiles)
        self.metrics = metrics
        self.logger = logger
    }

    public func submit(_ events: [DriftEvent]) {
        accepted += events.count
        for event in events {
            do {
                try file.write(event.jsonLine())
                written += 1
                lastError = nil
            } catch {
                lastError = "\(error)"
                metrics.sinkFailure(name)
                logger.error("cannot write the drift log", metadata: ["error": "\(error)"])
            }
        }
    }

    public func run() async { await loop.waitForFinish() }
    public nonisolated func finish() { loop.finish() }

    public func health() -> SinkHealth {
        SinkHealth(
            name: name, healthy: lastError == nil, detail: lastError ?? "writing \(file.path)", accepted: accepted,
            delivered: written, failed: accepted - written)
    }
}
