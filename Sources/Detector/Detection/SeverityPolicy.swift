import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Shell-style globs (`arn:aws:iam::*:role/ci-*`); `*` also crosses `/` and `:`.
public enum Glob {
    /// Runs for every severity rule pattern on every drift, so it looks at bytes: scanning the pattern's
    /// Characters (grapheme breaking) and fnmatch's C-string copies were ~10 % of the detector's CPU.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let utf8 = pattern.utf8
        // `*`, `?`, `[` and `\` (fnmatch's escape) make a pattern; anything else is compared as is.
        guard let special = utf8.firstIndex(where: { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B || $0 == 0x5C }) else {
            return pattern == text
        }
        // The common shape, `aws_iam_*`: a prefix test.
        if utf8[special] == 0x2A, utf8.index(after: special) == utf8.endIndex {
            return text.utf8.starts(with: utf8[..<special])
        }
        return fnmatch(pattern, text, 0) == 0
    }
}

/// Severity: the catalog's override for the call, then the user's rules in order, then SPEC §4's
/// defaults (also expressed as rules, so users can read them in `--help` and the README).
public struct SeverityPolicy: Sendable {
    public var rules: [SeverityRule] { didSet { ordered = rules + Self.defaultRules } }
    /// The user's rules, then the defaults: built once, not per drift.
    private var ordered: [SeverityRule]

    public init(userRules: [SeverityRule]) {
        rules = userRules
        ordered = userRules + Self.defaultRules
    }

    /// SPEC §4 defaults.
    public static let defaultRules: [SeverityRule] = [
        SeverityRule(
            name: "security-critical resources",
            resourceTypes: [
                "aws_iam_*", "aws_security_group*", "aws_vpc_security_group_*", "aws_default_security_group",
                "aws_network_acl*", "aws_default_network_acl", "aws_kms_*", "aws_s3_bucket_policy",
                "aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block", "aws_s3_bucket_acl",
                "aws_s3_bucket_server_side_encryption_configuration", "aws_cloudtrail*", "aws_organizations_*",
            ], driftTypes: ["modified", "deleted"], severity: .critical),
        SeverityRule(
            name: "bucket policy and public access", resourceTypes: ["aws_s3_bucket"],
            attributes: ["policy", "acl", "public_access_block", "grant"], severity: .critical),
        SeverityRule(name: "unmanaged creations", driftTypes: ["unmanaged"], severity: .low),
        SeverityRule(
            name: "compute, databases, functions, clusters",
            resourceTypes: [
                "aws_instance", "aws_db_*", "aws_rds_*", "aws_lambda_*", "aws_eks_*", "aws_ecs_*",
                "aws_elasticache_*", "aws_dynamodb_table", "aws_redshift_*", "aws_autoscaling_group",
                "aws_launch_template", "aws_lb", "aws_alb", "aws_elb", "aws_ebs_volume", "aws_ebs_snapshot", "aws_ami",
                "aws_nat_gateway", "aws_route_table", "aws_route", "aws_internet_gateway", "aws_vpc", "aws_subnet",
                "aws_secretsmanager_*", "aws_route53_*",
            ], driftTypes: ["modified", "deleted"], severity: .high),
        SeverityRule(name: "managed resource deleted", driftTypes: ["deleted"], severity: .high),
        SeverityRule(name: "other modifications", severity: .medium),
    ]

    public func severity(
        catalogOverride: Severity?, resourceType: String, driftType: DriftType, attributes: [String]
    ) -> Severity {
        if let catalogOverride { return catalogOverride }
        for rule in ordered
        where Self.matches(rule, resourceType: resourceType, driftType: driftType, attributes: attributes) {
            return rule.severity
        }
        return .medium
    }

    static func matches(_ rule: SeverityRule, resourceType: String, driftType: DriftType, attributes: [String]) -> Bool {
        if !rule.resourceTypes.isEmpty, !rule.resourceTypes.contains(where: { Glob.matches($0, resourceType) }) { return false }
        if !rule.driftTypes.isEmpty, !rule.driftTypes.contains(driftType.rawValue) { return false }
        if !rule.attributes.isEmpty, !attributes.contains(where: { rule.attributes.contains($0) }) { return false }
        return true
    }
}

/// Ignore rules and expected actors, evaluated against a call and its actor.
struct ActorRules: Sendable {
    var expectedActors: [String]
    var expectedUserAgents: [String]
    var ignoreRules: [IgnoreRule]

    /// Terraform, OpenTofu and the AWS provider identify themselves in the user agent; S3 logs it
    /// wrapped in brackets (`[APN/1.0 HashiCorp/1.0 Terraform/1.1.2 …]`), which `contains` covers.
    static let automationAgents = ["HashiCorp/1.0 Terraform/", "Terraform/", "OpenTofu/", "terraform-provider-aws/"]

    /// Expected by user agent alone (checked before the identity is even decoded).
    func isExpected(userAgent: String?) -> Bool {
        guard let agent = userAgent else { return false }
        if Self.automationAgents.contains(where: { FastText.contains(agent, $0) }) { return true }
        return expectedUserAgents.contains { FastText.contains(agent, $0) || Glob.matches($0, agent) }
    }

    /// Expected by actor ARN (the principal or, for an assumed role, the role it came from).
    func isExpected(_ actor: Actor) -> Bool {
        guard !expectedActors.isEmpty else { return false }
        return expectedActors.contains { pattern in
            [actor.arn, actor.issuerARN].contains { $0.map { Glob.matches(pattern, $0) } ?? false }
        }
    }

    func ignoreRule(actor: Actor, eventName: String, resourceType: String, address: String?) -> IgnoreRule? {
        ignoreRules.first { rule in
            func any(_ patterns: [String], _ values: [String?]) -> Bool {
                patterns.isEmpty
                    || patterns.contains { pattern in values.contains { $0.map { Glob.matches(pattern, $0) } ?? false } }
            }
            return any(rule.actorARNs, [actor.arn, actor.issuerARN])
                && any(rule.userAgents, [actor.userAgent])
                && any(rule.resourceAddresses, [address])
                && any(rule.resourceTypes, [resourceType])
                && any(rule.eventNames, [eventName])
        }
    }
}

/// Substring search on UTF-8 bytes; `String.contains` goes through grapheme-aware
/// machinery that dominated replay profiles.
enum FastText {
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack
        var needle = needle
        return haystack.withUTF8 { hay in
            needle.withUTF8 { pin in
                guard pin.count <= hay.count else { return false }
                guard let hayBase = hay.baseAddress, let pinBase = pin.baseAddress else { return pin.isEmpty }
                // memchr for the first byte, memcmp for the rest (memmem is not in Glibc's module).
                let first = Int32(pinBase[0])
                var offset = 0
                let last = hay.count - pin.count
                while offset <= last {
                    guard let found = memchr(hayBase + offset, first, last - offset + 1) else { return false }
                    let index = UnsafeRawPointer(found) - UnsafeRawPointer(hayBase)
                    if memcmp(hayBase + index, pinBase, pin.count) == 0 { return true }
                    offset = index + 1
                }
                return false
            }
        }
    }
}
