import TfdriftCore

/// Resolves catalog paths against a call's request/response values.
///
/// Crossing an array visits every element (one id per element); EC2's `{"items": [...]}` wrappers
/// are crossed without being named; a key that is not found exactly is looked up case-insensitively
/// (Falco lower-cases `ct.request.*` names; some services change key case between API versions).
enum PathResolver {
    static func values(_ segments: ArraySlice<String>, in value: JSONValue) -> [JSONValue] {
        guard let segment = segments.first else {
            if case .object(let object) = value, object.count == 1, let items = object["items"] {
                return items.arrayValue ?? [items]
            }
            return [value]
        }
        switch value {
        case .array(let elements):
            return elements.flatMap { values(segments, in: $0) }
        case .object(let object):
            if let next = object[segment] ?? caseInsensitive(segment, in: object) {
                return values(segments.dropFirst(), in: next)
            }
            if segment != "items", let items = object["items"] {
                return values(segments, in: items)
            }
            return []
        default:
            return []
        }
    }

    static func caseInsensitive(_ key: String, in object: [String: JSONValue]) -> JSONValue? {
        let lowered = key.lowercased()
        return object.first { $0.key.lowercased() == lowered }?.value
    }

    /// Scalar leaves as identifier strings (numbers included: Route 53 and ECS use numeric ids).
    static func strings(_ segments: [String], in value: JSONValue?) -> [String] {
        guard let value else { return [] }
        return values(segments[...], in: value).flatMap { leaf -> [String] in
            switch leaf {
            case .array(let elements): return elements.compactMap(\.scalarText)
            default: return leaf.scalarText.map { [$0] } ?? []
            }
        }.filter { !$0.isEmpty }
    }
}

/// The decoded request and response of one call, decoded once and shared by all lookups, and the
/// record's own region and account (the identifiers of account/region singletons, `record.…` paths).
struct CallPayload {
    let request: JSONValue?
    let response: JSONValue?
    let region: String?
    let account: String?

    init(_ record: CloudTrailRecord) {
        request = try? record.requestParameters?.decode()
        response = try? record.responseElements?.decode()
        region = record.awsRegion
        account = record.recipientAccountID ?? (try? record.userIdentity?.decode())?["accountId"]?.scalarText
    }

    init(request: JSONValue?, response: JSONValue?, region: String? = nil, account: String? = nil) {
        self.request = request
        self.response = response
        self.region = region
        self.account = account
    }

    func root(_ path: RecordPath) -> JSONValue? {
        switch path.root {
        case .request: return request
        case .response: return response
        case .record:
            // The record fields singletons are identified by, under their CloudTrail names.
            var fields: [String: JSONValue] = [:]
            if let region { fields["awsRegion"] = .string(region) }
            if let account { fields["recipientAccountId"] = .string(account) }
            return .object(fields)
        }
    }

    func identifiers(_ source: IdentifierSource) -> [String] {
        var result: [String]
        if source.paths.count == 1 {
            result = PathResolver.strings(source.paths[0].segments, in: root(source.paths[0]))
        } else {
            let parts = source.paths.map { PathResolver.strings($0.segments, in: root($0)).first }
            guard parts.allSatisfy({ $0 != nil }) else { return [] }
            result = [parts.compactMap { $0 }.joined(separator: source.separator)]
        }
        if let prefix = source.stripPrefix {
            result = result.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
        }
        return result
    }

    /// The first identifier source of `target` that yields values.
    func identifiers(for target: CatalogTarget) -> [String] {
        for source in target.identifiers {
            let found = identifiers(source)
            if !found.isEmpty {
                var seen = Set<String>()
                return found.filter { seen.insert($0).inserted }
            }
        }
        return []
    }
}
