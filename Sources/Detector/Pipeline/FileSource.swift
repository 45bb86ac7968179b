import Foundation
import TfdriftCore

/// CloudTrail logs on disk — files, directories in the S3 key layout, `.json`/`.json.gz`, NDJSON — as a
/// record source: `replay`, and `run` with `log_paths`. Files go to the engine one batch each, in
/// the order `InputFiles` lists them; a file that cannot be read is reported in its batch and the
/// rest go on.
public struct FileSource: RecordSource {
    public let name = "file"
    public let isFinite = true
    public let paths: [String]
    let progress: (@Sendable (FileProgress) async -> Void)?

    public init(paths: [String], progress: (@Sendable (FileProgress) async -> Void)? = nil) {
        self.paths = paths
        self.progress = progress
    }

    /// A path the user named does not exist.
    public struct MissingInput: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path): no such file or directory" }
    }

    public func run(into engine: DetectionEngine) async throws {
        let listing = InputFiles.list(paths)
        if let missing = listing.missing.first { throw MissingInput(path: missing) }
        if !listing.skipped.isEmpty { await engine.process(RecordBatch(source: name, skips: listing.skipped)) }
        for (number, file) in listing.files.enumerated() {
            var batch = RecordBatch(source: name)
            do {
                batch.append(decoding: try InputFiles.read(file), name: file)
            } catch {
                let reason = (error as? InputFiles.ReadError)?.reason ?? "\(error)"
                batch.noteUnreadable(MalformedInput(location: InputLocation(file: file), reason: "unreadable: \(reason)"))
            }
            await engine.process(batch)
            await progress?(FileProgress(done: number + 1, total: listing.files.count, file: file))
        }
    }
}

/// How far a file source got.
public struct FileProgress: Sendable {
    public var done: Int
    public var total: Int
    public var file: String
}
