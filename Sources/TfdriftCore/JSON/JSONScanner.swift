import CJSONScan

/// A malformed JSON input, located by byte offset (converted to a line by the reporter).
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public let message: String
    public var description: String { "\(message) at byte \(offset)" }

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }
}

/// A forward-only JSON reader over a byte buffer. It can skip values without building them (while
/// still checking their syntax), hand out raw slices, decode strings, or build a `JSONValue` tree.
public struct JSONScanner {
    public let bytes: JSONBytes
    let base: UnsafeMutablePointer<UInt8>
    public var position: Int
    public let end: Int

    public init(bytes: JSONBytes, start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.base = bytes.base
        self.position = start
        self.end = end ?? bytes.count
    }

    @inline(__always) var atEnd: Bool { position >= end }
    @inline(__always) var current: UInt8 { base[position] }

    public func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, message: message) }

    @inline(__always) public mutating func skipWhitespace() {
        while position < end {
            let byte = base[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    /// Skips whitespace and returns the next byte without consuming it (nil at the end).
    @inline(__always) public mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < end ? base[position] : nil
    }

    @inline(__always) public mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard position < end, base[position] == byte else { throw fail("expected \(what)") }
        position += 1
    }

    // MARK: Objects and arrays, streamed

    /// Calls `body` for each key of the object at the cursor, with the scanner positioned at the value.
    /// `body` must consume the value (skip it or read it). The key is a raw byte range (unescaped keys
    /// are compared without allocating; keys with escapes are rare and decoded by `keyString`).
    public mutating func forEachMember(_ body: (inout JSONScanner, _ key: KeyRange) throws -> Void) throws {
        try expect(UInt8(ascii: "{"), "'{'")
        skipWhitespace()
        if position < end, base[position] == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            guard position < end, base[position] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try scanStringRange()
            try expect(UInt8(ascii: ":"), "':' after an object key")
            skipWhitespace()
            let before = position
            try body(&self, key)
            if position == before { try skipValue() }
            skipWhitespace()
            guard position < end else { throw fail("unterminated object") }
            let byte = base[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { return }
            position -= 1
            throw fail("expected ',' or '}' in an object")
        }
    }

    /// Calls `body` for each element of the array at the cursor, positioned at the element.
    public mutating func forEachElement(_ body: (inout JSONScanner, _ index: Int) throws -> Void) throws {
        try expect(UInt8(ascii: "["), "'['")
        skipWhitespace()
        if position < end, base[position] == UInt8(ascii: "]") {
            position += 1
            return
        }
        var index = 0
        while true {
            skipWhitespace()
            let before = position
            try body(&self, index)
            if position == before { try skipValue() }
            index += 1
            skipWhitespace()
            guard position < end else { throw fail("unterminated array") }
            let byte = base[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { return }
            position -= 1
            throw fail("expected ',' or ']' in an array")
        }
    }

    // MARK: Skipping

    /// Skips one value, checking its syntax, and returns its raw extent.
    @discardableResult
    public mutating func skipValue() throws -> RawJSON {
        skipWhitespace()
        let start = position
        guard position < end else { throw fail("expected a value") }
        switch base[position] {
        case UInt8(ascii: "\""):
            _ = try scanStringRange()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipContainer()
        case UInt8(ascii: "t"):
            try literal("true")
        case UInt8(ascii: "f"):
            try literal("false")
        case UInt8(ascii: "n"):
            try literal("null")
        default:
            try skipNumber()
        }
        return RawJSON(bytes: bytes, start: start, end: position)
    }

    /// Skips a nested object or array by its structure alone — strings and brackets, found many bytes at
    /// a time by the structural scan (CJSONScan) — without checking the tokens inside: a replay skips most
    /// of every record this way, and a part that is read later (a drift's request) is parsed in full then.
    /// No recursion, so hostile nesting cannot overflow the stack.
    public mutating func skipContainer() throws {
        let after = tfd_skip_container(base, Int64(position), Int64(end))
        guard after >= 0 else {
            throw fail("unterminated \(base[position] == UInt8(ascii: "{") ? "object" : "array")")
        }
        position = Int(after)
    }

    public mutating func literal(_ word: StaticString) throws {
        let length = word.utf8CodeUnitCount
        guard position + length <= end else { throw fail("truncated literal") }
        let pointer = word.utf8Start
        for offset in 0..<length where base[position + offset] != pointer[offset] {
            throw fail("invalid literal")
        }
        position += length
    }

    public mutating func skipNumber() throws {
        let start = position
        if position < end, base[position] == UInt8(ascii: "-") { position += 1 }
        var digits = 0
        while position < end {
            let byte = base[position]
            if (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-")
            {
                position += 1
                digits += 1
            } else {
                break
            }
        }
        guard digits > 0 else {
            position = start
            if position < end {
                throw fail("unexpected character '\(Character(UnicodeScalar(base[position])))'")
            }
            throw fail("expected a value")
        }
    }

    // MARK: Strings

    /// The raw extent of a string's content (without quotes) and whether it contains escapes.
    public struct KeyRange {
        public let start: Int
        public let end: Int
        public let hasEscapes: Bool
        public var count: Int { end - start }
    }

    /// Scans a string at the cursor (which must be at its opening quote). `memchr` finds the closing
    /// quote (vectorised in libc); only a quote preceded by backslashes needs a closer look.
    @inline(__always)
    public mutating func scanStringRange() throws -> KeyRange {
        position += 1  // opening quote
        let start = position
        var searchFrom = position
        while searchFrom < end {
            guard let found = memchr(base + searchFrom, 0x22, end - searchFrom) else { break }
            let quote = UnsafeMutablePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
            // An odd number of backslashes before it escapes the quote.
            var backslashes = 0
            while quote - backslashes - 1 >= start, base[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
            if backslashes % 2 == 1 {
                searchFrom = quote + 1
                continue
            }
            // A raw newline cannot be inside a JSON string: the string was cut (NDJSON resyncs there).
            if let newline = memchr(base + start, 0x0A, quote - start) {
                position = UnsafeMutablePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base
                throw fail("unterminated string")
            }
            let escaped = memchr(base + start, 0x5C, quote - start) != nil
            position = quote + 1
            return KeyRange(start: start, end: quote, hasEscapes: escaped)
        }
        position = end
        throw fail("unterminated string")
    }

    /// Whether a scanned key equals an ASCII literal, without allocating.
    @inline(__always)
    public func key(_ key: KeyRange, is literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard key.count == length, !key.hasEscapes else { return false }
        return memcmp(base + key.start, literal.utf8Start, length) == 0
    }

    public func string(_ range: KeyRange) throws -> String {
        if !range.hasEscapes {
            return String(decoding: UnsafeBufferPointer(start: base + range.start, count: range.count), as: UTF8.self)
        }
        return try unescape(range)
    }

    /// Reads a string value at the cursor; `null` reads as nil. Other types are an error.
    public mutating func readString() throws -> String? {
        skipWhitespace()
        guard position < end else { throw fail("expected a string") }
        if base[position] == UInt8(ascii: "\"") { return try string(try scanStringRange()) }
        if base[position] == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        throw fail("expected a string")
    }

    /// Reads any scalar as text (strings, numbers, booleans); `null` is nil; containers are skipped as nil.
    public mutating func readScalarText() throws -> String? {
        skipWhitespace()
        guard position < end else { throw fail("expected a value") }
        switch base[position] {
        case UInt8(ascii: "\""): return try string(try scanStringRange())
        case UInt8(ascii: "n"):
            try literal("null")
            return nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipContainer()
            return nil
        default:
            let raw = try skipValue()
            return raw.text
        }
    }

    /// Reads a boolean; also accepts the strings "true"/"false" (Falco renders ct.readonly as text).
    public mutating func readBool() throws -> Bool? {
        skipWhitespace()
        guard position < end else { throw fail("expected a value") }
        switch base[position] {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        case UInt8(ascii: "\""):
            let range = try scanStringRange()
            if key(range, is: "true") || key(range, is: "True") { return true }
            if key(range, is: "false") || key(range, is: "False") { return false }
            return nil
        default:
            try skipValue()
            return nil
        }
    }

    /// A scalar's text left in place: strings by their content, numbers and booleans by their
    /// literal; `null` and containers read as absent.
    public mutating func readTextSlot() throws -> TextSlot {
        skipWhitespace()
        guard position < end else { throw fail("expected a value") }
        switch base[position] {
        case UInt8(ascii: "\""):
            let range = try scanStringRange()
            return .raw(start: range.start, end: range.end, escaped: range.hasEscapes)
        case UInt8(ascii: "n"):
            try literal("null")
            return .absent
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipContainer()
            return .absent
        default:
            let raw = try skipValue()
            return .raw(start: raw.start, end: raw.end, escaped: false)
        }
    }

    public func unescape(_ range: KeyRange) throws -> String {
        var output: [UInt8] = []
        output.reserveCapacity(range.count)
        var index = range.start
        while index < range.end {
            let byte = base[index]
            if byte != UInt8(ascii: "\\") {
                output.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < range.end else { throw JSONSyntaxError(offset: index, message: "bad escape") }
            let escaped = base[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= range.end, base[index] == UInt8(ascii: "\\"),
                    base[index + 1] == UInt8(ascii: "u")
                {
                    let low = try hex4(at: index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                output.append(contentsOf: Array(String(character).utf8))
            default:
                throw JSONSyntaxError(offset: index - 1, message: "bad escape '\\\(Character(UnicodeScalar(escaped)))'")
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    func hex4(at index: Int) throws -> UInt32 {
        guard index + 4 <= end else { throw JSONSyntaxError(offset: index, message: "truncated \\u escape") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = base[index + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw JSONSyntaxError(offset: index, message: "bad \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }

    // MARK: Trees

    /// Builds the value at the cursor. Depth is bounded so hostile input cannot overflow the stack.
    public mutating func parseValue(depth: Int = 0) throws -> JSONValue {
        guard depth < 256 else { throw fail("nesting deeper than 256 levels") }
        skipWhitespace()
        guard position < end else { throw fail("expected a value") }
        switch base[position] {
        case UInt8(ascii: "\""):
            return .string(try string(try scanStringRange()))
        case UInt8(ascii: "{"):
            var object: [String: JSONValue] = [:]
            try forEachMember { scanner, key in
                object[try scanner.string(key)] = try scanner.parseValue(depth: depth + 1)
            }
            return .object(object)
        case UInt8(ascii: "["):
            var array: [JSONValue] = []
            try forEachElement { scanner, _ in array.append(try scanner.parseValue(depth: depth + 1)) }
            return .array(array)
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            let raw = try skipValue()
            let text = raw.text
            guard Double(text) != nil else { throw JSONSyntaxError(offset: raw.start, message: "invalid number") }
            return .number(text)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
