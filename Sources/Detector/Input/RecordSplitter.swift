import CJSONScan
import Foundation
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// A window of one input cut at record boundaries: the bytes, and where each unit (a record, an
/// envelope, an alert) lies in them. Decoding a chunk needs nothing from the chunks around it, so a
/// replay decodes them on every core.
public struct InputChunk: Sendable {
    public struct Unit: Sendable {
        public var start: Int
        public var end: Int
        public var location: InputLocation
        /// An element of a `{"Records": [...]}` file or a bare array (a record), rather than a top-level
        /// value (which may be an envelope, an alert or a record).
        public var isElement: Bool
    }

    public var bytes: JSONBytes
    public var units: [Unit]
    /// Framing problems the splitter found (a record cut off by the end of the input, one too large).
    public var problems: [MalformedInput]
    /// How far into the input (in bytes read from disk or network, compressed when it is gzip) this
    /// chunk reaches: progress.
    public var inputOffset: Int
}

/// Cuts an input — read a window at a time, inflated on the fly — into chunks of whole records, so that
/// no input is ever held whole: NDJSON at line ends, `{"Records": [...]}` trail files and bare arrays at
/// their elements' ends (found by the structural scan, many bytes at a time), pretty-printed values
/// across lines. A record split across two windows is carried into the next; the carried bytes always
/// start a record (or a line), so every window is scanned from a known state.
public final class RecordSplitter {
    enum Mode {
        case undecided
        /// Top-level values, one per line (NDJSON) or spanning lines (pretty-printed).
        case values
        /// Elements at this depth: 2 inside `{"Records": [`, 1 inside a bare array.
        case elements(depth: Int32)
        /// The array of records closed: what follows is the container's end.
        case done
    }

    let name: String
    let window: Int
    let maxUnit: Int
    var source: any ByteSource
    var mode = Mode.undecided
    /// The start of the record (or line) in progress, carried into the next window.
    var carry: [UInt8] = []
    /// The line `carry` starts on (values), the elements handed out so far (elements).
    var line = 1
    var elements = 0
    /// Skipping the rest of a record that grew past `maxUnit`, from this scan state.
    var skipState: tfd_scan_state?
    var exhausted = false

    init(source: any ByteSource, name: String, window: Int, maxUnit: Int) {
        self.source = source
        self.name = name
        self.window = window
        self.maxUnit = maxUnit
    }

    /// Opens a file (gzip recognised by its magic bytes, never by its name).
    public static func file(_ path: String, window: Int = 4 << 20, maxUnit: Int = 64 << 20, maxInflated: Int) throws
        -> RecordSplitter
    {
        let file = try FileByteSource(path: path)
        var magic = [UInt8](repeating: 0, count: 2)
        let peeked = magic.withUnsafeMutableBytes { pread(file.descriptor, $0.baseAddress, 2, 0) }
        let source: any ByteSource =
            peeked == 2 && magic == [0x1F, 0x8B] ? GzipByteSource(file, path: path, maxInflated: maxInflated) : file
        return RecordSplitter(source: source, name: path, window: window, maxUnit: maxUnit)
    }

    /// An input already in memory (an S3 object), gzip or not.
    public static func memory(_ bytes: [UInt8], name: String, window: Int = 4 << 20, maxUnit: Int = 64 << 20, maxInflated: Int)
        -> RecordSplitter
    {
        let plain = MemoryByteSource(bytes)
        let source: any ByteSource =
            bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
            ? GzipByteSource(plain, path: name, maxInflated: maxInflated) : plain
        return RecordSplitter(source: source, name: name, window: window, maxUnit: maxUnit)
    }

    public var inputOffset: Int { source.consumed }

    /// The next chunk, or nil at the end of the input. Throws when the input cannot be read (the chunks
    /// handed out before stay valid).
    public func next() throws -> InputChunk? {
        while !exhausted {
            if case .done = mode { return nil }
            let buffer = try fill()
            var chunk = InputChunk(bytes: buffer, units: [], problems: [], inputOffset: source.consumed)
            var from = 0
            if case .undecided = mode {
                guard let start = decide(buffer) else {
                    carry = Array(UnsafeBufferPointer(start: buffer.base, count: buffer.count))
                    continue
                }
                from = start
            }
            switch mode {
            case .elements(let depth): splitElements(buffer, from: from, depth: depth, into: &chunk)
            case .values: splitValues(buffer, into: &chunk)
            case .undecided, .done: break
            }
            if !chunk.units.isEmpty || !chunk.problems.isEmpty { return chunk }
        }
        return finishAtEnd()
    }

    /// Reads a window: the carried bytes, then as much new input as fits.
    func fill() throws -> JSONBytes {
        let capacity = max(window, carry.count + window / 2)
        let prefix = carry
        carry = []
        var ended = false
        let bytes = try JSONBytes(capacity: capacity) { pointer in
            prefix.withUnsafeBufferPointer { if let base = $0.baseAddress { pointer.update(from: base, count: prefix.count) } }
            var filled = prefix.count
            while filled < capacity {
                let got = try source.read(into: pointer + filled, count: capacity - filled)
                if got == 0 {
                    ended = true
                    break
                }
                filled += got
            }
            return filled
        }
        exhausted = ended
        return bytes
    }

    /// Chooses the mode from the first bytes — `{"Records": [` (whitespace allowed), `[`, or anything
    /// else — and returns where the records start; nil when the window is too short to tell.
    func decide(_ buffer: JSONBytes) -> Int? {
        var position = Self.skipSpace(buffer, from: 0, limit: buffer.count)
        if position + 3 <= buffer.count, buffer.base[position] == 0xEF, buffer.base[position + 1] == 0xBB,
            buffer.base[position + 2] == 0xBF
        {
            position = Self.skipSpace(buffer, from: position + 3, limit: buffer.count)  // a UTF-8 byte-order mark
        }
        if position < buffer.count, buffer.base[position] == UInt8(ascii: "[") {
            mode = .elements(depth: 1)
            return position + 1
        }
        if position < buffer.count, buffer.base[position] == UInt8(ascii: "{"),
            let records = Self.recordsArray(buffer, after: position + 1)
        {
            guard let start = records else { return exhausted ? fallBackToValues() : nil }
            mode = .elements(depth: 2)
            return start
        }
        if position >= buffer.count, !exhausted { return nil }
        return fallBackToValues()
    }

    func fallBackToValues() -> Int {
        mode = .values
        return 0
    }

    /// After `{`: `"Records" : [` → the offset after `[` (`.some(offset)`); the window ends before it is
    /// clear → `.some(nil)`; something else → nil.
    static func recordsArray(_ buffer: JSONBytes, after start: Int) -> Int?? {
        let key = Array("\"Records\"".utf8)
        let keyStart = skipSpace(buffer, from: start, limit: buffer.count)
        guard keyStart + key.count <= buffer.count else { return .some(nil) }
        guard memcmp(buffer.base + keyStart, key, key.count) == 0 else { return nil }
        let colon = skipSpace(buffer, from: keyStart + key.count, limit: buffer.count)
        guard colon < buffer.count else { return .some(nil) }
        guard buffer.base[colon] == UInt8(ascii: ":") else { return nil }
        let bracket = skipSpace(buffer, from: colon + 1, limit: buffer.count)
        guard bracket < buffer.count else { return .some(nil) }
        guard buffer.base[bracket] == UInt8(ascii: "[") else { return nil }
        return .some(bracket + 1)
    }

    // MARK: Elements

    func splitElements(_ buffer: JSONBytes, from: Int, depth: Int32, into chunk: inout InputChunk) {
        var position = from
        var state = tfd_scan_state(depth: depth, in_string: 0, escaped: 0)
        if let skipping = skipState {
            // The rest of an oversized record: drop it up to its end.
            state = skipping
            guard let end = scan(buffer, from: position, to: buffer.count, depth: depth, state: &state, limit: 1).first else {
                skipState = state
                return
            }
            skipState = nil
            elements += 1
            position = end
        }
        var start = Self.skipSeparators(buffer, from: position)
        let ends = scan(buffer, from: start, to: buffer.count, depth: depth, state: &state, limit: Int.max)
        for end in ends {
            chunk.units.append(
                InputChunk.Unit(start: start, end: end, location: InputLocation(file: name, index: elements), isElement: true))
            elements += 1
            start = Self.skipSeparators(buffer, from: end)
        }
        if state.depth < depth {
            mode = .done  // the array closed (`]}`): no more records
            return
        }
        keepTail(buffer, from: start, state: state, into: &chunk)
    }

    /// Ends of values closing at `depth` in [from, to), through the structural scan.
    func scan(_ buffer: JSONBytes, from: Int, to: Int, depth: Int32, state: inout tfd_scan_state, limit: Int) -> [Int] {
        var ends: [Int] = []
        var position = from
        while position < to, state.depth >= depth {
            var consumed: Int64 = 0
            let count = tfd_scan_unit_ends(
                buffer.base + position, Int64(to - position), depth, &state, found, Int64(min(limit, Self.foundCapacity)),
                &consumed)
            for index in 0..<Int(count) { ends.append(position + Int(found[index])) }
            position += Int(consumed)
            if ends.count >= limit { break }
        }
        return ends
    }

    /// Where the scan writes the ends it finds: one buffer for the splitter's life (it runs once per line).
    static let foundCapacity = 1024
    let found = UnsafeMutablePointer<Int64>.allocate(capacity: RecordSplitter.foundCapacity)

    deinit { found.deallocate() }

    // MARK: Values

    static func isSpace(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x0D: true
        default: false
        }
    }

    /// Whether what follows the line ending at `lineEnd` starts a new value (`{` after any blank space)
    /// or ends the input. Unknown — the window ends there and more may come — counts as no.
    func nextLineStartsValue(_ buffer: JSONBytes, after lineEnd: Int) -> Bool {
        let next = Self.skipSpace(buffer, from: lineEnd + 1, limit: buffer.count)
        return next < buffer.count ? buffer.base[next] == UInt8(ascii: "{") : exhausted
    }

    func splitValues(_ buffer: JSONBytes, into chunk: inout InputChunk) {
        var position = 0
        var currentLine = line
        var unitStart: Int?
        var unitLine = line
        var state = tfd_scan_state(depth: 0, in_string: 0, escaped: 0)
        while position < buffer.count {
            let newline = memchr(buffer.base + position, 0x0A, buffer.count - position).map {
                UnsafeMutableRawPointer($0) - UnsafeMutableRawPointer(buffer.base)
            }
            if newline == nil, !exhausted { break }  // the last line may go on in the next window
            let lineEnd = newline ?? buffer.count
            var scanFrom = position
            if let start = unitStart {
                // A line that starts a value in column 0 while the open one sits directly inside an object
                // cannot continue it: that value is broken (the decoder says how); the new one starts here.
                if state.depth == 1, state.in_string == 0,
                    buffer.base[position] == UInt8(ascii: "{") || buffer.base[position] == UInt8(ascii: "[")
                {
                    emitValue(start, position, unitLine, into: &chunk)
                    unitStart = position
                    unitLine = currentLine
                    state = tfd_scan_state(depth: 0, in_string: 0, escaped: 0)
                }
            } else {
                let first = Self.skipSpace(buffer, from: position, limit: lineEnd)
                var last = lineEnd - 1
                while last > first, Self.isSpace(buffer.base[last]) { last -= 1 }
                if first < lineEnd, buffer.base[first] == UInt8(ascii: "{"), buffer.base[last] == UInt8(ascii: "}"),
                    nextLineStartsValue(buffer, after: lineEnd)
                {
                    // NDJSON's shape — a line that is one object, followed by another or by the end — needs no
                    // scan: it is the record (and if it is not well-formed, the decoder says so with this
                    // line). A line like `{"a":{"b":1}` continued by `}` fails the check and is scanned.
                    emitValue(first, last + 1, currentLine, into: &chunk)
                    position = lineEnd + 1
                    currentLine += 1
                    continue
                }
                if first < lineEnd {
                    unitStart = first
                    unitLine = currentLine
                    scanFrom = first
                }
            }
            if var start = unitStart {
                for end in scan(buffer, from: scanFrom, to: lineEnd, depth: 0, state: &state, limit: Int.max) {
                    emitValue(start, end, unitLine, into: &chunk)
                    start = Self.skipSpace(buffer, from: end, limit: lineEnd)
                }
                if state.depth < 0 {
                    // A stray closing bracket: the line is broken; the next one starts afresh.
                    emitValue(start, lineEnd, unitLine, into: &chunk)
                    state = tfd_scan_state(depth: 0, in_string: 0, escaped: 0)
                    unitStart = nil
                } else {
                    unitStart = state.depth == 0 && state.in_string == 0 && start >= lineEnd ? nil : start
                }
            }
            position = lineEnd + 1
            currentLine += 1
        }
        if let start = unitStart {
            line = unitLine
            keepTail(buffer, from: start, state: nil, into: &chunk)
        } else {
            line = currentLine
            keepTail(buffer, from: min(position, buffer.count), state: nil, into: &chunk)
        }
    }

    func emitValue(_ start: Int, _ end: Int, _ line: Int, into chunk: inout InputChunk) {
        chunk.units.append(
            InputChunk.Unit(start: start, end: end, location: InputLocation(file: name, line: line), isElement: false))
    }

    // MARK: The tail

    /// Carries the unfinished record into the next window, or starts skipping it when it is too large.
    func keepTail(_ buffer: JSONBytes, from start: Int, state: tfd_scan_state?, into chunk: inout InputChunk) {
        let length = max(0, buffer.count - start)
        guard length <= maxUnit else {
            chunk.problems.append(
                MalformedInput(
                    location: currentLocation,
                    reason:
                        "a record larger than \(maxUnit >= 1 << 20 ? "\(maxUnit >> 20) MiB" : "\(maxUnit >> 10) KiB"); skipped"))
            if case .elements = mode, let state {
                skipState = state
            } else {
                mode = .done  // a value that large in NDJSON has no line end to resume at within reach
            }
            return
        }
        carry = length == 0 ? [] : Array(UnsafeBufferPointer(start: buffer.base + start, count: length))
    }

    var currentLocation: InputLocation {
        if case .elements = mode { return InputLocation(file: name, index: elements) }
        return InputLocation(file: name, line: line)
    }

    /// At the end of the input: what is left is a record cut off by the end (malformed), or nothing.
    func finishAtEnd() -> InputChunk? {
        defer { carry = [] }
        let leftover = carry.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == UInt8(ascii: ",") }
        guard !leftover.isEmpty else { return nil }
        if case .done = mode { return nil }
        let bytes = JSONBytes(Array(leftover))
        var isElement = false
        if case .elements = mode { isElement = true }
        // The decoder says what is wrong with it (usually: cut off by the end of the input).
        return InputChunk(
            bytes: bytes, units: [InputChunk.Unit(start: 0, end: bytes.count, location: currentLocation, isElement: isElement)],
            problems: [], inputOffset: source.consumed)
    }

    // MARK: Bytes

    static func skipSpace(_ buffer: JSONBytes, from start: Int, limit: Int) -> Int {
        var position = start
        while position < limit {
            switch buffer.base[position] {
            case 0x20, 0x09, 0x0D, 0x0A: position += 1
            default: return position
            }
        }
        return position
    }

    static func skipSeparators(_ buffer: JSONBytes, from start: Int) -> Int {
        var position = start
        while position < buffer.count {
            switch buffer.base[position] {
            case 0x20, 0x09, 0x0D, 0x0A, UInt8(ascii: ","): position += 1
            default: return position
            }
        }
        return position
    }
}
