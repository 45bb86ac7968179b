/// Where records come from: files and directories, an S3 trail bucket, HTTP ingest, an SQS queue.
/// A source turns its input into `RecordBatch`es and hands each to the engine, in order; durable
/// acknowledgement (journal offsets, SQS deletes) travels with the batch and comes back from the
/// engine once the batch's drift events are with the sinks.
public protocol RecordSource: Sendable {
    /// The metrics label of the records it yields (`file`, `http`, `sqs`, `s3`).
    var name: String { get }
    /// Feeds `engine` until the input ends (files) or `stop()` is called (live sources).
    func run(into engine: DetectionEngine) async throws
    /// Stop taking new input; `run` hands over what it already accepted, then returns.
    func stop()
    /// Whether `run` returns on its own when the input is exhausted (files), rather than at `stop()`.
    var isFinite: Bool { get }
}

extension RecordSource {
    public func stop() {}
    public var isFinite: Bool { false }
}
