import Foundation
import Yams

/// A YAML node with the key path that led to it, so every error can name the key and line.
///
/// Reading is strict: a mapping is read through `fields(_:)`, which reports unknown keys with a
/// suggestion; scalars are read through typed accessors that say which type was expected.
public struct YAMLNode {
    public let node: Node
    public let path: String
    let context: YAMLContext

    public var line: Int? { node.mark.map { $0.line } }

    public func error(_ message: String) -> ConfigError {
        ConfigError(file: context.file, keyPath: path, line: line, message: message)
    }

    func child(_ key: String, _ node: Node) -> YAMLNode {
        YAMLNode(node: node, path: path.isEmpty ? key : "\(path).\(key)", context: context)
    }

    public var isNull: Bool {
        if case .scalar(let scalar) = node {
            return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        }
        return false
    }

    /// The mapping's entries; every key must be one of `known`. `aliases` are accepted too (and
    /// listed in suggestions) — used for TFDrift-Falco's key names that mean the same thing.
    public func fields(_ known: [String]) throws -> Fields {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping (key: value), got \(kindName)")
        }
        var entries: [String: YAMLNode] = [:]
        var order: [String] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw error("keys must be plain strings")
            }
            let key = keyScalar.string
            let child = child(key, valueNode)
            guard known.contains(key) else {
                let hint = DidYouMean.suggestion(for: key, among: known).map { " (did you mean \($0)?)" } ?? ""
                let knownList = known.count <= 12 ? "; known keys: \(known.joined(separator: ", "))" : ""
                throw ConfigError(
                    file: context.file, keyPath: child.path,
                    line: keyNode.mark?.line ?? line,
                    message: "unknown key\(hint)\(hint.isEmpty ? knownList : "")")
            }
            if entries[key] != nil {
                throw ConfigError(
                    file: context.file, keyPath: child.path, line: keyNode.mark?.line,
                    message: "duplicate key")
            }
            entries[key] = child
            order.append(key)
        }
        return Fields(owner: self, entries: entries, order: order)
    }

    public var kindName: String {
        switch node {
        case .scalar(let scalar): return isNull ? "null" : "the scalar \"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    // MARK: Scalars

    func rawScalar() throws -> String {
        guard case .scalar(let scalar) = node else {
            throw error("expected a single value, got \(kindName)")
        }
        return scalar.string
    }

    /// A string, with `${VAR}` / `${VAR:-default}` expanded from the environment.
    public func string() throws -> String {
        let raw = try rawScalar()
        return try context.expand(raw, at: self)
    }

    /// The scalar exactly as written (no `${VAR}` expansion): templates and queries.
    public func literal() throws -> String { try rawScalar() }

    public func secret() throws -> Secret { Secret(try string()) }

    public func bool() throws -> Bool {
        let text = try string().lowercased()
        switch text {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, got \"\(text)\"")
        }
    }

    public func int(range: ClosedRange<Int>? = nil) throws -> Int {
        let text = try string()
        guard let value = Int(text) else { throw error("expected a whole number, got \"\(text)\"") }
        if let range, !range.contains(value) {
            throw error("must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    /// A duration such as `30s`, `5m`, `1h`, returned in seconds.
    public func duration(minimum: Double = 0) throws -> Double {
        let text = try string()
        guard let seconds = DurationParser.seconds(text) else {
            throw error("expected a duration such as 30s, 5m or 1h, got \"\(text)\"")
        }
        if seconds < minimum {
            throw error("must be at least \(DurationParser.format(minimum)), got \(text)")
        }
        return seconds
    }

    public func oneOf<T: RawRepresentable & CaseIterable>(_: T.Type) throws -> T where T.RawValue == String {
        let text = try string()
        if let value = T(rawValue: text) ?? T(rawValue: text.lowercased()) { return value }
        let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw error("expected one of \(allowed), got \"\(text)\"")
    }

    /// A list; a single scalar is accepted as a list of one (users write `days: Sunday`).
    public func list() throws -> [YAMLNode] {
        switch node {
        case .sequence(let sequence):
            return sequence.enumerated().map { index, element in
                YAMLNode(node: element, path: "\(path)[\(index)]", context: context)
            }
        case .scalar where isNull:
            return []
        case .scalar:
            return [self]
        default:
            throw error("expected a list, got \(kindName)")
        }
    }

    public func stringList() throws -> [String] { try list().map { try $0.string() } }

    /// A mapping of free-form string keys to string values (labels, headers).
    public func stringMap() throws -> [String: String] {
        guard case .mapping(let mapping) = node else {
            if isNull { return [:] }
            throw error("expected a mapping of names to values, got \(kindName)")
        }
        var result: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else { throw error("keys must be plain strings") }
            result[key.string] = try child(key.string, valueNode).string()
        }
        return result
    }
}

/// The entries of one mapping, read by key. Absent keys read as `nil`.
public struct Fields {
    let owner: YAMLNode
    let entries: [String: YAMLNode]
    public let order: [String]

    public subscript(_ key: String) -> YAMLNode? {
        guard let node = entries[key], !node.isNull else { return nil }
        return node
    }

    public func has(_ key: String) -> Bool { entries[key] != nil }

    public func required(_ key: String) throws -> YAMLNode {
        guard let node = self[key] else {
            throw owner.error("missing required key \"\(key)\"")
        }
        return node
    }

    public func error(_ message: String) -> ConfigError { owner.error(message) }
}

/// Per-load state: the file name for messages, the environment, what expansion left unset, and the
/// problems recorded so far (a collecting read reports them all at the end).
final class YAMLContext {
    let file: String
    let environment: [String: String]
    /// An unset `${VAR}` without a default is a problem (alert profiles) rather than a note (tfdrift.yaml,
    /// where commands that do not need the value still run).
    let unsetIsError: Bool
    var unsetVariables: [(keyPath: String, variable: String)] = []
    var problems: [ConfigError] = []

    init(file: String, environment: [String: String], unsetIsError: Bool = false) {
        self.file = file
        self.environment = environment
        self.unsetIsError = unsetIsError
    }

    /// Expands `${VAR}` and `${VAR:-default}` (`EnvironmentExpansion`). An unset variable becomes empty
    /// and is remembered, so commands that need the value (e.g. `grafana.token` for `alerts apply`) can say
    /// which one is missing while commands that do not (`replay`) still run.
    func expand(_ text: String, at node: YAMLNode) throws -> String {
        let result = EnvironmentExpansion.expand(text, environment: environment)
        for variable in result.unset {
            if unsetIsError {
                throw node.error("${\(variable)} is not set in the environment")
            }
            unsetVariables.append((node.path, variable))
        }
        return result.text
    }

    func record(_ error: any Error, at node: YAMLNode) {
        switch error {
        case let problem as ConfigError: problems.append(problem)
        case let several as ConfigErrors: problems += several.errors
        default: problems.append(node.error("\(error)"))
        }
    }
}

extension YAMLNode {
    /// Parses a YAML document for strict reading (used for data files such as the event catalog).
    /// Returns nil for an empty document.
    public static func root(yaml: String, file: String, environment: [String: String] = [:]) throws -> YAMLNode? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(file: file, keyPath: "", line: ConfigLoader.line(of: error), message: "not valid YAML: \(error)")
        }
        guard let node else { return nil }
        return YAMLNode(node: node, path: "", context: YAMLContext(file: file, environment: environment))
    }

    /// An error located at this node, for readers outside this module.
    public func problem(_ message: String) -> ConfigError { error(message) }
}

extension YAMLNode {
    /// A mapping's entries in document order, for free-form maps (attribute names, labels).
    public func entries() throws -> [(key: String, value: YAMLNode)] {
        guard case .mapping(let mapping) = node else {
            if isNull { return [] }
            throw error("expected a mapping, got \(kindName)")
        }
        return try mapping.map { keyNode, valueNode in
            guard case .scalar(let key) = keyNode else { throw error("keys must be plain strings") }
            return (key.string, child(key.string, valueNode))
        }
    }
}

extension YAMLNode {
    /// Whether this is a single value (not a mapping or list).
    public var isScalar: Bool {
        if case .scalar = node { return true }
        return false
    }

    public var isList: Bool {
        if case .sequence = node { return true }
        return false
    }
}
