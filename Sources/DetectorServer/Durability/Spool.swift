import Foundation

/// An append-only on-disk queue: entries are written (and synced) before they count as accepted, and
/// a separate offset file records how far delivery got. After an outage or a restart, delivery resumes
/// from the offset, in order. When everything is delivered the data file is emptied.
public final class Spool {
    public let directory: String
    let offsetPath: String
    let maxBytes: Int
    var file: AppendOnlyFile
    public private(set) var delivered: Int

    public struct Full: Error, CustomStringConvertible {
        public let maxBytes: Int
        public var description: String {
            "spool is full (\(maxBytes >> 20) MiB); new entries are dropped until the downstream recovers"
        }
    }

    public init(directory: String, maxBytes: Int) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        offsetPath = (directory as NSString).appendingPathComponent("spool.offset")
        file = try AppendOnlyFile("Loki spool", path: (directory as NSString).appendingPathComponent("spool.jsonl"))
        let saved =
            (try? String(contentsOfFile: offsetPath, encoding: .utf8)).flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            } ?? 0
        delivered = min(max(saved, 0), file.size)
        // A crash between append and sync can leave a torn last line; delivery skips it (see `pending`).
    }

    deinit { file.close() }

    public var size: Int { file.size }
    public var pendingBytes: Int { file.size - delivered }

    /// Appends whole lines and syncs them to disk.
    public func append(_ lines: [String]) throws {
        guard !lines.isEmpty else { return }
        var bytes: [UInt8] = []
        for line in lines {
            bytes.append(contentsOf: line.utf8)
            bytes.append(0x0A)
        }
        guard file.size + bytes.count <= maxBytes else { throw Full(maxBytes: maxBytes) }
        try file.append(bytes)
        try file.sync()
    }

    /// Up to `limit` undelivered lines, in order, with the offset just after the last one.
    public func pending(limit: Int) throws -> (lines: [String], end: Int) {
        guard delivered < file.size else { return ([], delivered) }
        let buffer = try file.read(at: delivered, count: min(file.size - delivered, 4 << 20))
        var lines: [String] = []
        var start = 0
        var end = delivered
        for index in buffer.indices where buffer[index] == 0x0A {
            lines.append(String(decoding: buffer[start..<index], as: UTF8.self))
            start = index + 1
            end = delivered + start
            if lines.count == limit { break }
        }
        return (lines, end)
    }

    /// Records delivery up to `offset`; empties the spool once everything is delivered.
    public func markDelivered(upTo offset: Int) throws {
        delivered = min(offset, file.size)
        if delivered == file.size {
            try file.truncate()
            delivered = 0
        }
        try AtomicFile.write(Array(String(delivered).utf8), to: offsetPath)
    }
}
