import Detector
import ServiceLifecycle

/// Runs a sink's delivery loop as a service: on graceful shutdown the sink is asked to finish, and
/// the service returns once it has delivered (or spooled) what it holds.
public struct SinkService: Service {
    public let sink: any DriftSink

    public init(sink: any DriftSink) { self.sink = sink }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await sink.run()
        } onGracefulShutdown: {
            sink.finish()
        }
    }
}
