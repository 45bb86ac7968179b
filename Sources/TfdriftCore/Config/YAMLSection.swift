import Yams

/// One mapping of a YAML file, read key by key so that a file with several mistakes reports all of them
/// in one run, each with its key path and line (`YAMLDocument.read`).
///
/// A section's keys are the keys it reads: `read("listen") { … }` both declares `listen` and reads it, so
/// the list of known keys cannot drift from the code that reads them. When the section's closure returns,
/// every key in the file that nothing read is reported as unknown, with a did-you-mean among the known ones.
/// To add a key to a section, add one `section.read("name") { node in … }` line.
public struct YAMLSection {
    public let node: YAMLNode
    private let entries: [String: YAMLNode]
    private let keyLines: [String: Int?]
    private var known: [String] = []

    fileprivate init?(_ node: YAMLNode) {
        guard case .mapping(let mapping) = node.node else {
            if node.isNull {
                self.init(node: node, entries: [:], keyLines: [:])
                return
            }
            node.context.problems.append(node.error("expected a mapping (key: value), got \(node.kindName)"))
            return nil
        }
        var entries: [String: YAMLNode] = [:]
        var keyLines: [String: Int?] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                node.context.problems.append(node.error("keys must be plain strings"))
                continue
            }
            let key = keyScalar.string
            let child = node.child(key, valueNode)
            if entries[key] != nil {
                node.context.problems.append(
                    ConfigError(file: node.context.file, keyPath: child.path, line: keyNode.mark?.line, message: "duplicate key"))
                continue
            }
            entries[key] = child
            keyLines[key] = keyNode.mark?.line ?? node.line
        }
        self.init(node: node, entries: entries, keyLines: keyLines)
    }

    private init(node: YAMLNode, entries: [String: YAMLNode], keyLines: [String: Int?]) {
        self.node = node
        self.entries = entries
        self.keyLines = keyLines
    }

    /// The value of `key` (declaring it known); nil when absent or null.
    public mutating func value(_ key: String) -> YAMLNode? {
        if !known.contains(key) { known.append(key) }
        guard let value = entries[key], !value.isNull else { return nil }
        return value
    }

    /// Whether `key` is written at all (even as null), declaring it known.
    public mutating func has(_ key: String) -> Bool {
        if !known.contains(key) { known.append(key) }
        return entries[key] != nil
    }

    /// Reads `key` when it is present; a problem `body` throws is recorded and the reading goes on.
    public mutating func read(_ key: String, _ body: (YAMLNode) throws -> Void) {
        guard let value = value(key) else { return }
        do { try body(value) } catch { node.context.record(error, at: value) }
    }

    /// Reads a key that must be present; its absence is recorded as a problem of this section.
    public mutating func required(_ key: String, _ body: (YAMLNode) throws -> Void) {
        guard value(key) != nil else {
            node.context.problems.append(node.error("missing required key \"\(key)\""))
            return
        }
        read(key, body)
    }

    /// Keys accepted and ignored (another tool's keys that mean nothing here).
    public mutating func accept(_ keys: String...) {
        for key in keys where !known.contains(key) { known.append(key) }
    }

    /// A check across keys; a problem it throws is recorded against this section.
    public func check(_ body: () throws -> Void) {
        do { try body() } catch { node.context.record(error, at: node) }
    }

    /// Records a problem at this section.
    public func problem(_ message: String) { node.context.problems.append(node.error(message)) }

    fileprivate func reportUnknownKeys() {
        for key in entries.keys.sorted() where !known.contains(key) {
            let hint = DidYouMean.suggestion(for: key, among: known).map { " (did you mean \($0)?)" } ?? ""
            let knownList = known.count <= 12 ? "; known keys: \(known.joined(separator: ", "))" : ""
            node.context.problems.append(
                ConfigError(
                    file: node.context.file, keyPath: entries[key]!.path, line: keyLines[key] ?? nil,
                    message: "unknown key\(hint)\(hint.isEmpty ? knownList : "")"))
        }
    }
}

extension YAMLNode {
    /// Reads this node as a mapping, key by key (see `YAMLSection`); a node that is not a mapping is
    /// recorded as a problem and `body` is not called.
    public func section(_ body: (inout YAMLSection) -> Void) {
        guard var section = YAMLSection(self) else { return }
        body(&section)
        section.reportUnknownKeys()
    }

    /// The elements of a list (a single value reads as a list of one); a map is recorded as a problem.
    public func elements() -> [YAMLNode] {
        do { return try list() } catch {
            context.record(error, at: self)
            return []
        }
    }

    /// The variable an unset `${VAR}` left empty at `keyPath` (this file), if any.
    public func unsetVariable(at keyPath: String) -> String? {
        context.unsetVariables.last { $0.keyPath == keyPath }?.variable
    }

    /// Runs `body`; a problem it throws is recorded and nil returned (the reading goes on).
    public func attempt<T>(_ body: () throws -> T) -> T? {
        do { return try body() } catch {
            context.record(error, at: self)
            return nil
        }
    }
}

/// A YAML file read with every problem collected: the reader records what is wrong and goes on, and
/// `read` throws them all at the end, sorted by line (one `ConfigError`, or `ConfigErrors` for several).
public enum YAMLDocument {
    /// Reads `yaml` with `body` (nil root for an empty document). `unsetIsError`: an unset `${VAR}` without
    /// a default is a problem rather than a note in the returned `unset` list.
    /// `emptyIsError`: an empty document (or only comments) is a problem (a data file that must say something).
    public static func read<T>(
        yaml: String, file: String, environment: [String: String], unsetIsError: Bool = false, emptyIsError: Bool = false,
        _ body: (YAMLNode?) -> T
    ) throws -> (value: T, unset: [(keyPath: String, variable: String)]) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(file: file, keyPath: "", line: ConfigLoader.line(of: error), message: "not valid YAML: \(error)")
        }
        let context = YAMLContext(file: file, environment: environment, unsetIsError: unsetIsError)
        if node == nil, emptyIsError {
            context.problems.append(ConfigError(file: file, keyPath: "", line: nil, message: "the file is empty"))
        }
        let value = body(node.map { YAMLNode(node: $0, path: "", context: context) })
        let problems = context.problems.enumerated().sorted {
            ($0.element.line ?? Int.max, $0.offset) < ($1.element.line ?? Int.max, $1.offset)
        }.map(\.element)
        if problems.count == 1 { throw problems[0] }
        if problems.count > 1 { throw ConfigErrors(problems) }
        return (value, context.unsetVariables)
    }
}
