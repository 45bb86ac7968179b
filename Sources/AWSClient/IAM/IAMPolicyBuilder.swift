import Foundation
import TfdriftCore

/// One IAM policy statement (Allow only: least privilege is about what to grant).
public struct IAMPolicyStatement: Sendable, Equatable {
    public var sid: String
    public var actions: [String]
    public var resources: [String]
    /// operator → key → values, e.g. `StringLike` → `kms:ViaService` → [...].
    public var conditions: [String: [String: [String]]]

    public init(sid: String, actions: [String], resources: [String], conditions: [String: [String: [String]]] = [:]) {
        self.sid = sid
        self.actions = actions
        self.resources = resources
        self.conditions = conditions
    }
}

/// A policy document for one principal.
public struct IAMPolicyDocument: Sendable, Equatable {
    /// Who it is for: "tfdriftctl" (the detector's own role or user) or the ARN of a role it assumes.
    public var principal: String
    public var statements: [IAMPolicyStatement]

    /// The document as JSON: `Version`, `Statement`, keys in IAM's conventional order, 2-space indent.
    public var json: String {
        var lines = ["{", "  \"Version\": \"2012-10-17\",", "  \"Statement\": ["]
        for (index, statement) in statements.enumerated() {
            var fields = [
                "      \"Sid\": \(Self.quote(statement.sid))",
                "      \"Effect\": \"Allow\"",
                "      \"Action\": \(Self.list(statement.actions, indent: 6))",
                "      \"Resource\": \(Self.list(statement.resources, indent: 6))",
            ]
            if !statement.conditions.isEmpty {
                var condition = ["{"]
                let operators = statement.conditions.keys.sorted()
                for (operatorIndex, op) in operators.enumerated() {
                    condition.append("        \(Self.quote(op)): {")
                    let keys = statement.conditions[op]!.keys.sorted()
                    for (keyIndex, key) in keys.enumerated() {
                        let comma = keyIndex == keys.count - 1 ? "" : ","
                        condition.append(
                            "          \(Self.quote(key)): \(Self.list(statement.conditions[op]![key]!, indent: 10))\(comma)")
                    }
                    condition.append("        }" + (operatorIndex == operators.count - 1 ? "" : ","))
                }
                condition.append("      }")
                fields.append("      \"Condition\": " + condition.joined(separator: "\n"))
            }
            lines.append("    {")
            lines.append(fields.joined(separator: ",\n"))
            lines.append("    }" + (index == statements.count - 1 ? "" : ","))
        }
        lines.append("  ]")
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    static func list(_ values: [String], indent: Int) -> String {
        if values.count == 1 { return "[\(quote(values[0]))]" }
        let pad = String(repeating: " ", count: indent + 2)
        return "[\n" + values.map { pad + quote($0) }.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent)
            + "]"
    }

    static func quote(_ text: String) -> String { JSONWriter.quoted(text) }
}

/// Derives the least-privilege policies from the configuration: exactly the buckets, prefixes,
/// objects and queue it reads, `sts:AssumeRole` only for the roles it assumes (whose own policies
/// are printed separately), `kms:Decrypt` only for the keys given.
public enum IAMPolicyBuilder {
    public static let detectorPrincipal = "tfdriftctl"

    public struct Result: Sendable, Equatable {
        /// The detector's policy first, then one per assumed role.
        public var policies: [IAMPolicyDocument]
        /// Things the user should know (unscoped resources, nothing configured).
        public var notes: [String]
    }

    /// - Parameter kmsKeyARNs: customer-managed keys encrypting the trail bucket, state buckets or queue.
    public static func build(config: TfdriftConfig, kmsKeyARNs: [String] = []) -> Result {
        var notes: [String] = []
        let cloudTrail = config.cloudTrail
        let partition = partition(config: config)
        var detector: [IAMPolicyStatement] = []

        if let bucket = cloudTrail.s3Bucket, !bucket.isEmpty {
            let prefix = cloudTrail.s3Prefix ?? ""
            var resources: [String]
            if cloudTrail.accounts.isEmpty {
                resources = ["arn:\(partition):s3:::\(bucket)/\(prefix)*"]
            } else {
                // Organisation trails with an allow-list: only those accounts' folders.
                resources = []
                for account in cloudTrail.accounts.sorted() {
                    let base = prefix.hasSuffix("AWSLogs/") || prefix.hasSuffix("AWSLogs") ? prefix : prefix + "AWSLogs/"
                    let folder = base.hasSuffix("/") ? base : base + "/"
                    resources.append("arn:\(partition):s3:::\(bucket)/\(folder)\(account)/*")
                    resources.append("arn:\(partition):s3:::\(bucket)/\(folder)o-*/\(account)/*")
                }
            }
            detector.append(IAMPolicyStatement(sid: "ReadCloudTrailLogFiles", actions: ["s3:GetObject"], resources: resources))
        } else if cloudTrail.sqsQueue != nil {
            detector.append(
                IAMPolicyStatement(
                    sid: "ReadCloudTrailLogFiles", actions: ["s3:GetObject"], resources: ["arn:\(partition):s3:::*/AWSLogs/*"]))
            notes.append(
                "providers.aws.cloudtrail.s3_bucket is not set, so s3:GetObject cannot be limited to the trail's bucket; set it (and s3_prefix) to scope the policy"
            )
        }

        if let queue = cloudTrail.sqsQueue {
            if let arn = queueARN(queue, region: cloudTrail.region, partition: partition) {
                detector.append(
                    IAMPolicyStatement(
                        sid: "ConsumeCloudTrailNotifications",
                        actions: [
                            "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                            "sqs:ReceiveMessage",
                        ], resources: [arn]))
                if arn.contains(":*:") {
                    notes.append(
                        "the queue URL does not name its region; set providers.aws.cloudtrail.region to narrow \(arn)")
                }
            } else {
                notes.append("cannot derive an ARN from sqs_queue \"\(queue)\"; use the queue's ARN in the configuration")
            }
        }

        var direct: [String] = []
        var byRole: [String: [String]] = [:]
        for state in config.states {
            guard let location = S3StateLocation(state) else { continue }
            let arn = "arn:\(partition):s3:::\(location.bucket)/\(location.key)"
            if let role = state.assumeRoleARN, !role.isEmpty {
                byRole[role, default: []].append(arn)
            } else {
                direct.append(arn)
            }
        }
        if !direct.isEmpty {
            detector.append(
                IAMPolicyStatement(sid: "ReadTerraformState", actions: ["s3:GetObject"], resources: unique(direct)))
        }
        var roles = byRole.keys.sorted()
        if let role = cloudTrail.assumeRoleARN, !role.isEmpty, !roles.contains(role) {
            // The queue and log bucket are read through this role (a cross-account log archive).
            roles.append(role)
            notes.append(
                "providers.aws.cloudtrail.assume_role_arn: the ReadCloudTrailLogFiles and ConsumeCloudTrailNotifications statements belong in \(role)'s policy; the detector itself only needs sts:AssumeRole on it"
            )
        }
        if !roles.isEmpty {
            detector.append(IAMPolicyStatement(sid: "AssumeStateReaderRoles", actions: ["sts:AssumeRole"], resources: roles))
        }
        let kms = kmsStatement(kmsKeyARNs)
        if let kms { detector.append(kms) }

        var policies: [IAMPolicyDocument] = []
        if !detector.isEmpty { policies.append(IAMPolicyDocument(principal: detectorPrincipal, statements: detector)) }
        for role in roles {
            var statements = [
                IAMPolicyStatement(sid: "ReadTerraformState", actions: ["s3:GetObject"], resources: unique(byRole[role]!))
            ]
            if let kms { statements.append(kms) }
            policies.append(IAMPolicyDocument(principal: role, statements: statements))
        }
        if policies.isEmpty {
            notes.append(
                "the configuration reads nothing from AWS (no cloudtrail.s3_bucket/sqs_queue, no s3 states); no policy is needed")
        }
        return Result(policies: policies, notes: notes)
    }

    static func kmsStatement(_ keys: [String]) -> IAMPolicyStatement? {
        let keys = unique(keys.filter { !$0.isEmpty })
        guard !keys.isEmpty else { return nil }
        return IAMPolicyStatement(
            sid: "DecryptLogsAndState", actions: ["kms:Decrypt"], resources: keys,
            conditions: ["StringLike": ["kms:ViaService": ["s3.*.amazonaws.com", "sqs.*.amazonaws.com"]]])
    }

    static func queueARN(_ queue: String, region: String?, partition: String) -> String? {
        guard let reference = try? SQSQueueReference(queue), let account = reference.account else { return nil }
        if let arn = reference.arn { return arn }
        return "arn:\(partition):sqs:\(region ?? "*"):\(account):\(reference.name)"
    }

    static func partition(config: TfdriftConfig) -> String {
        if let queue = config.cloudTrail.sqsQueue, let reference = try? SQSQueueReference(queue), queue.hasPrefix("arn:") {
            return reference.partition
        }
        let region = config.cloudTrail.region ?? config.states.compactMap(\.region).first ?? ""
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        return "aws"
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
