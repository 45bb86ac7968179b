import Foundation
import TfdriftCore

/// What a mutating call does to the resource it names.
public enum ChangeKind: String, Sendable, CaseIterable {
    case create, modify, delete
}

/// A path into a record's `requestParameters` (`request.…`) or `responseElements` (`response.…`).
public struct RecordPath: Sendable, Equatable, CustomStringConvertible {
    public enum Root: String, Sendable { case request, response }
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
public struct IdentifierSource: Sendable, Equatable {
    public var paths: [RecordPath]
    public var separator: String = ":"
    public var stripPrefix: String?
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
    /// Which file defined it (for `--explain` and error messages).
    public var definedIn: String
}

/// The event catalog: (eventSource, eventName) → entry. Data, loaded from YAML files.
public struct EventCatalog: Sendable {
    struct Key: Hashable, Sendable {
        let source: String
        let name: String
    }

    var entries: [Key: CatalogEntry] = [:]
    /// For inputs without an event source (upstream's Falco rule does not output ct.src).
    var sourcesByName: [String: [String]] = [:]

    public init(entries: [CatalogEntry] = []) {
        for entry in entries { add(entry) }
    }

    mutating func add(_ entry: CatalogEntry) {
        let key = Key(source: entry.source, name: entry.name)
        if entries[key] == nil { sourcesByName[entry.name, default: []].append(entry.source) }
        entries[key] = entry
    }

    /// Later catalogs override earlier ones entry by entry.
    public mutating func merge(_ other: EventCatalog) {
        for entry in other.entries.values.sorted(by: { ($0.source, $0.name) < ($1.source, $1.name) }) { add(entry) }
    }

    public func entry(source: String, name: String) -> CatalogEntry? {
        entries[Key(source: source, name: name)]
    }

    /// The only source that defines `name`, if exactly one does.
    public func uniqueSource(forName name: String) -> String? {
        guard let sources = sourcesByName[name], sources.count == 1 else { return nil }
        return sources[0]
    }

    public var count: Int { entries.count }
    public var allEntries: [CatalogEntry] {
        entries.values.sorted { ($0.source, $0.name) < ($1.source, $1.name) }
    }

    /// Every resource type some call can reach: what `state coverage` compares the states against.
    public var observableResourceTypes: Set<String> {
        Set(entries.values.flatMap { $0.targets.map(\.resourceType) })
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
