import Synchronization

/// The compiled event catalog (`Resources/generated/catalog.tsv`, written by scripts/catalog/generate.py):
/// one line per (event source, event name), sorted, compiled into the binary as a string literal.
///
/// Nothing is parsed at start-up: a call is found by binary search over the bytes in place and only
/// its line is decoded, once (the answer is cached). Loading ~18,000 lines of YAML this way costs
/// nothing; the same data as YAML took half a second.
final class CompiledCatalog: Sendable {
    enum Lookup: Sendable, Equatable {
        case mapped(CatalogEntry)
        case classified(String)
        /// The API model says the operation is read-only.
        case readOnly
        /// The API model says the operation changes something the catalog neither maps nor classifies.
        case mutating
        /// No API model describes the call.
        case unknown
    }

    private struct Key: Hashable {
        let source: String
        let name: String
    }

    private struct Derived {
        var lookups: [Key: Lookup] = [:]
        var sourcesByName: [String: [String]]?
        var mappedCount: Int?
        /// Every mapped entry, decoded on first use (commands, `state coverage`, doctor), not by the detector.
        var allMapped: [CatalogEntry]?
    }

    /// Distinct calls whose answers are kept: every call the models know fits, so only a flood of
    /// made-up names (which are never cached past this) could grow it.
    static let cacheLimit = 40_000

    let text: String
    private let derived = Mutex(Derived())

    init(text: String) {
        self.text = text
    }

    /// The catalog compiled into this binary, or nil in a build made without the generated files.
    static let builtIn: CompiledCatalog? = EmbeddedResources.literal("generated/catalog.tsv").map(CompiledCatalog.init)

    func lookup(source: String, name: String) -> Lookup {
        let key = Key(source: source, name: name)
        if let cached = derived.withLock({ $0.lookups[key] }) { return cached }
        let result = withBytes { bytes in
            Self.find(source: source, name: name, in: bytes).map { Self.decode(line: bytes[$0]) } ?? .unknown
        }
        derived.withLock { state in
            if state.lookups.count < Self.cacheLimit { state.lookups[key] = result }
        }
        return result
    }

    func isMapped(source: String, name: String) -> Bool {
        if case .mapped = lookup(source: source, name: name) { return true }
        return false
    }

    /// Sources of the mapped calls named `name` (built once, on first use: only records without an
    /// event source need it).
    func mappedSources(forName name: String) -> [String] {
        if let table = derived.withLock({ $0.sourcesByName }) { return table[name] ?? [] }
        var table: [String: [String]] = [:]
        forEachLine { line in
            guard let fields = Self.headFields(line), fields.kind == UInt8(ascii: "M") else { return }
            table[String(decoding: fields.name, as: UTF8.self), default: []].append(
                String(decoding: fields.source, as: UTF8.self))
        }
        derived.withLock { $0.sourcesByName = table }
        return table[name] ?? []
    }

    var mappedCount: Int {
        if let count = derived.withLock({ $0.mappedCount }) { return count }
        var count = 0
        forEachLine { line in
            if Self.headFields(line)?.kind == UInt8(ascii: "M") { count += 1 }
        }
        derived.withLock { $0.mappedCount = count }
        return count
    }

    func allMappedEntries() -> [CatalogEntry] {
        if let cached = derived.withLock({ $0.allMapped }) { return cached }
        var result: [CatalogEntry] = []
        forEachLine { line in
            guard Self.headFields(line)?.kind == UInt8(ascii: "M") else { return }
            if case .mapped(let entry) = Self.decode(line: line) { result.append(entry) }
        }
        derived.withLock { $0.allMapped = result }
        return result
    }

    func allClassifiedCalls() -> [ClassifiedCall] {
        var result: [ClassifiedCall] = []
        forEachLine { line in
            guard let fields = Self.headFields(line), case .classified(let reason) = Self.decode(line: line) else { return }
            result.append(
                ClassifiedCall(
                    source: String(decoding: fields.source, as: UTF8.self), name: String(decoding: fields.name, as: UTF8.self),
                    reason: reason))
        }
        return result
    }

    // MARK: Bytes

    private func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        let copy = Array(text.utf8)
        return copy.withUnsafeBufferPointer(body)
    }

    private func forEachLine(_ body: (Slice<UnsafeBufferPointer<UInt8>>) -> Void) {
        withBytes { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                if end > start { body(bytes[start..<end]) }
                start = end + 1
            }
        }
    }

    /// The line of (source, name), by binary search over byte offsets (lines are sorted by source,
    /// then name, as bytes).
    static func find(source: String, name: String, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var source = source
        var name = name
        return source.withUTF8 { sourceBytes in
            name.withUTF8 { nameBytes in
                var low = 0
                var high = bytes.count
                while low < high {
                    var start = (low + high) / 2
                    while start > low, bytes[start - 1] != 0x0A { start -= 1 }
                    var end = start
                    while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                    let order = compare(line: bytes[start..<end], source: sourceBytes, name: nameBytes)
                    if order == 0 { return start..<end }
                    if order < 0 { low = end + 1 } else { high = start }
                }
                return nil
            }
        }
    }

    /// The line's (source, name) against the key: negative when the line sorts first.
    static func compare(
        line: Slice<UnsafeBufferPointer<UInt8>>, source: UnsafeBufferPointer<UInt8>, name: UnsafeBufferPointer<UInt8>
    ) -> Int {
        var index = line.startIndex
        func field(against key: UnsafeBufferPointer<UInt8>) -> Int {
            var k = 0
            while index < line.endIndex, line[index] != 0x09 {
                guard k < key.count else { return 1 }
                if line[index] != key[k] { return line[index] < key[k] ? -1 : 1 }
                index += 1
                k += 1
            }
            return k < key.count ? -1 : 0
        }
        let first = field(against: source)
        if first != 0 { return first }
        guard index < line.endIndex else { return -1 }
        index += 1
        return field(against: name)
    }

    struct HeadFields {
        var source: Slice<UnsafeBufferPointer<UInt8>>
        var name: Slice<UnsafeBufferPointer<UInt8>>
        var kind: UInt8
    }

    static func headFields(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> HeadFields? {
        guard let firstTab = line.firstIndex(of: 0x09) else { return nil }
        let rest = line[(firstTab + 1)...]
        guard let secondTab = rest.firstIndex(of: 0x09), secondTab + 1 < line.endIndex else { return nil }
        return HeadFields(source: line[..<firstTab], name: line[(firstTab + 1)..<secondTab], kind: line[secondTab + 1])
    }

    static func decode(line: Slice<UnsafeBufferPointer<UInt8>>) -> Lookup {
        CompiledLine.decode(String(decoding: line, as: UTF8.self))
    }
}
