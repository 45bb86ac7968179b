/// A decoded JSON value. Numbers keep their literal text so 64-bit ids and decimals round-trip.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// Scalars as text (`"8"`, `8` and `8.0` differ; `true` → "true"); nil for containers and null.
    public var scalarText: String? {
        switch self {
        case .string(let text): return text
        case .number(let text): return text
        case .bool(let value): return value ? "true" : "false"
        default: return nil
        }
    }

    public static func parse(_ text: String) throws -> JSONValue {
        let bytes = JSONBytes(string: text)
        var scanner = JSONScanner(bytes: bytes)
        let value = try scanner.parseValue()
        if scanner.peek() != nil { throw JSONSyntaxError(offset: scanner.position, message: "trailing data after JSON value") }
        return value
    }

    /// Equality the way Terraform and CloudTrail disagree on representation: `"true"` equals `true`,
    /// `"8"` equals `8` and `8.0`, `null` equals `""`/`[]`/`{}` (Terraform writes empty values as null).
    public func looselyEquals(_ other: JSONValue) -> Bool {
        switch (self.normalisedForComparison, other.normalisedForComparison) {
        case (.null, .null): return true
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            // Order-insensitive: AWS and Terraform sort rules and ids differently.
            var remaining = b
            for element in a {
                guard let match = remaining.firstIndex(where: { element.looselyEquals($0) }) else { return false }
                remaining.remove(at: match)
            }
            return true
        case (.object(let a), .object(let b)):
            let keys = Set(a.keys).union(b.keys)
            return keys.allSatisfy { (a[$0] ?? .null).looselyEquals(b[$0] ?? .null) }
        case (let a, let b):
            guard let left = a.scalarText, let right = b.scalarText else { return false }
            if left == right { return true }
            if let x = Double(left), let y = Double(right) { return x == y }
            return left.lowercased() == right.lowercased() && ["true", "false"].contains(left.lowercased())
        }
    }

    var normalisedForComparison: JSONValue {
        switch self {
        case .string(""), .array([]), .object([:]): return .null
        default: return self
        }
    }
}

/// Writes JSON with sorted keys (stable lines for Loki, diffs and golden tests).
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init() { bytes.reserveCapacity(1024) }

    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let text): append(text)
        case .string(let text): writeString(text)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                write(object[key]!)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    public mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    public mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// A JSON string literal, for text written by hand-formatted JSON (IAM policies, doctor reports).
    public static func quoted(_ text: String) -> String {
        var writer = JSONWriter()
        writer.writeString(text)
        return writer.string
    }

    public static func encode(_ value: JSONValue) -> String {
        var writer = JSONWriter()
        writer.write(value)
        return writer.string
    }
}

/// Literals, for building values in code and tests: `["a": 1, "b": [true]]`.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByIntegerLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
}

// MARK: - What provisioning and reports need (Grafana bodies, plans, exports)

extension JSONValue {
    /// A whole number.
    public init(_ number: Int) { self = .number(String(number)) }

    /// A number written the way Go and JavaScript print it: `60` (not `60.0`), `0.5`, `1e+21`; NaN and
    /// the infinities, which JSON cannot hold, become `null`.
    public init(_ number: Double) {
        guard number.isFinite else {
            self = .null
            return
        }
        if number.rounded() == number, abs(number) < 1e15 {
            self = .number(String(Int(number)))
        } else {
            self = .number("\(number)")
        }
    }

    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The number as an `Int` when it is whole (`60`, `60.0`, `6e1`); nil otherwise.
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        if let whole = Int(text) { return whole }
        guard let value = Double(text), value.rounded() == value, abs(value) < 9e15 else { return nil }
        return Int(value)
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var scanner = JSONScanner(bytes: JSONBytes(bytes))
        let value = try scanner.parseValue()
        if scanner.peek() != nil { throw JSONSyntaxError(offset: scanner.position, message: "trailing data after JSON value") }
        return value
    }

    /// The same value with every number in one spelling (`1.0`, `1e0` → `1`; `0.50` → `0.5`), so values
    /// from different writers (Go's encoder, a hand-written file) compare equal when they mean the same.
    /// Integer literals are kept as written (64-bit ids stay exact).
    public var canonicalNumbers: JSONValue {
        switch self {
        case .number(let text):
            if let whole = Int(text) { return .number(String(whole)) }
            guard let value = Double(text) else { return self }
            return JSONValue(value)
        case .array(let items): return .array(items.map(\.canonicalNumbers))
        case .object(let fields): return .object(fields.mapValues(\.canonicalNumbers))
        default: return self
        }
    }

    /// The value at a dotted path of object keys (`a.b.c`).
    public func value(at path: String) -> JSONValue? {
        var current: JSONValue? = self
        for key in path.split(separator: ".") { current = current?[String(key)] }
        return current
    }

    /// This object with `key` set (or removed with nil); any other value is returned unchanged.
    public func setting(_ key: String, _ value: JSONValue?) -> JSONValue {
        guard case .object(var fields) = self else { return self }
        fields[key] = value
        return .object(fields)
    }
}

extension JSONWriter {
    /// Compact JSON with sorted keys, as bytes (request bodies).
    public static func encodeBytes(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(value)
        return writer.bytes
    }

    /// Indented JSON (two spaces) with sorted keys and a trailing newline: files people read and commit
    /// (exported dashboards).
    public static func pretty(_ value: JSONValue) -> String {
        var writer = JSONWriter()
        writer.writePretty(value, indent: 0)
        writer.bytes.append(0x0A)
        return writer.string
    }

    mutating func writePretty(_ value: JSONValue, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch value {
        case .array(let items) where !items.isEmpty:
            append("[\n")
            for (offset, item) in items.enumerated() {
                append(pad)
                writePretty(item, indent: indent + 1)
                append(offset == items.count - 1 ? "\n" : ",\n")
            }
            append(closing + "]")
        case .object(let fields) where !fields.isEmpty:
            append("{\n")
            let keys = fields.keys.sorted()
            for (offset, key) in keys.enumerated() {
                append(pad)
                writeString(key)
                append(": ")
                writePretty(fields[key]!, indent: indent + 1)
                append(offset == keys.count - 1 ? "\n" : ",\n")
            }
            append(closing + "}")
        default:
            write(value)
        }
    }
}
