import Foundation
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Terminal helpers: TTY detection, colours, stderr lines.
enum Console {
    static let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1
    /// Decided once in `main`, before any command runs (`configure`), and only read afterwards.
    nonisolated(unsafe) private(set) static var colours = true

    /// Colours are off with `--no-color`, or when `NO_COLOR` is set to anything but the empty string
    /// (no-color.org); they are only ever written to a terminal.
    static func configure(arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) {
        colours = !arguments.contains("--no-color") && (environment["NO_COLOR"] ?? "").isEmpty
    }

    static func paint(_ text: String, _ code: String, terminal: Bool = stdoutIsTerminal) -> String {
        terminal && colours ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data((paint("error:", "1;31", terminal: stderrIsTerminal) + " " + message + "\n").utf8))
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data((paint("warning:", "1;33", terminal: stderrIsTerminal) + " " + message + "\n").utf8))
    }

    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Results on stdout: with `--output json`, one JSON document per command.
enum Output {
    static func json(_ value: JSONValue) { print(JSONWriter.encode(value)) }
}

/// Buffered stdout: drift events can be many; one write per line would dominate replay time.
final class StdoutWriter {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { if errno == EINTR { continue } else { break } }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

/// A one-line progress bar on stderr, only when stderr is a terminal.
struct ProgressBar {
    let enabled: Bool
    var lastDrawn = 0

    init(enabled: Bool) { self.enabled = enabled && Console.stderrIsTerminal }

    /// Drawn by bytes (inputs differ in size; one may be gigabytes), at most a few times a second.
    mutating func update(done: Int, total: Int, bytes: Int, totalBytes: Int, records: Int, drifts: Int) {
        guard enabled, total > 0 else { return }
        let now = Int(Date().timeIntervalSince1970 * 10)
        guard now != lastDrawn || done == total else { return }
        let width = 30
        let filled = totalBytes > 0 ? min(width, bytes * width / totalBytes) : done * width / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let size = ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file)
        FileHandle.standardError.write(
            Data("\r\(bar) \(done)/\(total) files · \(size) · \(records) records · \(drifts) drifts\u{1B}[K".utf8))
        lastDrawn = now
    }

    func finish() {
        guard enabled, lastDrawn > 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
