import Foundation
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// An append-only on-disk queue: entries are written (and fsync'd) before they count as accepted, and
/// a separate offset file records how far delivery got. After an outage or a restart, delivery resumes
/// from the offset, in order. When everything is delivered the files are truncated.
public final class Spool {
    public let directory: String
    let dataPath: String
    let offsetPath: String
    let maxBytes: Int
    var descriptor: Int32
    public private(set) var size: Int
    public private(set) var delivered: Int

    public struct Full: Error, CustomStringConvertible {
        public let maxBytes: Int
        public var description: String {
            "spool is full (\(maxBytes >> 20) MiB); new entries are dropped until the downstream recovers"
        }
    }

    public struct IOError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "spool \(path): \(reason)" }
    }

    public init(directory: String, maxBytes: Int) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        dataPath = (directory as NSString).appendingPathComponent("spool.jsonl")
        offsetPath = (directory as NSString).appendingPathComponent("spool.offset")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw IOError(path: directory, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        descriptor = open(dataPath, O_RDWR | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else { throw IOError(path: dataPath, reason: String(cString: strerror(errno))) }
        size = max(0, Int(lseek(descriptor, 0, SEEK_END)))
        let saved =
            (try? String(contentsOfFile: offsetPath, encoding: .utf8)).flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            } ?? 0
        delivered = min(max(saved, 0), size)
        // A crash between append and fsync can leave a torn last line; delivery skips it (see `pending`).
    }

    deinit { close(descriptor) }

    public var pendingBytes: Int { size - delivered }

    /// Appends whole lines and syncs them to disk.
    public func append(_ lines: [String]) throws {
        guard !lines.isEmpty else { return }
        var bytes: [UInt8] = []
        for line in lines {
            bytes.append(contentsOf: line.utf8)
            bytes.append(0x0A)
        }
        guard size + bytes.count <= maxBytes else { throw Full(maxBytes: maxBytes) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw IOError(path: dataPath, reason: "short write: \(String(cString: strerror(errno)))")
        }
        fsync(descriptor)
        size += written
    }

    /// Up to `limit` undelivered lines, in order, with the offset just after the last one.
    public func pending(limit: Int) throws -> (lines: [String], end: Int) {
        guard delivered < size else { return ([], delivered) }
        let length = min(size - delivered, 4 << 20)
        var buffer = [UInt8](repeating: 0, count: length)
        let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, off_t(delivered)) }
        guard read > 0 else { throw IOError(path: dataPath, reason: "read failed: \(String(cString: strerror(errno)))") }
        var lines: [String] = []
        var start = 0
        var end = delivered
        for index in 0..<read where buffer[index] == 0x0A {
            lines.append(String(decoding: buffer[start..<index], as: UTF8.self))
            start = index + 1
            end = delivered + start
            if lines.count == limit { break }
        }
        return (lines, end)
    }

    /// Records delivery up to `offset`; truncates the spool once everything is delivered.
    public func markDelivered(upTo offset: Int) throws {
        delivered = min(offset, size)
        if delivered == size {
            guard ftruncate(descriptor, 0) == 0 else { throw IOError(path: dataPath, reason: String(cString: strerror(errno))) }
            size = 0
            delivered = 0
        }
        let text = String(delivered)
        let temporary = offsetPath + ".tmp"
        do {
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            _ = rename(temporary, offsetPath)
        } catch {
            throw IOError(path: offsetPath, reason: "\(error.localizedDescription)")
        }
    }
}
