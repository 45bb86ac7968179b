import Foundation
import Yams

/// Loads and strictly validates `tfdrift.yaml` (SPEC §3), including TFDrift-Falco's `config.yaml`
/// keys that mean the same thing, so upstream users can point tfdriftctl at their existing file.
public enum ConfigLoader {
    /// Default locations, in order, when `--config` is not given.
    public static let defaultPaths = ["./tfdrift.yaml", "./config.yaml"]

    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> TfdriftConfig
    {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(
                file: path, keyPath: "", line: nil,
                message: "cannot read the configuration file (\(Self.reason(error))); pass --config PATH")
        }
        var config = try parse(yaml: text, file: path, environment: environment)
        config.sourceFile = path
        return config
    }

    public static func parse(yaml: String, file: String = "tfdrift.yaml", environment: [String: String] = [:])
        throws -> TfdriftConfig
    {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(file: file, keyPath: "", line: Self.line(of: error), message: "not valid YAML: \(error)")
        }
        let baseDirectory = (file as NSString).deletingLastPathComponent
        let context = YAMLContext(file: file, environment: environment)
        var config = TfdriftConfig()
        guard let node else { return config }  // an empty file is a valid, empty configuration
        let root = YAMLNode(node: node, path: "", context: context)
        var reader = Reader(config: config, base: baseDirectory.isEmpty ? "." : baseDirectory, file: file)
        try reader.readRoot(root)
        config = reader.config
        for (keyPath, variable) in context.unsetVariables {
            config.unsetVariables[keyPath] = variable
        }
        return config
    }

    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}

/// Walks the YAML tree section by section. Each `read…` knows its keys; unknown keys fail in
/// `fields(_:)` with a did-you-mean.
struct Reader {
    var config: TfdriftConfig
    let base: String
    let file: String

    func filePath(_ node: YAMLNode?) throws -> String? {
        guard let node else { return nil }
        return resolve(try node.string())
    }

    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || path.hasPrefix("~") || path.isEmpty { return (path as NSString).expandingTildeInPath }
        return base == "." ? path : (base as NSString).appendingPathComponent(path)
    }

    mutating func readRoot(_ root: YAMLNode) throws {
        let fields = try root.fields([
            "providers", "falco", "server", "detection", "drift_rules", "advanced", "outputs",
            "notifications", "grafana", "alertmanager", "logging", "metrics", "auto_import",
        ])
        if fields.has("auto_import") {
            config.warnings.append(
                "auto_import: TFDrift-Falco's auto-import is not part of tfdriftctl (it never writes Terraform code); the section is ignored"
            )
        }
        if let providers = fields["providers"] { try readProviders(providers) }
        if let falco = fields["falco"] { try readFalcoCompat(falco) }
        if let server = fields["server"] { try readServer(server) }
        if let detection = fields["detection"] { try readDetection(detection) }
        if let rules = fields["drift_rules"] { try readDriftRulesCompat(rules) }
        if let advanced = fields["advanced"] { try readAdvanced(advanced) }
        if let outputs = fields["outputs"] { try readOutputs(outputs) }
        if let notifications = fields["notifications"] { try readNotificationsCompat(notifications) }
        if let grafana = fields["grafana"] { config.grafana = try readGrafana(grafana) }
        if let alertmanager = fields["alertmanager"] { config.alertmanager = try readAlertmanager(alertmanager) }
        if let logging = fields["logging"] { try readLogging(logging) }
        if let metrics = fields["metrics"] {
            let metricsFields = try metrics.fields(["enabled", "listen"])
            if let listen = metricsFields["listen"] { config.server.listen = try listen.string() }
        }
        try validateNames()
    }

    // MARK: providers

    mutating func readProviders(_ node: YAMLNode) throws {
        let fields = try node.fields(["aws", "gcp", "azure"])
        for other in ["gcp", "azure"] {
            guard let provider = fields[other] else { continue }
            let providerFields = try provider.fields(["enabled", "projects", "subscriptions", "regions", "state"])
            if try providerFields["enabled"]?.bool() ?? false {
                throw provider.error("tfdriftctl watches AWS only; set enabled: false or remove this section")
            }
        }
        guard let aws = fields["aws"] else { return }
        let awsFields = try aws.fields([
            "enabled", "regions", "state", "states", "state_reload_interval", "cloudtrail",
        ])
        if let regions = awsFields["regions"] { config.regions = try regions.stringList() }
        if let state = awsFields["state"] {
            config.states.append(try readState(state, defaultName: "default"))
        }
        if let states = awsFields["states"] {
            for (index, element) in try states.list().enumerated() {
                config.states.append(try readState(element, defaultName: "state\(index + 1)"))
            }
        }
        if let interval = awsFields["state_reload_interval"] {
            config.stateReloadInterval = try interval.duration(minimum: 5)
        }
        if let cloudtrail = awsFields["cloudtrail"] { try readCloudTrail(cloudtrail) }
    }

    func readState(_ node: YAMLNode, defaultName: String) throws -> StateSourceConfig {
        let fields = try node.fields([
            "name", "backend", "local_path", "path", "bucket", "key", "region", "workspace",
            "workspace_key_prefix", "endpoint", "assume_role_arn", "account_id",
            // TFDrift-Falco's names for the S3 backend
            "s3_bucket", "s3_key", "s3_region",
        ])
        let localPath = try (fields["local_path"] ?? fields["path"])?.string()
        let bucket = try (fields["bucket"] ?? fields["s3_bucket"])?.string()
        let backend: StateSourceConfig.Backend =
            try fields["backend"]?.oneOf(StateSourceConfig.Backend.self) ?? (bucket != nil ? .s3 : .local)
        var state = StateSourceConfig(name: try fields["name"]?.string() ?? defaultName, backend: backend)
        state.localPath = localPath.map { self.resolve($0) }
        state.bucket = bucket
        state.key = try (fields["key"] ?? fields["s3_key"])?.string()
        state.region = try (fields["region"] ?? fields["s3_region"])?.string()
        state.workspace = try fields["workspace"]?.string()
        state.workspaceKeyPrefix = try fields["workspace_key_prefix"]?.string()
        state.endpoint = try fields["endpoint"]?.string()
        state.assumeRoleARN = try fields["assume_role_arn"]?.string()
        if let account = fields["account_id"] {
            let id = try account.string()
            guard id.count == 12, id.allSatisfy(\.isNumber) else {
                throw account.error("expected a 12-digit AWS account id, got \"\(id)\"")
            }
            state.accountID = id
        }
        switch backend {
        case .local:
            guard let path = state.localPath, !path.isEmpty else {
                throw node.error("a local state needs local_path (a file or glob)")
            }
        case .s3:
            guard state.bucket?.isEmpty == false else { throw node.error("an s3 state needs bucket (or s3_bucket)") }
            guard state.key?.isEmpty == false else { throw node.error("an s3 state needs key (or s3_key)") }
        }
        return state
    }

    mutating func readCloudTrail(_ node: YAMLNode) throws {
        let fields = try node.fields([
            "log_paths", "s3_bucket", "s3_prefix", "sqs_queue", "region", "endpoint", "accounts", "assume_role_arn",
            "kms_key_arns",
        ])
        var cloudTrail = CloudTrailConfig()
        cloudTrail.logPaths = try (fields["log_paths"]?.stringList() ?? []).map { self.resolve($0) }
        cloudTrail.s3Bucket = try fields["s3_bucket"]?.string()
        cloudTrail.s3Prefix = try fields["s3_prefix"]?.string()
        if let queue = fields["sqs_queue"] {
            let text = try queue.string()
            guard text.hasPrefix("arn:aws") || text.hasPrefix("arn:") || text.hasPrefix("https://") || text.hasPrefix("http://")
            else {
                throw queue.error("expected an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) or URL, got \"\(text)\"")
            }
            if text.hasPrefix("arn:") {
                let parts = text.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 6, parts[2] == "sqs", !parts[3].isEmpty, parts[4].count == 12, !parts[5].isEmpty else {
                    throw queue.error("expected an SQS queue ARN of the form arn:aws:sqs:REGION:ACCOUNT:NAME, got \"\(text)\"")
                }
            }
            cloudTrail.sqsQueue = text
        }
        cloudTrail.region = try fields["region"]?.string()
        cloudTrail.endpoint = try fields["endpoint"]?.string()
        cloudTrail.accounts = try fields["accounts"]?.stringList() ?? []
        cloudTrail.assumeRoleARN = try fields["assume_role_arn"]?.string()
        if let keys = fields["kms_key_arns"] {
            for keyNode in try keys.list() {
                let key = try keyNode.string()
                guard key.hasPrefix("arn:"), key.contains(":kms:") else {
                    throw keyNode.error("expected a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), got \"\(key)\"")
                }
                cloudTrail.kmsKeyARNs.append(key)
            }
        }
        config.cloudTrail = cloudTrail
    }

    // MARK: ingest

    mutating func readFalcoCompat(_ node: YAMLNode) throws {
        let fields = try node.fields(["enabled", "hostname", "port", "cert_file", "key_file", "ca_root_file"])
        if try fields["enabled"]?.bool() ?? true {
            config.warnings.append(
                "falco: TFDrift-Falco's gRPC connection is not used by tfdriftctl; point Falco's http_output at "
                    + "http(s)://\(config.server.listen)\(config.server.falcoPath) instead (see deploy/falco/)")
        }
    }

    mutating func readServer(_ node: YAMLNode) throws {
        let fields = try node.fields([
            "enabled", "listen", "falco_path", "tls_cert_file", "tls_key_file", "client_ca_file", "token",
            "token_file", "max_body_bytes", "queue_capacity", "stale_after", "journal", "journal_dir",
            "journal_sync",
        ])
        config.server.journalSync = try fields["journal_sync"]?.bool() ?? true
        if try fields["journal"]?.bool() ?? true {
            config.server.journalDirectory = try filePath(fields["journal_dir"]) ?? resolve("tfdrift-journal")
        } else if fields["journal_dir"] != nil {
            throw fields.error("journal_dir is set but journal is false; remove one of them")
        }
        if let stale = fields["stale_after"] { config.server.staleAfter = try stale.duration(minimum: 10) }
        config.server.enabled = try fields["enabled"]?.bool() ?? true
        if let listen = fields["listen"] {
            let text = try listen.string()
            guard let colon = text.lastIndex(of: ":"), Int(text[text.index(after: colon)...]) != nil else {
                throw listen.error("expected HOST:PORT such as 127.0.0.1:8080, got \"\(text)\"")
            }
            config.server.listen = text
        }
        if let path = fields["falco_path"] { config.server.falcoPath = try path.string() }
        config.server.tlsCertFile = try filePath(fields["tls_cert_file"])
        config.server.tlsKeyFile = try filePath(fields["tls_key_file"])
        config.server.clientCAFile = try filePath(fields["client_ca_file"])
        if (config.server.tlsCertFile == nil) != (config.server.tlsKeyFile == nil) {
            throw node.error("tls_cert_file and tls_key_file must be set together")
        }
        if config.server.clientCAFile != nil, config.server.tlsCertFile == nil {
            throw node.error("client_ca_file (mTLS) needs tls_cert_file and tls_key_file")
        }
        config.server.token = try secret(fields, "token")
        if let max = fields["max_body_bytes"] { config.server.maxBodyBytes = try max.int(range: 1024...1_073_741_824) }
        if let capacity = fields["queue_capacity"] { config.server.queueCapacity = try capacity.int(range: 1...10_000_000) }
    }

    /// A secret given inline (`token`) or as a file (`token_file`), never both.
    func secret(_ fields: Fields, _ key: String) throws -> Secret? {
        let inline = fields[key]
        let file = fields["\(key)_file"]
        if inline != nil, file != nil { throw fields.error("set either \(key) or \(key)_file, not both") }
        if let inline { return try inline.secret() }
        if let file {
            let path = resolve(try file.string())
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else { throw file.error("cannot read the secret file \(path)") }
            return Secret(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return nil
    }

    // MARK: detection

    mutating func readDetection(_ node: YAMLNode) throws {
        let fields = try node.fields([
            "severity_rules", "ignore", "expected_actors", "expected_user_agents", "dedup_window",
            "catalog_paths", "report_unmanaged", "live_picture_max_resources", "live_picture_file",
        ])
        if let rules = fields["severity_rules"] {
            for element in try rules.list() {
                let ruleFields = try element.fields(["name", "resource_types", "attributes", "drift_types", "severity"])
                var rule = SeverityRule(severity: try ruleFields.required("severity").oneOf(Severity.self))
                rule.name = try ruleFields["name"]?.string()
                rule.resourceTypes = try ruleFields["resource_types"]?.stringList() ?? []
                rule.attributes = try ruleFields["attributes"]?.stringList() ?? []
                if let types = ruleFields["drift_types"] {
                    for typeNode in try types.list() {
                        let type = try typeNode.string()
                        guard ["modified", "deleted", "unmanaged"].contains(type) else {
                            throw typeNode.error("expected one of modified, deleted, unmanaged, got \"\(type)\"")
                        }
                        rule.driftTypes.append(type)
                    }
                }
                config.detection.severityRules.append(rule)
            }
        }
        if let ignore = fields["ignore"] {
            for element in try ignore.list() {
                let ruleFields = try element.fields([
                    "name", "actor_arns", "user_agents", "resource_addresses", "resource_types", "event_names",
                ])
                var rule = IgnoreRule()
                rule.name = try ruleFields["name"]?.string()
                rule.actorARNs = try ruleFields["actor_arns"]?.stringList() ?? []
                rule.userAgents = try ruleFields["user_agents"]?.stringList() ?? []
                rule.resourceAddresses = try ruleFields["resource_addresses"]?.stringList() ?? []
                rule.resourceTypes = try ruleFields["resource_types"]?.stringList() ?? []
                rule.eventNames = try ruleFields["event_names"]?.stringList() ?? []
                if rule.actorARNs.isEmpty, rule.userAgents.isEmpty, rule.resourceAddresses.isEmpty,
                    rule.resourceTypes.isEmpty, rule.eventNames.isEmpty
                {
                    throw element.error(
                        "an ignore rule needs at least one of actor_arns, user_agents, resource_addresses, resource_types, event_names (an empty rule would ignore everything)"
                    )
                }
                config.detection.ignoreRules.append(rule)
            }
        }
        config.detection.expectedActors = try fields["expected_actors"]?.stringList() ?? []
        config.detection.expectedUserAgents = try fields["expected_user_agents"]?.stringList() ?? []
        if let window = fields["dedup_window"] { config.detection.dedupWindow = try window.duration() }
        config.detection.catalogPaths = try (fields["catalog_paths"]?.stringList() ?? []).map { self.resolve($0) }
        if let unmanaged = fields["report_unmanaged"] { config.detection.reportUnmanaged = try unmanaged.bool() }
        if let limit = fields["live_picture_max_resources"] {
            config.detection.pictureMaxResources = try limit.int(range: 1...10_000_000)
        }
        config.detection.pictureFile = try filePath(fields["live_picture_file"])
    }

    /// TFDrift-Falco's `drift_rules` (`resource_types`, `watched_attributes`, `severity`) become severity
    /// rules. Its CloudFormation-style type names (`AWS::EC2::SecurityGroup`) are not Terraform types.
    mutating func readDriftRulesCompat(_ node: YAMLNode) throws {
        for element in try node.list() {
            let fields = try element.fields(["name", "resource_types", "watched_attributes", "severity"])
            var rule = SeverityRule(severity: try fields.required("severity").oneOf(Severity.self))
            rule.name = try fields["name"]?.string()
            rule.resourceTypes = try fields["resource_types"]?.stringList() ?? []
            for type in rule.resourceTypes where type.contains("::") {
                config.warnings.append(
                    "\(element.path).resource_types: \"\(type)\" is a CloudFormation type name; drift events carry Terraform types such as aws_security_group, so this rule will not match it"
                )
            }
            rule.attributes = try fields["watched_attributes"]?.stringList() ?? []
            config.detection.severityRules.append(rule)
        }
    }

    mutating func readAdvanced(_ node: YAMLNode) throws {
        let fields = try node.fields([
            "maintenance_windows", "state_refresh_interval", "deduplication_window", "workers",
            "event_buffer_size", "rate_limit", "silences",
        ])
        if let silences = fields["silences"] { config.silences = try readSilences(silences) }
        if let windows = fields["maintenance_windows"] {
            for element in try windows.list() { config.maintenanceWindows.append(try readWindow(element)) }
        }
        if let interval = fields["state_refresh_interval"] {
            config.stateReloadInterval = try interval.duration(minimum: 5)
        }
        if let dedup = fields["deduplication_window"] { config.detection.dedupWindow = try dedup.duration() }
        if let buffer = fields["event_buffer_size"] { config.server.queueCapacity = try buffer.int(range: 1...10_000_000) }
        if let workers = fields["workers"] { _ = try workers.int(range: 1...256) }
        if let rateLimit = fields["rate_limit"] {
            let rateFields = try rateLimit.fields(["enabled", "max_alerts_per_minute"])
            if let perMinute = rateFields["max_alerts_per_minute"] {
                let value = try perMinute.int(range: 1...6000)
                if config.outputs.slack != nil { config.outputs.slack?.ratePerSecond = Double(value) / 60 }
            }
        }
    }

    func readWindow(_ node: YAMLNode) throws -> MaintenanceWindow {
        let fields = try node.fields([
            "name", "days", "start_time", "end_time", "timezone", "start_datetime", "end_datetime",
        ])
        let name = try fields.required("name").string()
        if let startNode = fields["start_datetime"] {
            for weekly in ["days", "start_time", "end_time", "timezone"] where fields.has(weekly) {
                throw node.error("a one-off window (start_datetime) cannot also have \(weekly)")
            }
            let endNode = try fields.required("end_datetime")
            guard let start = Timestamp.parse(try startNode.string()) else {
                throw startNode.error("expected an RFC 3339 time such as 2025-12-10T20:00:00Z")
            }
            guard let end = Timestamp.parse(try endNode.string()) else {
                throw endNode.error("expected an RFC 3339 time such as 2025-12-10T23:00:00Z")
            }
            guard end > start else { throw endNode.error("end_datetime must be after start_datetime") }
            return MaintenanceWindow(name: name, schedule: .oneOff(start: start, end: end))
        }
        let daysNode = try fields.required("days")
        var weekdays = Set<Int>()
        for dayNode in try daysNode.list() {
            let day = try dayNode.string()
            guard let number = Weekday.number(day) else {
                throw dayNode.error("expected a day name such as Sunday or Mon, got \"\(day)\"")
            }
            weekdays.insert(number)
        }
        guard !weekdays.isEmpty else { throw daysNode.error("list at least one day") }
        let start = try minutes(try fields.required("start_time"))
        let end = try minutes(try fields.required("end_time"))
        guard start != end else { throw node.error("start_time and end_time are equal; the window would be empty") }
        let zoneName = try fields["timezone"]?.string() ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw (fields["timezone"] ?? node).error(
                "unknown time zone \"\(zoneName)\"; use an IANA name such as Asia/Tokyo or Europe/Berlin")
        }
        return MaintenanceWindow(
            name: name, schedule: .weekly(weekdays: weekdays, startMinute: start, endMinute: end, timeZone: zone))
    }

    func minutes(_ node: YAMLNode) throws -> Int {
        let text = try node.string()
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour),
            (0..<60).contains(minute), hour * 60 + minute <= 1440
        else { throw node.error("expected a time of day HH:MM such as 02:00, got \"\(text)\"") }
        return hour * 60 + minute
    }

    // MARK: outputs

    mutating func readOutputs(_ node: YAMLNode) throws {
        let fields = try node.fields(["stdout", "file", "loki", "slack", "webhook", "maintenance_notifications"])
        if let policy = fields["maintenance_notifications"] {
            config.outputs.maintenanceNotifications = try policy.oneOf(MaintenanceNotifications.self)
        }
        if let stdout = fields["stdout"] { config.outputs.stdout = try stdout.bool() }
        if let file = fields["file"] {
            let fileFields = try file.fields(["path", "max_size_mb", "max_files"])
            var output = FileOutputConfig(path: resolve(try fileFields.required("path").string()))
            if let size = fileFields["max_size_mb"] { output.maxSizeBytes = try size.int(range: 1...1_000_000) * 1_048_576 }
            if let files = fileFields["max_files"] { output.maxFiles = try files.int(range: 1...1000) }
            config.outputs.file = output
        }
        if let loki = fields["loki"] {
            let lokiFields = try loki.fields([
                "url", "tenant_id", "username", "password", "password_file", "labels", "job", "ca_file", "spool_dir",
                "spool_max_mb", "batch_max_entries", "batch_max_wait",
            ])
            var output = LokiConfig(url: try url(lokiFields.required("url")))
            output.tenantID = try lokiFields["tenant_id"]?.string()
            output.username = try lokiFields["username"]?.string()
            output.password = try secret(lokiFields, "password")
            if let labels = lokiFields["labels"] {
                output.labels = try labels.stringMap()
                for key in output.labels.keys where !Self.isValidLabelName(key) {
                    throw labels.error("\"\(key)\" is not a valid Loki label name ([a-zA-Z_][a-zA-Z0-9_]*)")
                }
            }
            if let job = lokiFields["job"] { output.job = try job.string() }
            output.caFile = try filePath(lokiFields["ca_file"])
            if let spool = try filePath(lokiFields["spool_dir"]) {
                output.spoolDirectory = spool
            } else {
                output.spoolDirectory = resolve("tfdrift-spool")
            }
            if let cap = lokiFields["spool_max_mb"] { output.spoolMaxBytes = try cap.int(range: 1...1_000_000) * 1_048_576 }
            if let entries = lokiFields["batch_max_entries"] { output.batchMaxEntries = try entries.int(range: 1...100_000) }
            if let wait = lokiFields["batch_max_wait"] { output.batchMaxWait = try wait.duration(minimum: 0.01) }
            config.outputs.loki = output
        }
        if let slack = fields["slack"] { config.outputs.slack = try readSlack(slack, compat: false) }
        if let webhook = fields["webhook"] { config.outputs.webhook = try readWebhook(webhook, compat: false) }
    }

    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }

    func url(_ node: YAMLNode) throws -> String {
        let text = try node.string()
        guard let parsed = URL(string: text), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
            parsed.host != nil
        else {
            throw node.error("expected an http:// or https:// URL, got \"\(Redaction.url(text))\"")
        }
        return text
    }

    func readSlack(_ node: YAMLNode, compat: Bool) throws -> SlackConfig? {
        let fields = try node.fields(["enabled", "webhook_url", "webhook_url_file", "channel", "min_severity", "rate_per_second"])
        if try fields["enabled"]?.bool() == false { return nil }
        guard let webhook = try secret(fields, "webhook_url"), !webhook.isEmpty else {
            throw node.error("slack needs webhook_url (or webhook_url_file), e.g. webhook_url: \"${SLACK_WEBHOOK_URL}\"")
        }
        var slack = SlackConfig(webhookURL: webhook)
        slack.channel = try fields["channel"]?.string()
        if let minimum = fields["min_severity"] { slack.minimumSeverity = try minimum.oneOf(Severity.self) }
        if let rate = fields["rate_per_second"] {
            let text = try rate.string()
            guard let value = Double(text), value > 0 else { throw rate.error("expected a positive number, got \"\(text)\"") }
            slack.ratePerSecond = value
        }
        return slack
    }

    func readWebhook(_ node: YAMLNode, compat: Bool) throws -> WebhookConfig? {
        let fields = try node.fields(["enabled", "url", "url_file", "headers", "min_severity"])
        if try fields["enabled"]?.bool() == false { return nil }
        guard let url = try secret(fields, "url"), !url.isEmpty else {
            throw node.error("webhook needs url (or url_file)")
        }
        var webhook = WebhookConfig(url: url)
        webhook.headers = try fields["headers"]?.stringMap().mapValues(Secret.init) ?? [:]
        if let minimum = fields["min_severity"] { webhook.minimumSeverity = try minimum.oneOf(Severity.self) }
        return webhook
    }

    mutating func readNotificationsCompat(_ node: YAMLNode) throws {
        let fields = try node.fields(["slack", "webhook", "discord", "falco_output"])
        if let slack = fields["slack"], config.outputs.slack == nil { config.outputs.slack = try readSlack(slack, compat: true) }
        if let webhook = fields["webhook"], config.outputs.webhook == nil {
            config.outputs.webhook = try readWebhook(webhook, compat: true)
        }
        if let discord = fields["discord"] {
            let discordFields = try discord.fields(["enabled", "webhook_url"])
            if try discordFields["enabled"]?.bool() ?? false {
                throw discord.error("Discord is not supported; use outputs.webhook with Discord's Slack-compatible URL (…/slack)")
            }
        }
        if let falcoOutput = fields["falco_output"] { _ = try falcoOutput.fields(["enabled", "priority"]) }
    }

    // MARK: grafana, alertmanager, logging

    func readGrafana(_ node: YAMLNode) throws -> GrafanaConfig {
        let fields = try node.fields([
            "url", "token", "token_file", "username", "password", "password_file", "org_id", "folder", "folder_uid",
            "datasource_name", "datasource_uid", "loki_url", "ca_file", "ui_editable", "contact_points",
        ])
        var grafana = GrafanaConfig(url: try url(fields.required("url")))
        grafana.token = try secret(fields, "token")
        grafana.username = try fields["username"]?.string()
        grafana.password = try secret(fields, "password")
        if let org = fields["org_id"] { grafana.orgID = try org.int(range: 1...Int(Int32.max)) }
        if let folder = fields["folder"] { grafana.folder = try folder.string() }
        if let uid = fields["folder_uid"] { grafana.folderUID = try uid.string() }
        if let name = fields["datasource_name"] { grafana.datasourceName = try name.string() }
        if let uid = fields["datasource_uid"] { grafana.datasourceUID = try uid.string() }
        if let loki = fields["loki_url"] { grafana.lokiURL = try url(loki) }
        grafana.caFile = try filePath(fields["ca_file"])
        if let editable = fields["ui_editable"] { grafana.uiEditable = try editable.bool() }
        grafana.contactPoints = try fields["contact_points"]?.stringMap() ?? [:]
        return grafana
    }

    func readAlertmanager(_ node: YAMLNode) throws -> AlertmanagerConfig {
        let fields = try node.fields(["url", "username", "password", "password_file", "token", "token_file", "ca_file"])
        var alertmanager = AlertmanagerConfig(url: try url(fields.required("url")))
        alertmanager.caFile = try filePath(fields["ca_file"])
        alertmanager.username = try fields["username"]?.string()
        alertmanager.password = try secret(fields, "password")
        alertmanager.token = try secret(fields, "token")
        return alertmanager
    }

    mutating func readLogging(_ node: YAMLNode) throws {
        let fields = try node.fields(["level", "format", "output"])
        if let level = fields["level"] {
            let text = try level.string().lowercased()
            let allowed = ["trace", "debug", "info", "notice", "warning", "warn", "error", "critical"]
            guard allowed.contains(text) else {
                throw level.error("expected one of \(allowed.joined(separator: ", ")), got \"\(text)\"")
            }
            config.logging.level = text == "warn" ? "warning" : text
        }
        if let format = fields["format"] {
            let text = try format.string().lowercased()
            guard ["text", "json"].contains(text) else { throw format.error("expected text or json, got \"\(text)\"") }
            config.logging.format = text
        }
        if let output = fields["output"] {
            let text = try output.string()
            guard ["stdout", "stderr"].contains(text) else {
                throw output.error("logs go to stderr (drift events own stdout); expected stderr, got \"\(text)\"")
            }
        }
    }

    func validateNames() throws {
        var seen = Set<String>()
        for state in config.states {
            guard seen.insert(state.name).inserted else {
                throw ConfigError(
                    file: file, keyPath: "providers.aws.states", line: nil,
                    message: "two states are named \"\(state.name)\"; give each a unique name")
            }
        }
    }
}
