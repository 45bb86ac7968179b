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
