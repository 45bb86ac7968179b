import TfdriftCore

/// Coverage of the states' resource types by the catalog: which types some call can observe, and by
/// which calls (`source:name`), from the same catalog `catalog list` prints.
public struct CoverageReport: Sendable {
    public var covered: [(String, Int)] = []
    public var uncovered: [(String, Int)] = []
    /// The calls that can change each covered type, sorted.
    public var calls: [String: [String]] = [:]

    public init(setup: DetectorSetup) {
        var counts: [String: Int] = [:]
        for loaded in setup.loaded {
            for (type, count) in loaded.state.resourceCountsByType { counts[type, default: 0] += count }
        }
        var callsByType: [String: Set<String>] = [:]
        for entry in setup.catalog.allEntries {
            for target in entry.targets where counts[target.resourceType] != nil {
                callsByType[target.resourceType, default: []].insert("\(entry.source):\(entry.name)")
            }
        }
        for (type, count) in counts.sorted(by: { $0.key < $1.key }) {
            if let found = callsByType[type] {
                covered.append((type, count))
                calls[type] = found.sorted()
            } else {
                uncovered.append((type, count))
            }
        }
    }

    public var coveredInstances: Int { covered.reduce(0) { $0 + $1.1 } }
    public var uncoveredInstances: Int { uncovered.reduce(0) { $0 + $1.1 } }

    /// The AWS API a type belongs to (`aws_db_instance` → `rds`, from the provider schema the catalog
    /// was generated with), or the word after `aws_` for a type the schema does not know.
    public static func service(of type: String) -> String {
        if let service = TerraformResourceTypes.builtIn.types[type]?.service { return service }
        let parts = type.split(separator: "_")
        return parts.count > 1 ? String(parts[1]) : type
    }

    /// The types whose unseen changes are a security gap (`state coverage` marks them, doctor fails on them).
    public static func isSecurityCritical(_ type: String) -> Bool {
        [
            "aws_iam_*", "aws_security_group*", "aws_vpc_security_group_*", "aws_default_security_group", "aws_network_acl*",
            "aws_default_network_acl", "aws_kms_*", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_acl",
        ].contains { Glob.matches($0, type) }
    }

    public var uncoveredByService: [(String, [(String, Int)])] {
        Dictionary(grouping: uncovered) { Self.service(of: $0.0) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public var json: JSONValue {
        .object([
            "covered": .object(Dictionary(uniqueKeysWithValues: covered.map { ($0.0, JSONValue.number(String($0.1))) })),
            "calls": .object(calls.mapValues { .array($0.map(JSONValue.string)) }),
            "uncovered": .array(
                uncovered.map { type, count in
                    .object([
                        "type": .string(type), "count": .number(String(count)), "service": .string(Self.service(of: type)),
                        "security_critical": .bool(Self.isSecurityCritical(type)),
                    ])
                }),
        ])
    }
}
