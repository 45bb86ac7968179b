import Foundation
import TfdriftCore

/// CloudTrail logs on disk — files, directories in the S3 key layout, `.json`/`.json.gz`, NDJSON — as a
/// record source: `replay`, and `run` with `log_paths`. Each input is read a window at a time
/// (`RecordSplitter`), so no input is held whole; the windows are decoded (and triaged) on every core
/// and handed to the engine in input order, so the result does not depend on `jobs`.
public struct FileSource: RecordSource {
    public let name = "file"
    public let isFinite = true
    public let paths: [String]
    public var options: ChunkPipeline.Options
    let progress: (@Sendable (FileProgress) async -> Void)?

    public init(
        paths: [String], options: ChunkPipeline.Options = ChunkPipeline.Options(),
        progress: (@Sendable (FileProgress) async -> Void)? = nil
    ) {
        self.paths = paths
        self.options = options
        self.progress = progress
    }

    /// A path the user named does not exist.
    public struct MissingInput: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path): no such file or directory" }
    }

    public func run(into engine: DetectionEngine) async throws {
        let (inputs, skipped) = try Self.inputs(paths)
        if !skipped.isEmpty { await engine.process(RecordBatch(source: name, skips: skipped)) }
        try await ChunkPipeline(options: options, source: name).run(inputs, into: engine, progress: progress)
    }

    /// The log files under `paths` as pipeline inputs, and what the listing skipped (digests, …).
    public static func inputs(_ paths: [String]) throws -> ([ChunkPipeline.Input], [InputSkip: Int]) {
        let listing = InputFiles.list(paths)
        if let missing = listing.missing.first { throw MissingInput(path: missing) }
        let inputs = listing.files.map { file in
            ChunkPipeline.Input(
                name: file, size: InputFiles.size(of: file),
                reading: .streamed { options in
                    try RecordSplitter.file(
                        file, window: options.window, maxUnit: options.maxRecordBytes, maxInflated: options.maxInflatedBytes)
                })
        }
        return (inputs, listing.skipped)
    }
}

/// How far a file source got: inputs done, and bytes read of all of them.
public struct FileProgress: Sendable {
    public var done: Int
    public var total: Int
    public var bytes: Int
    public var totalBytes: Int
    public var file: String
}

/// Inputs → windows cut at record boundaries → decoded and triaged in parallel → the engine, in order.
/// Memory is bounded by the windows in flight (a few per core), whatever the inputs' sizes.
public struct ChunkPipeline: Sendable {
    public struct Options: Sendable {
        /// Decoding workers (`--jobs`); the engine applies their batches one at a time, in input order.
        public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
        /// Bytes read at a time from each input.
        public var window: Int = 1 << 20
        /// A record larger than this is malformed (and skipped), not a reason to hold gigabytes.
        public var maxRecordBytes: Int = 64 << 20
        /// A gzip input that inflates past this is an error naming it (a decompression bomb).
        public var maxInflatedBytes: Int = 4 << 30
        /// Triages records in the workers (the engine gets verdicts with the records).
        public var triage: RecordTriage?
        public init() {}
    }

    /// One input: its name, its size for progress, and how it is read.
    public struct Input: Sendable {
        public enum Reading: Sendable {
            /// Window by window, in order (a local file of any size).
            case streamed(@Sendable (Options) throws -> RecordSplitter)
            /// Fetched and decoded whole by a worker, several at once (an S3 object: trail files are small,
            /// and the network's latency overlaps).
            case fetched(@Sendable (Options) async throws -> RecordSplitter)
        }

        public var name: String
        public var size: Int
        public var reading: Reading

        public init(name: String, size: Int, reading: Reading) {
            self.name = name
            self.size = size
            self.reading = reading
        }
    }

    let options: Options
    let source: String

    public init(options: Options, source: String) {
        self.options = options
        self.source = source
    }

    /// What a decoded window becomes, with where it leaves the progress.
    struct Decoded: Sendable {
        var batch: RecordBatch
        var input: Int
        var bytes: Int
        var lastOfInput: Bool
    }

    public func run(
        _ inputs: [Input], into engine: DetectionEngine, progress: (@Sendable (FileProgress) async -> Void)? = nil
    ) async throws {
        let totalBytes = inputs.reduce(0) { $0 + $1.size }
        let inFlightLimit = max(2, 2 * options.jobs)
        try await withThrowingTaskGroup(of: (Int, Decoded).self) { group in
            var issued = 0
            var nextToDeliver = 0
            var running = 0
            var ready: [Int: Decoded] = [:]
            var bytesBefore = 0
            var done = 0

            func deliverReady() async {
                while let decoded = ready.removeValue(forKey: nextToDeliver) {
                    await engine.process(decoded.batch)
                    nextToDeliver += 1
                    if decoded.lastOfInput { done += 1 }
                    await progress?(
                        FileProgress(
                            done: done, total: inputs.count, bytes: decoded.bytes, totalBytes: totalBytes,
                            file: inputs[decoded.input].name))
                }
            }
            func collectOne() async throws {
                guard let (sequence, decoded) = try await group.next() else { return }
                running -= 1
                ready[sequence] = decoded
                await deliverReady()
            }
            /// Queues a result that needs no decoding (an unreadable input) in its place in the order.
            func place(_ decoded: Decoded) async {
                ready[issued] = decoded
                issued += 1
                await deliverReady()
            }

            for (number, input) in inputs.enumerated() {
                let open: @Sendable (Options) throws -> RecordSplitter
                switch input.reading {
                case .fetched(let fetch):
                    while running >= inFlightLimit { try await collectOne() }
                    let sequence = issued
                    issued += 1
                    running += 1
                    bytesBefore += input.size
                    let decoded = Decoded(
                        batch: RecordBatch(source: source), input: number, bytes: bytesBefore, lastOfInput: true)
                    let pipeline = self
                    group.addTask {
                        var result = decoded
                        do {
                            let splitter = try await fetch(pipeline.options)
                            while let chunk = try splitter.next() { result.batch.append(chunk) }
                            if let triage = pipeline.options.triage {
                                result.batch.verdicts = result.batch.records.map(triage.triage)
                            }
                        } catch {
                            // Records before the break stay; the input is reported unreadable.
                            result.batch.noteUnreadable(pipeline.problem(input.name, error))
                        }
                        return (sequence, result)
                    }
                    continue
                case .streamed(let opener): open = opener
                }
                let splitter: RecordSplitter
                do {
                    splitter = try open(options)
                } catch {
                    bytesBefore += input.size
                    await place(
                        Decoded(batch: unreadable(input.name, error), input: number, bytes: bytesBefore, lastOfInput: true))
                    continue
                }
                var pending: InputChunk?
                do {
                    pending = try splitter.next()
                    if pending == nil {
                        // An empty input: nothing to decode, but it is done.
                        await place(
                            Decoded(
                                batch: RecordBatch(source: source), input: number, bytes: bytesBefore + input.size,
                                lastOfInput: true))
                    }
                    while let chunk = pending {
                        let following = try splitter.next()
                        while running >= inFlightLimit { try await collectOne() }
                        let sequence = issued
                        issued += 1
                        let triage = options.triage
                        let source = self.source
                        let decoded = Decoded(
                            batch: RecordBatch(source: source), input: number, bytes: bytesBefore + chunk.inputOffset,
                            lastOfInput: following == nil)
                        running += 1
                        group.addTask {
                            var result = decoded
                            result.batch.append(chunk)
                            if let triage { result.batch.verdicts = result.batch.records.map(triage.triage) }
                            return (sequence, result)
                        }
                        pending = following
                    }
                } catch {
                    // Records before the break stay; the input is reported unreadable from there on.
                    await place(
                        Decoded(batch: unreadable(input.name, error), input: number, bytes: bytesBefore, lastOfInput: true))
                }
                bytesBefore += input.size
            }
            while running > 0 { try await collectOne() }
        }
    }

    func unreadable(_ name: String, _ error: any Error) -> RecordBatch {
        var batch = RecordBatch(source: source)
        batch.noteUnreadable(problem(name, error))
        return batch
    }

    func problem(_ name: String, _ error: any Error) -> MalformedInput {
        let reason = (error as? InputReadError)?.reason ?? (error as? InputFiles.ReadError)?.reason ?? "\(error)"
        return MalformedInput(location: InputLocation(file: name), reason: "unreadable: \(reason)")
    }
}
