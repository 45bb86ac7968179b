import Foundation
import TfdriftCore

/// Reads catalog YAML files (see docs/event-catalog.md), strictly: a typo in a catalog file is an
/// error naming the file, key and line, not a silently unobserved event.
public enum CatalogLoader {
    /// The catalog compiled into the binary: generated from the AWS API models with the curated YAML of
    /// `Sources/Detector/Resources/catalog` laid over (scripts/catalog/generate.py), embedded as text and
    /// searched in place, so loading it costs nothing at start-up.
    public static func builtIn() throws -> EventCatalog {
        guard let compiled = CompiledCatalog.builtIn else {
            throw ConfigError(
                file: "catalog", keyPath: "", line: nil,
                message: "this build of tfdriftctl has no built-in event catalog; rebuild it from a complete checkout")
        }
        return EventCatalog(compiled: compiled)
    }

    /// Built-in catalog plus the user's extra files (later entries replace earlier ones).
    public static func load(extraPaths: [String]) throws -> EventCatalog {
        var catalog = try builtIn()
        for path in extraPaths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ConfigError(
                    file: path, keyPath: "detection.catalog_paths", line: nil, message: "no such catalog file or directory")
            }
            catalog.merge(isDirectory.boolValue ? try load(directory: path) : try load(file: path))
        }
        return catalog
    }

    public static func load(directory: String) throws -> EventCatalog {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var catalog = EventCatalog()
        for name in names {
            catalog.merge(try load(file: (directory as NSString).appendingPathComponent(name)))
        }
        return catalog
    }

    public static func load(file: String) throws -> EventCatalog {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, keyPath: "", line: nil, message: "cannot read the catalog file")
        }
        return try parse(yaml: text, file: file)
    }

    public static func parse(yaml: String, file: String) throws -> EventCatalog {
        var catalog = EventCatalog()
        guard let root = try YAMLNode.root(yaml: yaml, file: file) else { return catalog }
        let fields = try root.fields(["source", "events"])
        let source = try fields.required("source").string()
        var seen = Set<String>()
        for eventNode in try fields.required("events").list() {
            let entry = try readEntry(eventNode, source: source, file: file)
            guard seen.insert(entry.name).inserted else {
                throw eventNode.problem("\(entry.name) is listed twice for \(source)")
            }
            var marked = entry
            TerraformResourceTypes.markSensitive(&marked)
            catalog.add(marked)
        }
        return catalog
    }

    static func readEntry(_ node: YAMLNode, source: String, file: String) throws -> CatalogEntry {
        let fields = try node.fields(["name", "change", "resource", "id", "severity", "diff", "also"])
        let name = try fields.required("name").string()
        let change = try fields.required("change").oneOf(ChangeKind.self)
        let primary = try readTarget(fields, node: node, inheritedDiff: [])
        var targets = [primary]
        if let also = fields["also"] {
            for alternative in try also.list() {
                let alternativeFields = try alternative.fields(["resource", "id", "diff", "change"])
                var target = try readTarget(alternativeFields, node: alternative, inheritedDiff: primary.diff)
                target.change = try alternativeFields["change"]?.oneOf(ChangeKind.self)
                targets.append(target)
            }
        }
        return CatalogEntry(
            source: source, name: name, change: change, targets: targets,
            severity: try fields["severity"]?.oneOf(Severity.self), definedIn: file)
    }

    static func readTarget(_ fields: Fields, node: YAMLNode, inheritedDiff: [DiffMapping]) throws -> CatalogTarget {
        let type = try fields.required("resource").string()
        guard type.hasPrefix("aws_") else {
            throw try fields.required("resource").problem(
                "expected a Terraform AWS resource type such as aws_instance, got \"\(type)\"")
        }
        var identifiers: [IdentifierSource] = []
        for idNode in try fields.required("id").list() {
            identifiers.append(try readIdentifier(idNode))
        }
        guard !identifiers.isEmpty else { throw node.problem("id: list at least one path") }
        var diff = inheritedDiff
        if let diffNode = fields["diff"] {
            // An attribute may list several sources, applied in order (a call that adds and removes).
            diff = try diffNode.entries().flatMap { attribute, valueNode in
                let sources = valueNode.isList ? try valueNode.list() : [valueNode]
                return try sources.map { DiffMapping(attribute: attribute, source: try readDiffSource($0)) }
            }
        }
        return CatalogTarget(resourceType: type, identifiers: identifiers, diff: diff)
    }

    static func path(_ node: YAMLNode) throws -> RecordPath {
        let text = try node.string()
        guard let path = RecordPath(text) else {
            throw node.problem("expected a path starting with request. or response., got \"\(text)\"")
        }
        return path
    }

    static func readIdentifier(_ node: YAMLNode) throws -> IdentifierSource {
        if node.isScalar { return IdentifierSource(paths: [try path(node)]) }
        let fields = try node.fields(["path", "join", "separator", "strip_prefix"])
        var source: IdentifierSource
        if let single = fields["path"] {
            source = IdentifierSource(paths: [try path(single)])
        } else if let join = fields["join"] {
            source = IdentifierSource(paths: try join.list().map(path))
            guard source.paths.count >= 2 else { throw join.problem("join needs at least two paths") }
        } else {
            throw node.problem("an id entry needs path or join")
        }
        if let separator = fields["separator"] { source.separator = try separator.string() }
        source.stripPrefix = try fields["strip_prefix"]?.string()
        return source
    }

    static func readDiffSource(_ node: YAMLNode) throws -> DiffSource {
        if node.isScalar { return .path(try path(node), .plain) }
        let fields = try node.fields(["from", "as", "value"])
        if let constant = fields["value"] {
            guard !fields.has("from") else { throw node.problem("use either from or value, not both") }
            // `value: []`: the call empties the attribute (a configuration deleted).
            if constant.isList || constant.isNull { return .constant(.null) }
            let text = try constant.string()
            let value: JSONValue
            switch text {
            case "true": value = .bool(true)
            case "false": value = .bool(false)
            default: value = Double(text) != nil ? .number(text) : .string(text)
            }
            return .constant(value)
        }
        let transform = try fields["as"]?.oneOf(DiffTransform.self) ?? .plain
        return .path(try path(fields.required("from")), transform)
    }
}
