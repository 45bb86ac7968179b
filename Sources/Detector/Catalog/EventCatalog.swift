import Foundation
import TfdriftCore

/// What a mutating call does to the resource it names.
public enum ChangeKind: String, Sendable, CaseIterable {
    case create, modify, delete
}

/// A path into a record's `requestParameters` (`request.…`), `responseElements` (`response.…`), or
/// the record itself (`record.awsRegion`, `record.recipientAccountId`: the identifier of an account or
/// region singleton such as aws_ebs_encryption_by_default).
public struct RecordPath: Sendable, Equatable, CustomStringConvertible {
    public enum Root: String, Sendable { case request, response, record }
    public let root: Root
    public let segments: [String]

    public init?(_ text: String) {
        let parts = text.split(separator: ".").map(String.init)
        guard let first = parts.first, let root = Root(rawValue: first), parts.count >= 2 else { return nil }
        self.root = root
        self.segments = Array(parts.dropFirst())
    }

    public var description: String { ([root.rawValue] + segments).joined(separator: ".") }
}

/// Where an identifier comes from: one path, optionally cleaned, or several joined (`role:policy`).
/// A `record.` path reads the record itself (region or account of a singleton).
public struct IdentifierSource: Sendable, Equatable {
    public var paths: [RecordPath]
    public var separator: String = ":"
    public var stripPrefix: String?

    public init(paths: [RecordPath], separator: String = ":", stripPrefix: String? = nil) {
        self.paths = paths
        self.separator = separator
        self.stripPrefix = stripPrefix
    }
}

/// How a diff entry's new value is obtained from the call.
public enum DiffSource: Sendable, Equatable {
    case path(RecordPath, DiffTransform)
    case constant(JSONValue)
}

public enum DiffTransform: String, Sendable, CaseIterable {
    case plain
    case json
    case sgRulesAdded = "sg_rules_added"
    case sgRulesRemoved = "sg_rules_removed"
    case tagsAdded = "tags_added"
    case tagsRemoved = "tags_removed"
    case listAdded = "list_added"
    case listRemoved = "list_removed"
}

public struct DiffMapping: Sendable, Equatable {
    public var attribute: String
    public var source: DiffSource
    /// The provider marks the attribute (or something nested in it) sensitive: a drift says that the
    /// call set it, never to what.
    public var sensitive: Bool = false

    public init(attribute: String, source: DiffSource, sensitive: Bool = false) {
        self.attribute = attribute
        self.source = source
        self.sensitive = sensitive
    }
}

/// One resource type a call can touch, and how to find and value it.
public struct CatalogTarget: Sendable, Equatable {
    public var resourceType: String
    public var identifiers: [IdentifierSource]
    public var diff: [DiffMapping]
    /// What the call does to this target when it differs from the entry's (a `DeleteAccessKey` deletes a
    /// key, and modifies the user that had it).
    public var change: ChangeKind?

    public init(resourceType: String, identifiers: [IdentifierSource], diff: [DiffMapping], change: ChangeKind? = nil) {
        self.resourceType = resourceType
        self.identifiers = identifiers
        self.diff = diff
        self.change = change
    }
}

public struct CatalogEntry: Sendable, Equatable {
    public var source: String
    public var name: String
    public var change: ChangeKind
    /// The primary target first, then the `also` alternatives in order.
    public var targets: [CatalogTarget]
    public var severity: Severity?
    /// Which file defined it (for `--explain` and error messages): `built-in catalog/ec2.yaml` for a
    /// curated entry, `generated from the AWS API model (guardduty)` for a generated one, or a user file.
    public var definedIn: String

    public init(
        source: String, name: String, change: ChangeKind, targets: [CatalogTarget], severity: Severity?, definedIn: String
    ) {
        self.source = source
        self.name = name
        self.change = change
        self.targets = targets
        self.severity = severity
        self.definedIn = definedIn
    }
}

/// A call the catalog knows changes no resource (`SendCommand`, `StartSession`, `ConsoleLogin`), and why.
public struct ClassifiedCall: Sendable, Equatable {
    public var source: String
    public var name: String
    public var reason: String
}

/// The event catalog: (eventSource, eventName) → entry, classification, or read-only.
///
/// The built-in part is the compiled catalog (generated from the AWS API models and the curated YAML,
/// searched in place: see `CompiledCatalog`); entries loaded from YAML files (`detection.catalog_paths`)
/// are kept beside it and replace a built-in entry with the same source and name.
public struct EventCatalog: Sendable {
    struct Key: Hashable, Sendable {
        let source: String
        let name: String
    }

    var entries: [Key: CatalogEntry] = [:]
    /// For inputs without an event source (upstream's Falco rule does not output ct.src).
    var sourcesByName: [String: [String]] = [:]
    /// The compiled built-in catalog, when this catalog includes it.
    var compiled: CompiledCatalog?

    public init(entries: [CatalogEntry] = []) {
        for entry in entries { add(entry) }
    }

    init(compiled: CompiledCatalog) {
        self.compiled = compiled
    }

    mutating func add(_ entry: CatalogEntry) {
        let key = Key(source: entry.source, name: entry.name)
        if entries[key] == nil { sourcesByName[entry.name, default: []].append(entry.source) }
        entries[key] = entry
    }

    /// Later catalogs override earlier ones entry by entry.
    public mutating func merge(_ other: EventCatalog) {
        if compiled == nil { compiled = other.compiled }
        for entry in other.entries.values.sorted(by: { ($0.source, $0.name) < ($1.source, $1.name) }) { add(entry) }
    }

    public func entry(source: String, name: String) -> CatalogEntry? {
        if let entry = entries[Key(source: source, name: name)] { return entry }
        guard let compiled, case .mapped(let entry) = compiled.lookup(source: source, name: name) else { return nil }
        return entry
    }

    /// Why the call changes no resource, when the catalog classifies it so (a mapped entry from a
    /// user file wins over a built-in classification).
    public func classification(source: String, name: String) -> String? {
        guard entries[Key(source: source, name: name)] == nil, let compiled,
            case .classified(let reason) = compiled.lookup(source: source, name: name)
        else { return nil }
        return reason
    }

    /// What the AWS API model says: true for a read-only operation, false for a mutating one, nil for a
    /// call no model describes (the detector then falls back to naming conventions).
    public func isReadOnly(source: String, name: String) -> Bool? {
        if entries[Key(source: source, name: name)] != nil { return false }
        switch compiled?.lookup(source: source, name: name) {
        case .readOnly: return true
        case .mapped, .classified, .mutating: return false
        case .unknown, nil: return nil
        }
    }

    /// The only source that defines `name`, if exactly one does.
    public func uniqueSource(forName name: String) -> String? {
        var sources = Set(sourcesByName[name] ?? [])
        sources.formUnion(compiled?.mappedSources(forName: name) ?? [])
        guard sources.count == 1 else { return nil }
        return sources.first
    }

    /// Mapped calls (the user's files and the built-in catalog together).
    public var count: Int {
        guard let compiled else { return entries.count }
        let overridden = entries.keys.filter { compiled.isMapped(source: $0.source, name: $0.name) }.count
        return compiled.mappedCount + entries.count - overridden
    }

    public var allEntries: [CatalogEntry] {
        var all = entries
        for entry in compiled?.allMappedEntries() ?? [] where all[Key(source: entry.source, name: entry.name)] == nil {
            all[Key(source: entry.source, name: entry.name)] = entry
        }
        return all.values.sorted { ($0.source, $0.name) < ($1.source, $1.name) }
    }

    /// Calls classified as no resource change (not replaced by a user's entry), sorted.
    public var classifiedCalls: [ClassifiedCall] {
        (compiled?.allClassifiedCalls() ?? []).filter { entries[Key(source: $0.source, name: $0.name)] == nil }
    }

    /// Every resource type some call can reach: what `state coverage` compares the states against.
    public var observableResourceTypes: Set<String> {
        Set(allEntries.flatMap { $0.targets.map(\.resourceType) })
    }

    /// Strips API-version suffixes: Lambda logs `UpdateFunctionConfiguration20150331v2`,
    /// CloudFront `UpdateDistribution2020_05_31`.
    public static func normalisedEventName(_ name: String) -> String {
        let utf8 = Array(name.utf8)
        var end = utf8.count
        // optional trailing v<digits>
        var index = end
        while index > 0, utf8[index - 1] >= 48, utf8[index - 1] <= 57 { index -= 1 }
        if index < end, index > 0, utf8[index - 1] == UInt8(ascii: "v") { end = index - 1 }
        // 20YYMMDD or 20YY_MM_DD
        var digitsStart = end
        var digitCount = 0
        while digitsStart > 0,
            (utf8[digitsStart - 1] >= 48 && utf8[digitsStart - 1] <= 57) || utf8[digitsStart - 1] == UInt8(ascii: "_")
        {
            if utf8[digitsStart - 1] != UInt8(ascii: "_") { digitCount += 1 }
            digitsStart -= 1
        }
        guard digitCount == 8, digitsStart > 0, utf8[digitsStart] == UInt8(ascii: "2"), utf8[digitsStart + 1] == UInt8(ascii: "0")
        else {
            return end == utf8.count ? name : name  // a bare "v2" suffix alone is part of real names
        }
        return String(decoding: utf8[0..<digitsStart], as: UTF8.self)
    }
}
