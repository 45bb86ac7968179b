import Foundation
import Yams

extension JSON {
    /// Indented JSON with sorted keys and a trailing newline: how exported dashboards are written.
    public var prettyText: String {
        var output = ""
        writePretty(into: &output, indent: 0)
        return output + "\n"
    }

    private func writePretty(into output: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch self {
        case .array(let items) where !items.isEmpty:
            output += "[\n"
            for (offset, item) in items.enumerated() {
                output += pad
                item.writePretty(into: &output, indent: indent + 1)
                output += offset == items.count - 1 ? "\n" : ",\n"
            }
            output += closing + "]"
        case .object(let fields) where !fields.isEmpty:
            output += "{\n"
            let keys = fields.keys.sorted()
            for (offset, key) in keys.enumerated() {
                output += pad
                Self.writeString(key, into: &output)
                output += ": "
                fields[key]!.writePretty(into: &output, indent: indent + 1)
                output += offset == keys.count - 1 ? "\n" : ",\n"
            }
            output += closing + "}"
        default:
            write(into: &output)
        }
    }

    /// Converts parsed YAML (scalars resolved as YAML 1.2 core: bool, int, float, null, string).
    public init(yaml node: Node) {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if let bool = Bool.construct(from: scalar) {
                    self = .bool(bool)
                    return
                }
                if let int = Int.construct(from: scalar) {
                    self = .number(Double(int))
                    return
                }
                if let double = Double.construct(from: scalar), scalar.string.rangeOfCharacter(from: .decimalDigits) != nil {
                    self = .number(double)
                    return
                }
                if NSNull.construct(from: scalar) != nil {
                    self = .null
                    return
                }
            }
            self = .string(scalar.string)
        case .sequence(let sequence):
            self = .array(sequence.map { JSON(yaml: $0) })
        case .mapping(let mapping):
            var fields: [String: JSON] = [:]
            for (key, value) in mapping { fields[key.string ?? "\(key)"] = JSON(yaml: value) }
            self = .object(fields)
        case .alias:
            self = .null
        }
    }

    /// A YAML node for this value (strings that YAML would read as something else are quoted).
    public var yamlNode: Node {
        switch self {
        case .null: return Node("null", Tag(.null))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .number: return Node(text, Tag(.int))
        case .string(let string):
            let plain = JSON(yaml: Node(string))
            let needsQuotes = plain != .string(string) || string.isEmpty || string.contains(": ") || string.hasPrefix("{")
            if string.contains("\n") { return Node(string, Tag(.str), .literal) }
            return Node(string, Tag(.str), needsQuotes ? .singleQuoted : .plain)
        case .array(let items): return Node(items.map(\.yamlNode))
        case .object(let fields):
            return Node(fields.keys.sorted().map { (Node($0), fields[$0]!.yamlNode) })
        }
    }

    /// Returns the value at a dotted path of object keys (`a.b.c`).
    public func value(at path: String) -> JSON? {
        var current: JSON? = self
        for key in path.split(separator: ".") { current = current?[String(key)] }
        return current
    }

    /// This object with `key` set (or removed with nil); other values are returned unchanged.
    public func setting(_ key: String, _ value: JSON?) -> JSON {
        guard case .object(var fields) = self else { return self }
        fields[key] = value
        return .object(fields)
    }
}
