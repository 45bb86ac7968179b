import Detector
import Foundation
import Logging
import ServiceLifecycle
import TfdriftCore

/// Where `run` keeps the live picture between processes, so that a revert after a deploy is still
/// recognised as one and a hand-made user's deletion still resolves its creation.
public struct PictureStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The picture an earlier process saved; nil when there is none. A file that does not read is moved
    /// aside (`.unreadable`) and the detector starts afresh, saying so: a wrong picture is worse than none.
    public func load(capacity: Int, logger: Logger) -> LivePicture? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return try LivePicture.reading(text, capacity: capacity, file: path)
        } catch {
            let aside = path + ".unreadable"
            try? FileManager.default.removeItem(atPath: aside)
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            logger.error(
                "the saved live picture does not read; starting without it",
                metadata: ["file": "\(path)", "moved_to": "\(aside)", "error": "\(error)"])
            return nil
        }
    }

    /// Writes the picture line by line: at its cap (50,000 resources, ~100 MB of JSON) it is never held
    /// whole as text, so saving does not double the detector's memory every ten seconds.
    public func save(_ picture: LivePicture) throws {
        try AtomicFile.write(to: path) { output in
            try picture.forEachLine { line in
                try output.append(line.utf8)
                try output.append(CollectionOfOne(0x0A))
            }
        }
    }
}

/// Saves the engine's live picture every `interval` when it changed, and once more at shutdown, after
/// the sources have drained (it sits before them in the service group).
public struct PictureService: Service {
    let store: PictureStore
    let engine: DetectionEngine
    let interval: Duration
    let logger: Logger

    public init(store: PictureStore, engine: DetectionEngine, interval: Duration = .seconds(10), logger: Logger) {
        self.store = store
        self.engine = engine
        self.interval = interval
        self.logger = logger
    }

    public func run() async {
        var saved = -1
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            saved = await save(unless: saved)
        }
        _ = await save(unless: saved)
    }

    /// Saves unless the picture is still at generation `saved`; returns the generation now on disk.
    func save(unless saved: Int) async -> Int {
        let picture = await engine.picture
        guard picture.generation != saved else { return saved }
        do {
            try store.save(picture)
            return picture.generation
        } catch {
            logger.error("cannot save the live picture", metadata: ["file": "\(store.path)", "error": "\(error)"])
            return saved
        }
    }
}
