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
                    resources = try s.skipValue()
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
        var state = TerraformState(
            name: name, origin: origin, formatVersion: version, terraformVersion: terraformVersion, serial: serial,
            lineage: lineage, instances: [], dataSourceCount: 0, byteCount: bytes.count)
        guard let resources, !resources.isNull else { return state }
        do {
            var list = resources.scanner
            try list.forEachElement { element, _ in try parseResource(&element, into: &state) }
        } catch let error as JSONSyntaxError {
            throw StateLoadError(
                origin: origin, message: "malformed resources (\(error.message) at line \(bytes.line(at: error.offset)))")
        }
        return state
    }

    static func parseResource(_ scanner: inout JSONScanner, into state: inout TerraformState) throws {
        var mode = "managed"
        var type = ""
        var name = ""
        var module: String?
        var provider = ""
        var instances: RawJSON?
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
                instances = try s.skipValue()
            }
        }
        guard mode == "managed" else {
            state.dataSourceCount += 1
            return
        }
        let base = (module.map { $0 + "." } ?? "") + type + "." + name
        guard let instances else { return }
        var list = instances.scanner
        try list.forEachElement { element, _ in
            var indexKey: String?
            var status: String?
            var deposed: String?
            var attributes: RawJSON?
            var sensitive: RawJSON?
            var identity: RawJSON?
            try element.forEachMember { s, key in
                if s.key(key, is: "index_key") {
                    let raw = try s.skipValue()
                    // Strings keep their quotes: for_each keys print as ["a"], count keys as [0].
                    indexKey = raw.text
                } else if s.key(key, is: "status") {
                    status = try s.readScalarText()
                } else if s.key(key, is: "deposed") {
                    deposed = try s.readScalarText()
                } else if s.key(key, is: "attributes") {
                    attributes = try s.skipValue()
                } else if s.key(key, is: "attributes_flat") {
                    // Format-4 states upgraded from 0.11 may keep flatmap attributes until refreshed.
                    if attributes == nil { attributes = try s.skipValue() }
                } else if s.key(key, is: "sensitive_attributes") {
                    sensitive = try s.skipValue()
                } else if s.key(key, is: "identity") {
                    identity = try s.skipValue()
                }
            }
            let address = base + (indexKey.map { "[\($0)]" } ?? "")
            let sensitiveNames = SensitiveAttributes.names(in: sensitive, type: type)
            var (identifiers, account, providerID) = try IdentifierAttributes.values(
                in: attributes, type: type, sensitive: sensitiveNames)
            let identityValues = try IdentifierAttributes.identityValues(in: identity)
            identifiers.append(contentsOf: identityValues.identifiers)
            account = identityValues.account ?? account
            state.instances.append(
                ResourceInstance(
                    address: address, type: type, provider: provider, tainted: status == "tainted", deposedKey: deposed,
                    attributes: attributes, sensitiveAttributes: sensitiveNames, identifiers: unique(identifiers),
                    accountID: account, providerID: providerID))
        }
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { !$0.isEmpty && seen.insert($0).inserted }
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

    /// The identifying values, and the account the resource lives in when its ARN or `owner_id` says
    /// (states that span accounts through provider aliases need per-instance accounts).
    static func values(in attributes: RawJSON?, type: String, sensitive: Set<String>) throws -> (
        identifiers: [String], account: String?, id: String?
    ) {
        guard let attributes, !attributes.isNull else { return ([], nil, nil) }
        var values: [String] = []
        var account: String?
        var id: String?
        var scanner = attributes.scanner
        guard scanner.peek() == UInt8(ascii: "{") else { return ([], nil, nil) }
        // Some types name their own ARN after themselves (`aws_db_snapshot.db_snapshot_arn`).
        let ownARNAttribute = type.hasPrefix("aws_") ? "\(type.dropFirst(4))_arn" : "arn"
        try scanner.forEachMember { s, key in
            // Cheap reject on length before allocating the key string.
            guard key.count >= 2, key.count <= 30 else { return }
            if s.key(key, is: "owner_id") {
                if let owner = try s.readScalarText(), isAccountID(owner) { account = owner }
                return
            }
            let name = try s.string(key)
            if name == ownARNAttribute {
                if let value = try s.readScalarText() {
                    values.append(value)
                    account = account ?? accountInARN(value)
                }
                return
            }
            guard names.contains(name), !sensitive.contains(name), identifies(name, type: type) else { return }
            if let value = try s.readScalarText(), !value.isEmpty {
                values.append(value)
                if name == "arn", account == nil { account = accountInARN(value) }
                if name == "id" { id = value }
            }
        }
        return (values, account, id)
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

    static func names(in raw: RawJSON?, type: String) -> Set<String> {
        var names = alwaysSensitive.union(sensitiveByType[type] ?? [])
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
