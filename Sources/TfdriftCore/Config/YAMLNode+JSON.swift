import Foundation
import Yams

extension YAMLNode {
    /// The node as a JSON value, scalars resolved as YAML 1.2's core schema does (plain `true`, `42`,
    /// `0.5`, `null`; anything quoted is a string). No `${VAR}` expansion: free-form parts of data files
    /// (Grafana rule bodies, time intervals, templates) are taken as written.
    public func jsonValue() -> JSONValue { Self.json(node) }

    public static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            if let flag = Bool.construct(from: scalar) { return .bool(flag) }
            if let whole = Int.construct(from: scalar) { return JSONValue(whole) }
            if let number = Double.construct(from: scalar), scalar.string.contains(where: \.isNumber) {
                return JSONValue(number)
            }
            if NSNull.construct(from: scalar) != nil { return .null }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(sequence.map(json))
        case .mapping(let mapping):
            var fields: [String: JSONValue] = [:]
            for (key, value) in mapping { fields[key.string ?? "\(key)"] = json(value) }
            return .object(fields)
        case .alias:
            return .null
        }
    }
}
