import Detector
import Foundation
import Logging
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Loads the configured states off the detection path, notices when they change, and keeps the last
/// good index when a reload fails (seed 1.5).
public actor StateStore {
    public typealias Loader = @Sendable ([StateSourceConfig]) async throws -> [StateLoader.Loaded]

    let sources: [StateSourceConfig]
    let loader: Loader
    let metrics: DetectorMetrics
    let logger: Logger
    public private(set) var current: StateIndex?
    public private(set) var lastSuccess: Date?
    public private(set) var lastError: String?
    var fingerprints: [String: Fingerprint] = [:]

    struct Fingerprint: Equatable {
        var modified: Double
        var size: Int
        var contentHash: UInt64
    }

    public struct LoadedSummary: Sendable {
        public var name: String
        public var serial: Int?
        public var resources: Int
        public var seconds: Double
    }

    public enum ReloadOutcome: Sendable {
        case reloaded([LoadedSummary], resolved: Int)
        case unchanged
        case failed(String)
    }

    /// For remote states (S3): whether the object changed (ETag) since the last load.
    public typealias RemoteCheck = @Sendable () async -> Bool
    let remoteChanged: RemoteCheck

    public init(
        sources: [StateSourceConfig], metrics: DetectorMetrics, logger: Logger, loader: @escaping Loader = StateStore.localLoader,
        remoteChanged: @escaping RemoteCheck = { false }
    ) {
        self.remoteChanged = remoteChanged
        self.sources = sources
        self.metrics = metrics
        self.logger = logger
        self.loader = loader
    }

    /// Local files and globs; S3 states are loaded by the AWS layer's loader.
    public static let localLoader: Loader = { sources in
        try sources.flatMap { source -> [StateLoader.Loaded] in
            guard source.backend == .local else {
                throw StateLoadError(
                    origin: source.name,
                    message: "S3-backed states need the AWS client, which this build does not wire into `run` yet")
            }
            return try StateLoader.loadLocal(source)
        }
    }

    /// Loads every state; on success replaces the index. On failure the previous index stays.
    public func load() async -> Result<[LoadedSummary], StateLoadError> {
        do {
            let loaded = try await loader(sources)
            let index = StateIndex(states: loaded.map(\.state))
            current = index
            lastSuccess = Date()
            lastError = nil
            fingerprints = Self.fingerprints(of: sources)
            let now = Date().timeIntervalSince1970
            for item in loaded {
                metrics.stateLoaded(state: item.state.name, resources: item.state.instances.count, seconds: item.seconds, at: now)
            }
            return .success(
                loaded.map {
                    LoadedSummary(
                        name: $0.state.name, serial: $0.state.serial, resources: $0.state.instances.count, seconds: $0.seconds)
                })
        } catch {
            let problem = (error as? StateLoadError) ?? StateLoadError(origin: "states", message: "\(error)")
            lastError = problem.description
            for source in sources { metrics.stateReloadFailed(state: source.name) }
            logger.error("state reload failed; keeping the last good state", metadata: ["error": "\(problem)"])
            return .failure(problem)
        }
    }

    /// Whether a remote (S3) state changed since the last successful load.
    public func changedRemotely() async -> Bool { await remoteChanged() }

    /// Whether any local state file changed since the last successful load. `stat` first; files whose
    /// mtime or size moved are hashed, so a `touch` is not a reload.
    public func changedOnDisk() -> Bool {
        let stats = Self.stats(of: sources)
        if Set(stats.keys) != Set(fingerprints.keys) { return true }
        var changed = false
        for (path, stat) in stats {
            guard let known = fingerprints[path], known.modified != stat.modified || known.size != stat.size else { continue }
            let contentHash = Self.hash(path)
            if contentHash != known.contentHash { changed = true }
            fingerprints[path] = Fingerprint(modified: stat.modified, size: stat.size, contentHash: contentHash)
        }
        return changed
    }

    static func stats(of sources: [StateSourceConfig]) -> [String: (modified: Double, size: Int)] {
        var result: [String: (modified: Double, size: Int)] = [:]
        for source in sources where source.backend == .local {
            for path in StateLoader.expand(source.localPath ?? "") {
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                    let modified = attributes[.modificationDate] as? Date, let size = attributes[.size] as? NSNumber
                else { continue }
                result[path] = (modified.timeIntervalSince1970, size.intValue)
            }
        }
        return result
    }

    static func fingerprints(of sources: [StateSourceConfig]) -> [String: Fingerprint] {
        stats(of: sources).reduce(into: [:]) { result, entry in
            result[entry.key] = Fingerprint(modified: entry.value.modified, size: entry.value.size, contentHash: hash(entry.key))
        }
    }

    /// FNV-1a over the file: cheap, and only used to tell "same bytes" from "different bytes".
    static func hash(_ path: String) -> UInt64 {
        guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
        defer { try? handle.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            for byte in chunk {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
        }
        return hash
    }

    public var isLoaded: Bool { current != nil }
}
