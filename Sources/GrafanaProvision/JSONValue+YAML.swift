import Foundation
import TfdriftCore
import Yams

extension JSONValue {
    /// A YAML node for this value (`alerts export`): strings YAML would read as something else are quoted,
    /// multi-line strings are literal blocks.
    public var yamlNode: Node {
        switch self {
        case .null: return Node("null", Tag(.null))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .number(let text): return Node(text, Tag(.int))
        case .string(let string):
            if string.contains("\n") { return Node(string, Tag(.str), .literal) }
            let plain = YAMLNode.json(Node(string))
            let needsQuotes = plain != .string(string) || string.isEmpty || string.contains(": ") || string.hasPrefix("{")
            return Node(string, Tag(.str), needsQuotes ? .singleQuoted : .plain)
        case .array(let items): return Node(items.map(\.yamlNode))
        case .object(let fields):
            return Node(fields.keys.sorted().map { (Node($0), fields[$0]!.yamlNode) })
        }
    }
}
