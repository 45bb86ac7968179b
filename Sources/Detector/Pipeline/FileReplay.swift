import Foundation
import TfdriftCore

/// Runs the evaluator over CloudTrail files on disk: the engine of `replay` and of `run` with file
/// sources. Files are processed one at a time (a trail file is small; memory stays flat).
public struct FileReplay {
    public var evaluator: DriftEvaluator
    public var malformed: [MalformedInput] = []
    /// Keep the first N malformed inputs for the report; all are counted.
    public var malformedKept = 100

    public init(evaluator: DriftEvaluator) { self.evaluator = evaluator }

    /// Processes `paths`; calls `onEvent` for each drift event and `onProgress` after each file.
    public mutating func run(
        paths: [String],
        now: () -> Date = Date.init,
        onEvent: (DriftEvent) -> Void,
        onProgress: (_ done: Int, _ total: Int, _ summary: DetectionSummary) -> Void = { _, _, _ in }
    ) throws {
        let listing = InputFiles.list(paths)
        if let missing = listing.missing.first {
            throw InputFiles.ReadError(path: missing, reason: "no such file or directory")
        }
        for (reason, count) in listing.skipped { evaluator.countInputSkip(reason, count: count) }
        for (number, file) in listing.files.enumerated() {
            process(file: file, now: now, onEvent: onEvent)
            onProgress(number + 1, listing.files.count, evaluator.summary)
        }
    }

    public mutating func process(file: String, now: () -> Date, onEvent: (DriftEvent) -> Void) {
        let bytes: JSONBytes
        do {
            bytes = try InputFiles.read(file)
        } catch {
            record(
                MalformedInput(
                    location: InputLocation(file: file),
                    reason: "unreadable: \((error as? InputFiles.ReadError)?.reason ?? "\(error)")"))
            return
        }
        process(bytes: bytes, name: file, now: now, onEvent: onEvent)
    }

    /// Processes one input already in memory (an HTTP body, an S3 object).
    public mutating func process(bytes: JSONBytes, name: String, now: () -> Date, onEvent: (DriftEvent) -> Void) {
        // The decoder's callbacks cannot capture `inout self`; collect into locals, then fold in.
        var records: [CloudTrailRecord] = []
        var problems: [MalformedInput] = []
        var skips: [InputSkip] = []
        let decoder = RecordDecoder(
            onRecord: { records.append($0) }, onMalformed: { problems.append($0) }, onSkip: { skips.append($0) })
        withExtendedLifetime(decoder) { decoder.decode(bytes, file: name) }
        for problem in problems { record(problem) }
        for skip in skips { evaluator.countInputSkip(skip) }
        let timestamp = now()
        for record in records {
            for event in evaluator.evaluate(record, now: timestamp) { onEvent(event) }
        }
    }

    mutating func record(_ problem: MalformedInput) {
        evaluator.countMalformed()
        if malformed.count < malformedKept { malformed.append(problem) }
    }
}
