/// What the generator learnt from the Terraform AWS provider's schema (`Resources/generated/terraform.tsv`
/// and `singletons.tsv`): every resource type, the AWS API it belongs to, its sensitive attributes, and
/// the account/region singletons.
public struct TerraformResourceTypes: Sendable {
    public struct ResourceType: Sendable, Equatable {
        public var name: String
        /// The botocore service whose calls change it (`aws_db_instance` → `rds`), when known.
        public var service: String?
        /// Top-level attributes that are, or hold, a value the provider marks sensitive.
        public var sensitiveAttributes: Set<String>
    }

    /// An account- or region-level setting Terraform models as one resource (EBS encryption by default,
    /// the S3 account public access block, the IAM password policy): identified by the record's region
    /// or account.
    public enum SingletonScope: String, Sendable {
        case region, account
    }

    public private(set) var types: [String: ResourceType] = [:]

    /// Parses the generated files (tab-separated; `#` lines are comments).
    init(terraform: String) {
        for line in terraform.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 4 else { continue }
            let sensitive = fields[3].isEmpty ? [] : Set(fields[3].split(separator: ",").map(String.init))
            let name = String(fields[0])
            types[name] = ResourceType(
                name: name, service: fields[1] == "-" ? nil : String(fields[1]), sensitiveAttributes: sensitive)
        }
    }

    /// The types compiled into this binary (parsed on first use).
    public static let builtIn = TerraformResourceTypes(terraform: EmbeddedResources.literal("generated/terraform.tsv") ?? "")

    public func isSensitive(type: String, attribute: String) -> Bool {
        let root = attribute.split(separator: ".").first.map(String.init) ?? attribute
        return types[type]?.sensitiveAttributes.contains(root) ?? false
    }

    /// Singleton scopes by type, from the small singletons.tsv (the state index asks for every instance).
    public static let singletonScopes: [String: SingletonScope] = {
        var scopes: [String: SingletonScope] = [:]
        for line in (EmbeddedResources.literal("generated/singletons.tsv") ?? "").split(separator: "\n")
        where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t")
            if fields.count == 2, let scope = SingletonScope(rawValue: String(fields[1])) { scopes[String(fields[0])] = scope }
        }
        return scopes
    }()

    /// Marks the diff mappings of user-written entries whose attribute the schema says is sensitive
    /// (the compiled catalog's are marked by the generator).
    static func markSensitive(_ entry: inout CatalogEntry) {
        for index in entry.targets.indices {
            let type = entry.targets[index].resourceType
            for mapping in entry.targets[index].diff.indices
            where builtIn.isSensitive(type: type, attribute: entry.targets[index].diff[mapping].attribute) {
                entry.targets[index].diff[mapping].sensitive = true
            }
        }
    }
}
