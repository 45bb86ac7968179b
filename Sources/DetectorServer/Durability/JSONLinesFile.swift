import Foundation

/// Drift events as JSON lines to a file, rotated by size (`tfdrift.log` → `tfdrift.log.1` …), the
/// shape Promtail/Alloy tail. Each line is one whole append, so a tailer never sees half of one.
public final class JSONLinesFile {
    public let path: String
    let maxBytes: Int
    let maxFiles: Int
    var file: AppendOnlyFile

    public init(path: String, maxBytes: Int, maxFiles: Int) throws {
        self.path = path
        self.maxBytes = maxBytes
        self.maxFiles = maxFiles
        file = try AppendOnlyFile("drift log", path: path, mode: 0o644)
    }

    deinit { file.close() }

    public func write(_ line: String) throws {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        if file.size > 0, file.size + bytes.count > maxBytes { try rotate() }
        try file.append(bytes)
    }

    func rotate() throws {
        file.close()
        let manager = FileManager.default
        try? manager.removeItem(atPath: "\(path).\(maxFiles)")
        if maxFiles > 1 {
            for generation in stride(from: maxFiles - 1, through: 1, by: -1)
            where manager.fileExists(atPath: "\(path).\(generation)") {
                try? manager.moveItem(atPath: "\(path).\(generation)", toPath: "\(path).\(generation + 1)")
            }
        }
        try? manager.moveItem(atPath: path, toPath: "\(path).1")
        file = try AppendOnlyFile("drift log", path: path, mode: 0o644)
    }
}
