import Foundation
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Drift events as JSON lines to a file, rotated by size (`tfdrift.log` → `tfdrift.log.1` …), the
/// shape Promtail/Alloy tail. Lines are written whole with one `write(2)` so a tailer never sees half.
public final class JSONLinesFile {
    public let path: String
    let maxBytes: Int
    let maxFiles: Int
    var descriptor: Int32
    var size: Int

    public struct OpenError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot open the drift log \(path): \(reason)" }
    }

    public init(path: String, maxBytes: Int, maxFiles: Int) throws {
        self.path = path
        self.maxBytes = maxBytes
        self.maxFiles = maxFiles
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        size = max(0, Int(lseek(descriptor, 0, SEEK_END)))
    }

    deinit { close(descriptor) }

    public func write(_ line: String) throws {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        if size > 0, size + bytes.count > maxBytes { try rotate() }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw OpenError(path: path, reason: "short write: \(String(cString: strerror(errno)))")
        }
        size += written
    }

    func rotate() throws {
        close(descriptor)
        let manager = FileManager.default
        try? manager.removeItem(atPath: "\(path).\(maxFiles)")
        if maxFiles > 1 {
            for generation in stride(from: maxFiles - 1, through: 1, by: -1)
            where manager.fileExists(atPath: "\(path).\(generation)") {
                try? manager.moveItem(atPath: "\(path).\(generation)", toPath: "\(path).\(generation + 1)")
            }
        }
        try? manager.moveItem(atPath: path, toPath: "\(path).1")
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        size = 0
    }
}
