import Foundation
import TfdriftCore

/// One attribute a call sets: the state's value and the value after the call, both in the shape they
/// are compared in (policies parsed, security-group rules flattened, lists as sorted strings).
struct AttributeEffect {
    var attribute: String
    /// The state's value (`null` for a resource no state manages).
    var expected: JSONValue
    /// The value after the call; nil when it cannot be known (withheld by CloudTrail, sensitive).
    var value: JSONValue?
    /// What the diff shows: values that must not or cannot be echoed are placeholders.
    var change: AttributeChange
    /// The call removed items the resource was not known to have (granted before the picture began).
    var removedUnknown = false
    /// How the value is compared (constants as they are).
    var shape: DiffTransform = .plain
}

/// Values the calls set, against the state's: the diff of a drift event and the live picture's input.
enum DiffBuilder {
    static let sensitivePlaceholder = JSONValue.string("(sensitive value)")
    /// Placeholders CloudTrail writes instead of secret request values.
    static let redactedByCloudTrail: Set<String> = ["<sensitiveDataRemoved>", "HIDDEN_DUE_TO_SECURITY_REASONS", "****"]

    /// What `mappings` make of the resource. Additions and removals (rules, tags, shared accounts) apply
    /// to `current` — what the live picture holds — or to the state's value where it holds nothing yet.
    /// Mappings the call carries no value for are left out.
    static func effects(
        mappings: [DiffMapping], payload: CallPayload, instance: ResourceInstance?, current: [String: JSONValue]
    ) -> [AttributeEffect] {
        let attributes: [String: JSONValue] = {
            guard let raw = instance?.attributes, case .object(let object)? = try? raw.decode() else { return [:] }
            return object
        }()
        var effects: [AttributeEffect] = []
        for mapping in mappings {
            let stateValue = value(at: mapping.attribute, in: attributes)
            let expected = normalise(stateValue, for: mapping.source)
            let existing = effects.firstIndex { $0.attribute == mapping.attribute }
            let base = existing.flatMap { effects[$0].value } ?? current[mapping.attribute] ?? expected
            guard let (actual, removedUnknown) = newValue(mapping.source, payload: payload, base: base) else { continue }
            var effect = AttributeEffect(
                attribute: mapping.attribute, expected: expected, value: actual,
                change: AttributeChange(expected: expected, actual: actual), removedUnknown: removedUnknown)
            if case .path(_, let transform) = mapping.source { effect.shape = transform }
            if let text = actual.stringValue, redactedByCloudTrail.contains(text) {
                // CloudTrail withheld the value: the attribute was set, to what we cannot know.
                let shown =
                    mapping.sensitive || instance?.isSensitive(mapping.attribute) == true ? sensitivePlaceholder : stateValue
                effect.value = nil
                effect.change = AttributeChange(expected: shown, actual: .string("(withheld by CloudTrail)"))
            } else if mapping.sensitive
                || instance?.isSensitive(String(mapping.attribute.split(separator: ".").first ?? "")) == true
            {
                // Never decode or echo a sensitive value; say only that the call set it.
                effect.value = nil
                effect.change = AttributeChange(expected: sensitivePlaceholder, actual: sensitivePlaceholder)
            }
            if let existing {
                effect.removedUnknown = effect.removedUnknown || effects[existing].removedUnknown
                effects[existing] = effect
            } else {
                effects.append(effect)
            }
        }
        return effects
    }

    /// `instance_type` or `versioning.0.enabled` in the state's attributes.
    static func value(at path: String, in attributes: [String: JSONValue]) -> JSONValue {
        var current = JSONValue.object(attributes)
        for segment in path.split(separator: ".") {
            switch current {
            case .object(let object): current = object[String(segment)] ?? .null
            case .array(let array):
                if let index = Int(segment) {
                    guard index < array.count else { return .null }
                    current = array[index]
                } else {
                    // Terraform nested blocks are lists of one: `environment.variables` means
                    // `environment.0.variables`.
                    guard let first = array.first, case .object(let object) = first else { return .null }
                    current = object[String(segment)] ?? .null
                }
            default: return .null
            }
        }
        return current
    }

    /// The value after the call, in the compared shape; for additions and removals applied to `base`
    /// (already in that shape), with whether a removal named items `base` did not hold.
    static func newValue(_ source: DiffSource, payload: CallPayload, base: JSONValue) -> (JSONValue, Bool)? {
        switch source {
        case .constant(let value):
            return (value, false)
        case .path(let path, let transform):
            var found = PathResolver.values(path.segments[...], in: payload.root(path) ?? .null)
            if transform == .sgRulesAdded || transform == .sgRulesRemoved,
                let legacy = SecurityGroupRules.legacyPermission(payload.root(path))
            {
                // The older single-rule form (cidrIp/ipProtocol/fromPort/toPort at the top level).
                found = found.filter { !SecurityGroupRules.fromCall($0).isEmpty } + [legacy]
            }
            guard !found.isEmpty else { return nil }
            let value = found.count == 1 ? unwrap(found[0]) : .array(found.map(unwrap))
            let strings = Set(base.arrayValue?.compactMap(\.stringValue) ?? [])
            func sorted(_ set: Set<String>) -> JSONValue { .array(set.sorted().map(JSONValue.string)) }
            switch transform {
            case .plain: return (value, false)
            case .json: return (PolicyDocument.parse(value) ?? value, false)
            case .sgRulesAdded: return (sorted(strings.union(SecurityGroupRules.fromCall(value))), false)
            case .sgRulesRemoved:
                let removed = SecurityGroupRules.fromCall(value)
                return (sorted(strings.subtracting(removed)), !removed.isSubset(of: strings))
            case .tagsAdded: return (.object(Tags.map(base).merging(Tags.fromCall(value)) { $1 }), false)
            case .tagsRemoved:
                var tags = Tags.map(base)
                let removed = Tags.fromCall(value).keys
                let unknown = removed.contains { tags[$0] == nil }
                for key in removed { tags.removeValue(forKey: key) }
                return (.object(tags), unknown)
            case .listAdded: return (sorted(strings.union(ScalarSet.of(value))), false)
            case .listRemoved:
                let removed = ScalarSet.of(value)
                return (sorted(strings.subtracting(removed)), !removed.isSubset(of: strings))
            }
        }
    }

    /// Present the state's value in the same shape as the call's (policies parsed, rules flattened).
    static func normalise(_ stateValue: JSONValue, for source: DiffSource) -> JSONValue {
        guard case .path(_, let transform) = source else { return stateValue }
        return normalise(stateValue, as: transform)
    }

    static func normalise(_ stateValue: JSONValue, as transform: DiffTransform) -> JSONValue {
        switch transform {
        case .plain: return stateValue
        case .json: return PolicyDocument.parse(stateValue) ?? stateValue
        case .sgRulesAdded, .sgRulesRemoved: return .array(SecurityGroupRules.flatten(stateValue).sorted().map(JSONValue.string))
        case .tagsAdded, .tagsRemoved: return .object(Tags.map(stateValue))
        case .listAdded, .listRemoved: return .array(ScalarSet.of(stateValue).sorted().map(JSONValue.string))
        }
    }

    /// EC2 wraps attribute values: `{"value": "t3.large"}`; `{"items": [...]}` lists.
    static func unwrap(_ value: JSONValue) -> JSONValue {
        guard case .object(let object) = value, object.count == 1 else { return value }
        if let inner = object["value"] ?? object["Value"] { return inner }
        if let items = object["items"] { return items }
        return value
    }
}

/// IAM/S3/KMS policy documents: carried as (URL-encoded) JSON strings or objects; compared semantically.
enum PolicyDocument {
    static func parse(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .object: return normalise(value)
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let decoded =
                trimmed.hasPrefix("%7B") || trimmed.hasPrefix("%7b") ? (trimmed.removingPercentEncoding ?? trimmed) : trimmed
            guard let parsed = try? JSONValue.parse(decoded) else { return value }
            return normalise(parsed)
        case .null: return .null
        default: return value
        }
    }

    static let listKeys: Set<String> = ["Statement", "Action", "NotAction", "Resource", "NotResource"]

    /// Single values and one-element lists mean the same in IAM grammar; make them one shape.
    static func normalise(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for (key, inner) in object {
                var normalised = normalise(inner)
                if listKeys.contains(key), !(normalised.arrayValue != nil) { normalised = .array([normalised]) }
                if key == "Principal" || key == "NotPrincipal", case .object(let principals) = normalised {
                    normalised = .object(principals.mapValues { $0.arrayValue != nil ? $0 : .array([$0]) })
                }
                result[key] = normalised
            }
            return .object(result)
        case .array(let array):
            return .array(array.map(normalise))
        default:
            return value
        }
    }
}

/// Security group rules flattened to one readable string per (protocol, ports, peer), e.g.
/// `tcp 22 from 0.0.0.0/0`, so added and removed rules diff cleanly whatever the grouping.
enum SecurityGroupRules {
    static func describe(protocol proto: String, from: String?, to: String?, peer: String) -> String {
        let protocolName = proto == "-1" ? "all" : proto
        var ports = ""
        if let from, let to, from != "-1", !(protocolName == "all") {
            ports = from == to ? " \(from)" : " \(from)-\(to)"
        }
        return "\(protocolName)\(ports) from \(peer)"
    }

    /// Terraform's inline `ingress`/`egress` blocks.
    static func flatten(_ stateValue: JSONValue) -> Set<String> {
        guard case .array(let rules) = stateValue else { return [] }
        var result = Set<String>()
        for rule in rules {
            let proto = rule["protocol"]?.scalarText ?? "-1"
            let from = rule["from_port"]?.scalarText
            let to = rule["to_port"]?.scalarText
            var peers: [String] = []
            for key in ["cidr_blocks", "ipv6_cidr_blocks", "security_groups", "prefix_list_ids"] {
                peers += rule[key]?.arrayValue?.compactMap(\.scalarText) ?? []
            }
            if rule["self"]?.scalarText == "true" { peers.append("self") }
            for peer in peers { result.insert(describe(protocol: proto, from: from, to: to, peer: peer)) }
        }
        return result
    }

    /// `AuthorizeSecurityGroupIngress` in its older form names one rule at the top level of the request.
    static func legacyPermission(_ request: JSONValue?) -> JSONValue? {
        guard let request, let proto = request["ipProtocol"] else { return nil }
        var peers: [String: JSONValue] = [:]
        if let cidr = request["cidrIp"] { peers["ipRanges"] = .array([.object(["cidrIp": cidr])]) }
        if let cidr = request["cidrIpv6"] { peers["ipv6Ranges"] = .array([.object(["cidrIpv6": cidr])]) }
        if let group = request["sourceSecurityGroupId"] ?? request["sourceSecurityGroupName"] {
            peers["groups"] = .array([.object(["groupId": group])])
        }
        guard !peers.isEmpty else { return nil }
        var permission = peers
        permission["ipProtocol"] = proto
        permission["fromPort"] = request["fromPort"]
        permission["toPort"] = request["toPort"]
        return .object(permission.compactMapValues { $0 })
    }

    /// CloudTrail `ipPermissions` (items unwrapped by the resolver or not).
    static func fromCall(_ value: JSONValue) -> Set<String> {
        let permissions: [JSONValue]
        switch value {
        case .array(let array): permissions = array
        case .object(let object): permissions = object["items"]?.arrayValue ?? [value]
        default: return []
        }
        var result = Set<String>()
        for permission in permissions {
            let proto = permission["ipProtocol"]?.scalarText ?? permission["IpProtocol"]?.scalarText ?? "-1"
            let from = permission["fromPort"]?.scalarText ?? permission["FromPort"]?.scalarText
            let to = permission["toPort"]?.scalarText ?? permission["ToPort"]?.scalarText
            func list(_ key: String, _ field: String) -> [String] {
                guard let container = permission[key] else { return [] }
                let entries = container["items"]?.arrayValue ?? container.arrayValue ?? []
                return entries.compactMap { $0[field]?.scalarText }
            }
            let peers =
                list("ipRanges", "cidrIp") + list("ipv6Ranges", "cidrIpv6") + list("groups", "groupId")
                + list("prefixListIds", "prefixListId")
            for peer in peers { result.insert(describe(protocol: proto, from: from, to: to, peer: peer)) }
        }
        return result
    }
}

/// Tags as a map, from Terraform's `tags` or CloudTrail's tag lists in their various shapes.
enum Tags {
    static func map(_ value: JSONValue) -> [String: JSONValue] {
        value.objectValue ?? [:]
    }

    static func fromCall(_ value: JSONValue) -> [String: JSONValue] {
        if case .object(let object) = value, object["items"] == nil, object["key"] == nil, object["Key"] == nil {
            return object
        }
        let entries = value["items"]?.arrayValue ?? value.arrayValue ?? [value]
        var result: [String: JSONValue] = [:]
        for entry in entries {
            guard let key = (entry["key"] ?? entry["Key"] ?? entry["tagKey"] ?? entry["TagKey"])?.scalarText else { continue }
            result[key] = entry["value"] ?? entry["Value"] ?? entry["tagValue"] ?? entry["TagValue"] ?? .string("")
        }
        return result
    }
}

/// A list of scalars as a set (shared account ids, principals), for `list_added` / `list_removed`.
enum ScalarSet {
    static func of(_ value: JSONValue) -> Set<String> {
        switch value {
        case .array(let array): return Set(array.compactMap(\.scalarText))
        case .null: return []
        default: return value.scalarText.map { [$0] } ?? []
        }
    }
}
