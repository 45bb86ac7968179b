import Foundation

/// A JSON value as the simulators see it: parsed from request bodies and the OpenAPI document, written
/// back in responses.
public enum JSONNode: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    public subscript(key: String) -> JSONNode? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    public var intValue: Int? {
        guard case .number(let number) = self, number.rounded() == number, abs(number) < 9e15 else { return nil }
        return Int(number)
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var arrayValue: [JSONNode]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: [String: JSONNode]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    /// The JSON-schema type name of this value (`integer` for whole numbers).
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return intValue != nil ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    // MARK: parsing and writing

    /// Parsing and writing go through Foundation's `JSONDecoder`/`JSONEncoder`: an implementation
    /// independent of `GrafanaProvision.JSON`'s hand-written parser, so a parsing bug in the code under
    /// test cannot be mirrored by the simulator that checks it.
    public struct ParseError: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "invalid JSON: \(reason)" }
    }

    public static func parse(_ text: String) throws -> JSONNode { try parse(Array(text.utf8)) }

    public static func parse(_ bytes: [UInt8]) throws -> JSONNode {
        do {
            return try JSONDecoder().decode(JSONNode.self, from: Data(bytes))
        } catch let DecodingError.dataCorrupted(context) {
            throw ParseError(reason: (context.underlyingError.map { "\($0)" }) ?? context.debugDescription)
        } catch {
            throw ParseError(reason: "\(error)")
        }
    }

    /// Compact JSON with sorted keys (deterministic, so tests can compare bytes).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public var bytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A JSONNode holds only finite numbers and valid strings: encoding cannot fail.
        return (try? Array(encoder.encode(self))) ?? Array("null".utf8)
    }
}

extension JSONNode: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let fields = try? container.decode([String: JSONNode].self) {
            self = .object(fields)
        } else if let items = try? container.decode([JSONNode].self) {
            self = .array(items)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else {
            self = .number(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .number(let number):
            if let whole = intValue { try container.encode(whole) } else { try container.encode(number) }
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items)
        case .object(let fields): try container.encode(fields)
        }
    }
}

extension JSONNode: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONNode...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONNode)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
