import Detector
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TfdriftCore

/// HTTP ingest as a record source: batches the routes accepted into the queue (journaled first) go to
/// the engine in order; each is acknowledged — the journal may forget it — once its drift events are
/// with the sinks. `stop` closes the queue: what was accepted is still processed, then `run` returns.
public struct HTTPIngestSource: RecordSource {
    public let name = "http"
    let queue: IngestQueue

    public init(queue: IngestQueue) { self.queue = queue }

    public func run(into engine: DetectionEngine) async {
        for await batch in queue.stream {
            await engine.process(batch)
        }
    }

    public func stop() { queue.close() }
}

/// Runs a record source as a service: on graceful shutdown the source stops taking input and hands
/// over what it holds. A finite source (files) can end the group when it is done.
public struct SourceService: Service {
    let source: any RecordSource
    let engine: DetectionEngine
    let logger: Logger

    public init(source: any RecordSource, engine: DetectionEngine, logger: Logger) {
        self.source = source
        self.engine = engine
        self.logger = logger
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await source.run(into: engine)
        } onGracefulShutdown: {
            source.stop()
        }
        logger.debug("source drained", metadata: ["source": "\(source.name)"])
    }
}
