import Foundation

/// `providers:` (AWS states and CloudTrail sources) and `falco:` (TFDrift-Falco's gRPC section).
extension Reader {
    mutating func readProviders(_ node: YAMLNode) {
        node.section { section in
            for other in ["gcp", "azure"] {
                section.read(other) { provider in
                    provider.section { fields in
                        fields.accept("projects", "subscriptions", "regions", "state")
                        fields.read("enabled") { enabled in
                            if try enabled.bool() {
                                throw provider.error("tfdriftctl watches AWS only; set enabled: false or remove this section")
                            }
                        }
                    }
                }
            }
            section.read("aws") { readAWS($0) }
        }
    }

    mutating func readAWS(_ aws: YAMLNode) {
        aws.section { section in
            section.accept("enabled")
            section.read("regions") { config.regions = try $0.stringList() }
            section.read("state") { node in
                if let state = readState(node, defaultName: "default") { config.states.append(state) }
            }
            section.read("states") { states in
                for (index, element) in states.elements().enumerated() {
                    if let state = readState(element, defaultName: "state\(index + 1)") { config.states.append(state) }
                }
            }
            section.read("state_reload_interval") { config.stateReloadInterval = try $0.duration(minimum: 5) }
            section.read("cloudtrail") { readCloudTrail($0) }
        }
    }

    /// One state source; nil when it is not usable (its problems are recorded).
    func readState(_ node: YAMLNode, defaultName: String) -> StateSourceConfig? {
        var state: StateSourceConfig?
        node.section { section in
            var name = defaultName
            var backend: StateSourceConfig.Backend?
            var localPath: String?
            var bucket: String?
            var key: String?
            var region: String?
            // TFDrift-Falco's names for the S3 backend (s3_bucket, s3_key, s3_region) mean the same.
            section.read("name") { name = try $0.string() }
            section.read("local_path") { localPath = try $0.string() }
            section.read("path") { localPath = try localPath ?? $0.string() }
            section.read("bucket") { bucket = try $0.string() }
            section.read("s3_bucket") { bucket = try bucket ?? $0.string() }
            section.read("key") { key = try $0.string() }
            section.read("s3_key") { key = try key ?? $0.string() }
            section.read("region") { region = try $0.string() }
            section.read("s3_region") { region = try region ?? $0.string() }
            var backendProblem = false
            section.read("backend") { node in
                backendProblem = true
                backend = try node.oneOf(StateSourceConfig.Backend.self)
                backendProblem = false
            }
            var result = StateSourceConfig(name: name, backend: backend ?? (bucket != nil ? .s3 : .local))
            result.localPath = localPath.map { self.resolve($0) }
            result.bucket = bucket
            result.key = key
            result.region = region
            section.read("workspace") { result.workspace = try $0.string() }
            section.read("workspace_key_prefix") { result.workspaceKeyPrefix = try $0.string() }
            section.read("endpoint") { result.endpoint = try $0.string() }
            section.read("assume_role_arn") { result.assumeRoleARN = try $0.string() }
            section.read("account_id") { account in
                let id = try account.string()
                guard id.count == 12, id.allSatisfy(\.isNumber) else {
                    throw account.error("expected a 12-digit AWS account id, got \"\(id)\"")
                }
                result.accountID = id
            }
            // A backend that did not read says so already; its requirements would only repeat it.
            guard !backendProblem else { return }
            switch result.backend {
            case .local:
                guard let path = result.localPath, !path.isEmpty else {
                    section.problem("a local state needs local_path (a file or glob)")
                    return
                }
            case .s3:
                guard result.bucket?.isEmpty == false else {
                    section.problem("an s3 state needs bucket (or s3_bucket)")
                    return
                }
                guard result.key?.isEmpty == false else {
                    section.problem("an s3 state needs key (or s3_key)")
                    return
                }
            }
            state = result
        }
        return state
    }

    mutating func readCloudTrail(_ node: YAMLNode) {
        var cloudTrail = CloudTrailConfig()
        node.section { section in
            section.read("log_paths") { cloudTrail.logPaths = try $0.stringList().map { self.resolve($0) } }
            section.read("s3_bucket") { cloudTrail.s3Bucket = try $0.string() }
            section.read("s3_prefix") { cloudTrail.s3Prefix = try $0.string() }
            section.read("sqs_queue") { queue in
                let text = try queue.string()
                guard text.hasPrefix("arn:") || text.hasPrefix("https://") || text.hasPrefix("http://") else {
                    throw queue.error("expected an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) or URL, got \"\(text)\"")
                }
                if text.hasPrefix("arn:") {
                    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
                    guard parts.count == 6, parts[2] == "sqs", !parts[3].isEmpty, parts[4].count == 12, !parts[5].isEmpty else {
                        throw queue.error(
                            "expected an SQS queue ARN of the form arn:aws:sqs:REGION:ACCOUNT:NAME, got \"\(text)\"")
                    }
                }
                cloudTrail.sqsQueue = text
            }
            section.read("region") { cloudTrail.region = try $0.string() }
            section.read("endpoint") { cloudTrail.endpoint = try $0.string() }
            section.read("accounts") { cloudTrail.accounts = try $0.stringList() }
            section.read("assume_role_arn") { cloudTrail.assumeRoleARN = try $0.string() }
            section.read("max_inflated_mb") { cloudTrail.maxInflatedBytes = try $0.int(range: 1...1_048_576) << 20 }
            section.read("kms_key_arns") { keys in
                for keyNode in keys.elements() {
                    keyNode.attempt {
                        let key = try keyNode.string()
                        guard key.hasPrefix("arn:"), key.contains(":kms:") else {
                            throw keyNode.error("expected a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), got \"\(key)\"")
                        }
                        cloudTrail.kmsKeyARNs.append(key)
                    }
                }
            }
        }
        config.cloudTrail = cloudTrail
    }

    mutating func readFalcoCompat(_ node: YAMLNode) {
        node.section { section in
            section.accept("hostname", "port", "cert_file", "key_file", "ca_root_file")
            var enabled = true
            section.read("enabled") { enabled = try $0.bool() }
            if enabled {
                config.warnings.append(
                    "falco: TFDrift-Falco's gRPC connection is not used by tfdriftctl; point Falco's http_output at "
                        + "http(s)://\(config.server.listen)\(config.server.falcoPath) instead (see deploy/falco/)")
            }
        }
    }
}
