import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why something the detector keeps on disk could not be written or read: which store, which file, why.
public struct DurabilityError: Error, CustomStringConvertible, Sendable {
    /// "ingest journal", "Loki spool", "drift log".
    public let store: String
    public let path: String
    public let reason: String

    public init(_ store: String, path: String, reason: String) {
        self.store = store
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(store) \(path): \(reason)" }

    static func errno(_ store: String, _ path: String, _ doing: String? = nil) -> DurabilityError {
        let text = String(cString: strerror(Glibc.errno))
        return DurabilityError(store, path: path, reason: doing.map { "\($0) (\(text))" } ?? text)
    }
}

/// A file written only at its end — the one primitive under the ingest journal's segments, the Loki
/// spool and the drift log. Each append is written whole (retried on EINTR and short writes) or not
/// at all (a failed append is cut off again, so a reader never meets half of one); syncing is the
/// caller's choice, since each store has its own durability contract.
struct AppendOnlyFile: Sendable {
    let store: String
    let path: String
    let descriptor: Int32
    private(set) var size: Int

    init(_ store: String, path: String, mode: mode_t = 0o600) throws(DurabilityError) {
        self.store = store
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw DurabilityError(
                    store, path: directory, reason: "cannot create the directory (\(error.localizedDescription))")
            }
        }
        descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .errno(store, path) }
        size = max(0, Int(lseek(descriptor, 0, SEEK_END)))
    }

    /// Writes `bytes` at the end, whole.
    mutating func append(_ bytes: [UInt8]) throws(DurabilityError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                let failure = DurabilityError.errno(store, path, "cannot write")
                _ = ftruncate(descriptor, off_t(size))
                throw failure
            }
            written += result
        }
        size += written
    }

    /// Data (and, with `metadata`, the file's size and times) on the disk.
    func sync(metadata: Bool = false) throws(DurabilityError) {
        guard (metadata ? fsync(descriptor) : fdatasync(descriptor)) == 0 else { throw .errno(store, path, "cannot sync") }
    }

    /// Up to `count` bytes from `offset`.
    func read(at offset: Int, count: Int) throws(DurabilityError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        guard got >= 0 else { throw .errno(store, path, "cannot read") }
        return Array(buffer.prefix(got))
    }

    mutating func truncate(to length: Int = 0) throws(DurabilityError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw .errno(store, path, "cannot truncate") }
        size = length
    }

    func close() { _ = Glibc.close(descriptor) }
}
