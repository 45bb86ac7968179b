import Detector
import Foundation
import Logging
import Synchronization
import TfdriftCore

/// `tfdriftctl replay`: the detector over CloudTrail logs on disk, with the configured states. Drift
/// events go to the sink the caller renders with; the result holds the engine's accounting. A replay
/// that could not read an input (unless partial results are allowed) or read no record at all is a
/// failure: a drift gate that checked nothing must not pass.
public enum ReplayJob {
    public struct Options: Sendable {
        public var paths: [String]
        public var since: Date?
        public var until: Date?
        public var allowPartial = false
        /// Decoding workers; the result does not depend on it.
        public var jobs = ProcessInfo.processInfo.activeProcessorCount
        /// Calls are applied in `eventTime` order across inputs as far as this window: a trail's files
        /// overlap in time, and a revert must come after the change it undoes.
        public var reorderWindow: Double = 3600
        /// Called with what became of each mutating record (`--explain`).
        public var explain: (@Sendable ([Explanation]) async -> Void)?
        public init(paths: [String]) { self.paths = paths }
    }

    public struct Result: Sendable {
        public var summary: DetectionSummary
        /// The first malformed inputs (all are counted in the summary) and every unreadable one.
        public var malformed: [MalformedInput]
        public var unreadable: [MalformedInput]
        public var states: [StateLoader.Loaded]
        public var seconds: Double
        /// Set when the replay must exit 1 although it ran.
        public var failure: AppError?
    }

    public typealias Progress = @Sendable (FileProgress, DetectionSummary) async -> Void

    public static func run(
        config: TfdriftConfig, options: Options, sink: any DriftSink, progress: Progress? = nil, logger: Logger
    ) async throws -> Result {
        let inputs = options.paths.isEmpty ? config.cloudTrail.logPaths : options.paths
        guard !inputs.isEmpty else { throw AppError.nothingToReplay }
        let started = ContinuousClock.now
        let setup = try await DetectorSetup.loading(config, logger: logger)
        var evaluator = DriftEvaluator(catalog: setup.catalog, index: setup.index, config: config)
        evaluator.since = options.since
        evaluator.until = options.until
        evaluator.explains = options.explain != nil
        let collector = ProblemCollector()
        let engine = DetectionEngine(
            evaluator: evaluator, sinks: [sink], observer: collector, reorderWindow: options.reorderWindow)
        var pipeline = ChunkPipeline.Options()
        pipeline.jobs = max(1, options.jobs)
        pipeline.maxInflatedBytes = config.cloudTrail.maxInflatedBytes
        var triage = RecordTriage(catalog: setup.catalog, config: config)
        triage.since = options.since
        triage.until = options.until
        pipeline.triage = triage
        // Local paths and s3:// trails, read by one pipeline.
        let local = inputs.filter { !$0.hasPrefix("s3://") }
        var (pipelineInputs, skipped) = try FileSource.inputs(local)
        for url in inputs where url.hasPrefix("s3://") {
            guard let trail = S3Trail(url: url) else { throw AppError.badTrailURL(url) }
            let aws = try AWSContext(logger: logger)
            pipelineInputs += try await aws.replayInputs(trail, config: config, since: options.since, until: options.until)
        }
        if !skipped.isEmpty { await engine.process(RecordBatch(source: "file", skips: skipped)) }
        collector.inputs(pipelineInputs.count)
        try await ChunkPipeline(options: pipeline, source: "file").run(pipelineInputs, into: engine) { file in
            await progress?(file, await engine.summary)
        }
        await engine.finishInput()
        if let explain = options.explain { await explain(collector.takeExplanations()) }
        sink.finish()
        try await sink.run()
        let summary = await engine.summary
        let problems = collector.problems
        var result = Result(
            summary: summary, malformed: problems.malformed, unreadable: problems.unreadable, states: setup.loaded,
            seconds: started.duration(to: .now).seconds)
        if !problems.unreadable.isEmpty, !options.allowPartial {
            result.failure = .unreadableInputs(problems.unreadable, total: problems.inputs)
        } else if summary.records == 0 {
            result.failure = .replayReadNothing(inputs: problems.inputs, malformed: summary.malformed)
        }
        return result
    }
}

/// Keeps what a replay reports about its inputs: the first malformed ones, every unreadable one.
final class ProblemCollector: EngineObserver {
    struct Problems {
        var malformed: [MalformedInput] = []
        var unreadable: [MalformedInput] = []
        var inputs = 0
        var explanations: [Explanation] = []
    }

    private let state = Mutex(Problems())
    var problems: Problems { state.withLock { $0 } }

    func inputs(_ total: Int) { state.withLock { $0.inputs = total } }

    func processed(_ report: BatchReport) {
        state.withLock { problems in
            problems.malformed += report.malformedSamples.prefix(max(0, RecordBatch.malformedKept - problems.malformed.count))
            problems.unreadable += report.unreadable
            problems.explanations += report.explanations
        }
    }

    /// Explanations in the order the records were judged (a replay's are few: mutating records only).
    func takeExplanations() -> [Explanation] {
        state.withLock { problems in
            defer { problems.explanations = [] }
            return problems.explanations
        }
    }

    func resolved(_ events: [DriftEvent], openDrifts: Int) {}
}
