import TfdriftCore

/// Decodes one line of the compiled catalog (format: scripts/catalog/tfdrift_catalog/emit.py and
/// docs/event-catalog.md). The generator writes and a test checks every line; a line that does not
/// decode is treated as unknown rather than crashing the detector.
enum CompiledLine {
    static func decode(_ line: String) -> CompiledCatalog.Lookup {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count >= 3 else { return .unknown }
        switch fields[2] {
        case "R": return .readOnly
        case "U": return .mutating
        case "N": return fields.count >= 4 ? .classified(percentDecoded(fields[3])) : .unknown
        case "M": return entry(fields).map(CompiledCatalog.Lookup.mapped) ?? .unknown
        default: return .unknown
        }
    }

    static func entry(_ fields: [Substring]) -> CatalogEntry? {
        guard fields.count >= 7, let change = ChangeKind(rawValue: String(fields[3])) else { return nil }
        let severity = fields[4] == "-" ? nil : Severity(rawValue: String(fields[4]))
        var targets: [CatalogTarget] = []
        for field in fields[6...] {
            guard let target = target(field) else { return nil }
            targets.append(target)
        }
        return CatalogEntry(
            source: String(fields[0]), name: String(fields[1]), change: change, targets: targets, severity: severity,
            definedIn: origin(fields[5]))
    }

    /// `c:ec2.yaml` -> `built-in catalog/ec2.yaml`; `g:guardduty` -> `generated from the AWS API model (guardduty)`.
    static func origin(_ field: Substring) -> String {
        if field.hasPrefix("c:") { return "built-in catalog/\(field.dropFirst(2))" }
        if field.hasPrefix("g:") { return "generated from the AWS API model (\(field.dropFirst(2)))" }
        return String(field)
    }

    /// `type|idspec;idspec|diff;diff[|change]`
    static func target(_ field: Substring) -> CatalogTarget? {
        let parts = field.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3 || parts.count == 4, parts[0].hasPrefix("aws_") else { return nil }
        var change: ChangeKind?
        if parts.count == 4 {
            guard let parsed = ChangeKind(rawValue: String(parts[3])) else { return nil }
            change = parsed
        }
        var identifiers: [IdentifierSource] = []
        for spec in parts[1].split(separator: ";") {
            guard let identifier = identifier(spec) else { return nil }
            identifiers.append(identifier)
        }
        var diff: [DiffMapping] = []
        for spec in parts[2].split(separator: ";") {
            guard let mapping = mapping(spec) else { return nil }
            diff.append(mapping)
        }
        return CatalogTarget(resourceType: String(parts[0]), identifiers: identifiers, diff: diff, change: change)
    }

    /// `path+path,s=<separator>,x=<prefix>`
    static func identifier(_ spec: Substring) -> IdentifierSource? {
        let parts = spec.split(separator: ",", omittingEmptySubsequences: false)
        var paths: [RecordPath] = []
        for text in parts[0].split(separator: "+") {
            guard let path = RecordPath(String(text)) else { return nil }
            paths.append(path)
        }
        guard !paths.isEmpty else { return nil }
        var source = IdentifierSource(paths: paths)
        for modifier in parts.dropFirst() {
            if modifier.hasPrefix("s=") {
                source.separator = percentDecoded(modifier.dropFirst(2))
            } else if modifier.hasPrefix("x=") {
                source.stripPrefix = percentDecoded(modifier.dropFirst(2))
            } else {
                return nil
            }
        }
        return source
    }

    /// `[!]attribute=path[~transform]` or `[!]attribute==tag:value`
    static func mapping(_ spec: Substring) -> DiffMapping? {
        var text = spec
        let sensitive = text.first == "!"
        if sensitive { text = text.dropFirst() }
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let attribute = String(text[..<equals])
        let rest = text[text.index(after: equals)...]
        if rest.first == "=" {
            let constant = rest.dropFirst()
            guard constant.count >= 2, constant.dropFirst().first == ":" else { return nil }
            let value = percentDecoded(constant.dropFirst(2))
            let json: JSONValue
            switch constant.first {
            case "b": json = .bool(value == "true")
            case "n": json = .number(value)
            case "s": json = .string(value)
            case "z": json = .null
            default: return nil
            }
            return DiffMapping(attribute: attribute, source: .constant(json), sensitive: sensitive)
        }
        var pathText = rest
        var transform = DiffTransform.plain
        if let tilde = rest.firstIndex(of: "~") {
            guard let parsed = DiffTransform(rawValue: String(rest[rest.index(after: tilde)...])) else { return nil }
            transform = parsed
            pathText = rest[..<tilde]
        }
        guard let path = RecordPath(String(pathText)) else { return nil }
        return DiffMapping(attribute: attribute, source: .path(path, transform), sensitive: sensitive)
    }

    static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
