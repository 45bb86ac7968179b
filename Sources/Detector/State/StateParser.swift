import TfdriftCore

/// Reads Terraform state format 4 (Terraform 0.12 through 1.x) with the streaming scanner.
///
/// Handles modules and nested modules, count (int) and for_each (string) index keys, both provider
/// address spellings (`provider.aws`, `provider["registry.terraform.io/hashicorp/aws"]`), data
/// sources (kept out of the index), tainted and deposed instances, `sensitive_attributes` in the
/// older (list of step lists) and newer forms, `identity` (Terraform 1.12), `check_results`.
public enum StateParser {
    public static func parse(_ bytes: JSONBytes, name: String, origin: String) throws -> TerraformState {
        var scanner = JSONScanner(bytes: bytes)
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw StateLoadError(
                origin: origin, message: "not a Terraform state: expected a JSON object (is this a plan file or an empty file?)")
        }
        var version: Int?
        var terraformVersion: String?
        var serial: Int?
        var lineage: String?
        var resources: RawJSON?
        var streamed: ResourceList?
        var hasV3Modules = false
        do {
            try scanner.forEachMember { s, key in
                if s.key(key, is: "version") {
                    version = try s.readScalarText().flatMap { Int($0) }
                } else if s.key(key, is: "terraform_version") {
                    terraformVersion = try s.readScalarText()
                } else if s.key(key, is: "serial") {
                    serial = try s.readScalarText().flatMap { Int($0) }
                } else if s.key(key, is: "lineage") {
                    lineage = try s.readScalarText()
                } else if s.key(key, is: "resources") {
                    // Terraform writes `version` first: parse resources in this same pass.
                    if version == 4 {
                        var list = ResourceList()
                        try s.forEachElement { element, _ in try list.parseResource(&element) }
                        streamed = list
                    } else {
                        resources = try s.skipValue()
                    }
                } else if s.key(key, is: "modules") {
                    hasV3Modules = true
                }
            }
        } catch let error as JSONSyntaxError {
            throw StateLoadError(
                origin: origin,
                message:
                    "not valid JSON (\(error.message) at line \(bytes.line(at: error.offset))); the file may be truncated or still being written"
            )
        }
        guard let version else {
            throw StateLoadError(origin: origin, message: "not a Terraform state: no \"version\" field")
        }
        guard version == 4 else {
            let writer =
                terraformVersion.map { "Terraform \($0)" } ?? (version == 3 ? "Terraform 0.7–0.11" : "Terraform 0.6 or older")
            if version < 4 || hasV3Modules {
                throw StateLoadError(
                    origin: origin,
                    message:
                        "state format version \(version) was written by \(writer); tfdriftctl reads format 4 (Terraform 0.12 and later). Upgrade it by running `terraform apply` (or `terraform refresh`) once with Terraform 0.12 or newer."
                )
            }
            throw StateLoadError(
                origin: origin,
                message:
                    "state format version \(version) is newer than the format 4 this tfdriftctl reads (written by \(writer)); upgrade tfdriftctl"
            )
        }
        var list = streamed ?? ResourceList()
        if streamed == nil, let resources, !resources.isNull {
            do {
                var scanner = resources.scanner
                try scanner.forEachElement { element, _ in try list.parseResource(&element) }
            } catch let error as JSONSyntaxError {
                throw StateLoadError(
                    origin: origin, message: "malformed resources (\(error.message) at line \(bytes.line(at: error.offset)))")
            }
        }
        return TerraformState(
            name: name, origin: origin, formatVersion: version, terraformVersion: terraformVersion, serial: serial,
            lineage: lineage, instances: list.instances, dataSourceCount: list.dataSources, byteCount: bytes.count)
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}

/// Accumulates resource instances while the `resources` array is scanned, in one pass.
struct ResourceList {
    var instances: [ResourceInstance] = []
    var dataSources = 0

    /// One instance as read, finished once its resource's type, module and sensitive paths are known
    /// (keys may come in any order).
    struct PartialInstance {
        var indexKey: String?
        var status: String?
        var deposed: String?
        var attributes: RawJSON?
        var candidates: [(name: String, value: String)] = []
        var sensitive: RawJSON?
        var identity: RawJSON?
    }

    mutating func parseResource(_ scanner: inout JSONScanner) throws {
        var mode = "managed"
        var type = ""
        var name = ""
        var module: String?
        var provider = ""
        var partials: [PartialInstance] = []
        try scanner.forEachMember { s, key in
            if s.key(key, is: "mode") {
                mode = try s.readString() ?? "managed"
            } else if s.key(key, is: "type") {
                type = try s.readString() ?? ""
            } else if s.key(key, is: "name") {
                name = try s.readString() ?? ""
            } else if s.key(key, is: "module") {
                module = try s.readString()
            } else if s.key(key, is: "provider") {
                provider = try s.readString() ?? ""
            } else if s.key(key, is: "instances") {
                if mode != "managed" {
                    try s.skipValue()  // data sources are never matched: not even read
                    return
                }
                try s.forEachElement { element, _ in partials.append(try Self.parseInstance(&element)) }
            }
        }
        guard mode == "managed" else {
            dataSources += 1
            return
        }
        let base = (module.map { $0 + "." } ?? "") + type + "." + name
        for partial in partials {
            let sensitiveNames = SensitiveAttributes.names(in: partial.sensitive, type: type)
            var (identifiers, account, providerID) = IdentifierAttributes.select(
                partial.candidates, type: type, sensitive: sensitiveNames)
            let identityValues = try IdentifierAttributes.identityValues(in: partial.identity)
            identifiers.append(contentsOf: identityValues.identifiers)
            account = identityValues.account ?? account
            instances.append(
                ResourceInstance(
                    address: base + (partial.indexKey.map { "[\($0)]" } ?? ""), type: type, provider: provider,
                    tainted: partial.status == "tainted", deposedKey: partial.deposed, attributes: partial.attributes,
                    sensitiveAttributes: sensitiveNames, identifiers: StateParser.unique(identifiers), accountID: account,
                    providerID: providerID))
        }
    }

    static func parseInstance(_ element: inout JSONScanner) throws -> PartialInstance {
        var partial = PartialInstance()
        try element.forEachMember { s, key in
            if s.key(key, is: "index_key") {
                // Strings keep their quotes: for_each keys print as ["a"], count keys as [0].
                partial.indexKey = try s.skipValue().text
            } else if s.key(key, is: "status") {
                partial.status = try s.readScalarText()
            } else if s.key(key, is: "deposed") {
                partial.deposed = try s.readScalarText()
            } else if s.key(key, is: "attributes") || (s.key(key, is: "attributes_flat") && partial.attributes == nil) {
                // Format-4 states upgraded from 0.11 may keep flatmap `attributes_flat` until refreshed.
                s.skipWhitespace()
                let start = s.position
                partial.candidates = try IdentifierAttributes.candidates(&s)
                partial.attributes = RawJSON(bytes: s.bytes, start: start, end: s.position)
            } else if s.key(key, is: "sensitive_attributes") {
                partial.sensitive = try s.skipValue()
            } else if s.key(key, is: "identity") {
                partial.identity = try s.skipValue()
            }
        }
        return partial
    }
}

/// Which attributes identify a resource to a CloudTrail call. Per type the index holds all of them,
/// so a call carrying an ARN, a name or an id finds the same resource.
enum IdentifierAttributes {
    static let names: Set<String> = [
        "id", "arn", "name", "bucket", "identifier", "function_name", "key_id", "cluster_identifier",
        "db_snapshot_identifier", "db_cluster_snapshot_identifier", "url", "zone_id", "alarm_name",
        "allocation_id", "role", "user", "group", "policy_arn", "target_key_id", "table_name",
        "repository_name", "cluster_name", "secret_id", "queue_url", "topic_arn", "log_group_name",
        "instance_profile", "association_id", "route_table_id", "network_acl_id", "security_group_id",
        "security_group_rule_id", "subnet_id", "vpc_id", "volume_id", "instance_id", "image_id",
    ]

    // Attributes that reference *another* resource: indexed only for the types where they identify
    // the resource itself (a subnet's vpc_id must not make a VPC change look like a subnet change).
    static let referenceAttributes: [String: Set<String>] = [
        "role": ["aws_iam_role_policy_attachment", "aws_iam_role_policy", "aws_iam_instance_profile"],
        "user": [
            "aws_iam_user_policy_attachment", "aws_iam_user_policy", "aws_iam_user_login_profile", "aws_iam_access_key",
            "aws_iam_user_group_membership",
        ],
        "group": ["aws_iam_group_policy_attachment", "aws_iam_group_policy", "aws_iam_group_membership"],
        "policy_arn": [
            "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment",
            "aws_iam_policy_attachment",
        ],
        "target_key_id": ["aws_kms_alias"],
        "topic_arn": ["aws_sns_topic_policy", "aws_sns_topic_subscription"],
        "queue_url": ["aws_sqs_queue_policy", "aws_sqs_queue_redrive_policy"],
        "secret_id": [
            "aws_secretsmanager_secret_version", "aws_secretsmanager_secret_policy", "aws_secretsmanager_secret_rotation",
        ],
        "log_group_name": ["aws_cloudwatch_log_subscription_filter", "aws_cloudwatch_log_metric_filter"],
        "route_table_id": ["aws_route", "aws_route_table_association", "aws_main_route_table_association"],
        "network_acl_id": ["aws_network_acl_rule", "aws_network_acl_association"],
        "security_group_id": [
            "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_security_group_rule",
        ],
        "subnet_id": ["aws_route_table_association", "aws_network_acl_association"],
        "vpc_id": ["aws_internet_gateway_attachment", "aws_vpc_dhcp_options_association", "aws_vpc_ipv4_cidr_block_association"],
        "volume_id": ["aws_volume_attachment", "aws_ebs_snapshot"],
        "instance_id": ["aws_volume_attachment", "aws_eip_association"],
        "image_id": [],
        "bucket": [],  // bucket-scoped resources (policy, PAB, encryption…) are identified by bucket
        "instance_profile": [],
    ]

    static func identifies(_ attribute: String, type: String) -> Bool {
        guard let types = referenceAttributes[attribute] else { return true }
        if attribute == "bucket" { return true }
        return types.contains(type)
    }

    /// Scalar attributes that may identify the resource, read while the attributes object is scanned
    /// (which ones count depends on the type and the sensitive paths, known only later).
    static func candidates(_ scanner: inout JSONScanner) throws -> [(name: String, value: String)] {
        guard scanner.peek() == UInt8(ascii: "{") else {
            try scanner.skipValue()
            return []
        }
        var found: [(name: String, value: String)] = []
        try scanner.forEachMember { s, key in
            // Cheap rejects before allocating the key: identifier names are short, and only scalars identify.
            guard key.count >= 2, key.count <= 40, let next = s.peek(), next != UInt8(ascii: "{"), next != UInt8(ascii: "[")
            else { return }
            let name = try s.string(key)
            guard names.contains(name) || name == "owner_id" || name.hasSuffix("_arn") else { return }
            if let value = try s.readScalarText(), !value.isEmpty { found.append((name, value)) }
        }
        return found
    }

    /// The identifying values, the provider id, and the account the resource lives in when its ARN or
    /// `owner_id` says (states that span accounts through provider aliases need per-instance accounts).
    static func select(_ candidates: [(name: String, value: String)], type: String, sensitive: Set<String>)
        -> (identifiers: [String], account: String?, id: String?)
    {
        // Some types name their own ARN after themselves (`aws_db_snapshot.db_snapshot_arn`).
        let ownARNAttribute = type.hasPrefix("aws_") ? "\(type.dropFirst(4))_arn" : "arn"
        var identifiers: [String] = []
        var account: String?
        var id: String?
        for (name, value) in candidates where !sensitive.contains(name) && !SensitiveAttributes.alwaysSensitive.contains(name) {
            if name == "owner_id" {
                if isAccountID(value) { account = value }
                continue
            }
            guard name == ownARNAttribute || (names.contains(name) && identifies(name, type: type)) else { continue }
            identifiers.append(value)
            if name == "arn" || name == ownARNAttribute { account = account ?? accountInARN(value) }
            if name == "id" { id = value }
        }
        return (identifiers, account, id)
    }

    /// `arn:aws:iam::123456789012:role/x` → `123456789012`; nil for account-less ARNs (S3 buckets).
    static func accountInARN(_ arn: String) -> String? {
        guard arn.hasPrefix("arn:") else { return nil }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count >= 5, isAccountID(parts[4]) else { return nil }
        return String(parts[4])
    }

    static func isAccountID<S: StringProtocol>(_ text: S) -> Bool { text.count == 12 && text.allSatisfy(\.isNumber) }

    /// Terraform 1.12 resource identity: every identifying value except the account and region.
    static func identityValues(in identity: RawJSON?) throws -> (identifiers: [String], account: String?) {
        guard let identity, !identity.isNull, case .object(let object) = try identity.decode() else { return ([], nil) }
        let identifiers = object.filter { !["account_id", "region"].contains($0.key) }.compactMap { $0.value.scalarText }
        return (identifiers, object["account_id"]?.scalarText.flatMap { isAccountID($0) ? $0 : nil })
    }
}

/// Sensitive attribute names: what the state marks, plus names that are secrets in every provider
/// version (a state written without marks must not leak them either).
enum SensitiveAttributes {
    static let alwaysSensitive: Set<String> = [
        "password", "master_password", "secret_string", "secret_binary", "private_key", "private_key_pem",
        "auth_token", "secret", "ses_smtp_password_v4", "secret_access_key", "encrypted_secret",
        "encrypted_ses_smtp_password_v4", "plaintext", "ciphertext_blob",
    ]
    static let sensitiveByType: [String: Set<String>] = [
        "aws_ssm_parameter": ["value", "insecure_value"],
        "aws_iam_access_key": ["secret", "ses_smtp_password_v4"],
        "aws_lightsail_key_pair": ["private_key"],
    ]

    /// What the state marks (plus per-type secrets). `alwaysSensitive` is checked separately, so the
    /// common case (nothing marked) allocates nothing per instance.
    static func names(in raw: RawJSON?, type: String) -> Set<String> {
        var names = sensitiveByType[type] ?? []
        guard let raw, !raw.isNull, let value = try? raw.decode(), case .array(let paths) = value else { return names }
        for path in paths {
            if let name = firstAttribute(path) { names.insert(name) }
        }
        return names
    }

    /// First `get_attr` step of a path, in either serialisation: `[{"type":"get_attr","value":"x"},…]`
    /// or a single step object.
    static func firstAttribute(_ path: JSONValue) -> String? {
        switch path {
        case .array(let steps):
            for step in steps { if let name = firstAttribute(step) { return name } }
            return nil
        case .object(let step):
            if step["type"]?.stringValue == "get_attr", let name = step["value"]?.stringValue { return name }
            if let inner = step["path"] { return firstAttribute(inner) }
            return nil
        default:
            return nil
        }
    }
}
