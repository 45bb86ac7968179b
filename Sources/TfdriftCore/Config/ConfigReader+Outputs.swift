import Foundation

/// `outputs:` (stdout, file, Loki, Slack, webhook) and TFDrift-Falco's `notifications:`.
extension Reader {
    mutating func readOutputs(_ node: YAMLNode) {
        node.section { section in
            section.read("maintenance_notifications") {
                config.outputs.maintenanceNotifications = try $0.oneOf(MaintenanceNotifications.self)
            }
            section.read("stdout") { config.outputs.stdout = try $0.bool() }
            section.read("file") { config.outputs.file = readFileOutput($0) }
            section.read("loki") { config.outputs.loki = readLoki($0) }
            section.read("slack") { config.outputs.slack = readSlack($0) }
            section.read("webhook") { config.outputs.webhook = readWebhook($0) }
        }
    }

    func readFileOutput(_ node: YAMLNode) -> FileOutputConfig? {
        var output: FileOutputConfig?
        node.section { section in
            section.required("path") { output = FileOutputConfig(path: resolve(try $0.string())) }
            section.read("max_size_mb") { output?.maxSizeBytes = try $0.int(range: 1...1_000_000) * 1_048_576 }
            section.read("max_files") { output?.maxFiles = try $0.int(range: 1...1000) }
        }
        return output
    }

    func readLoki(_ node: YAMLNode) -> LokiConfig? {
        var output: LokiConfig?
        node.section { section in
            section.required("url") { output = LokiConfig(url: try url($0)) }
            section.read("tenant_id") { output?.tenantID = try $0.string() }
            section.read("username") { output?.username = try $0.string() }
            let password = readSecret(&section, "password")
            output?.password = password
            section.read("labels") { labels in
                let map = try labels.stringMap()
                for key in map.keys.sorted() where !Self.isValidLabelName(key) {
                    throw labels.error("\"\(key)\" is not a valid Loki label name ([a-zA-Z_][a-zA-Z0-9_]*)")
                }
                output?.labels = map
            }
            section.read("job") { output?.job = try $0.string() }
            section.read("ca_file") { output?.caFile = try filePath($0) }
            output?.spoolDirectory = resolve("tfdrift-spool")
            section.read("spool_dir") { output?.spoolDirectory = try filePath($0) }
            section.read("spool_max_mb") { output?.spoolMaxBytes = try $0.int(range: 1...1_000_000) * 1_048_576 }
            section.read("batch_max_entries") { output?.batchMaxEntries = try $0.int(range: 1...100_000) }
            section.read("batch_max_wait") { output?.batchMaxWait = try $0.duration(minimum: 0.01) }
        }
        return output
    }

    func readSlack(_ node: YAMLNode) -> SlackConfig? {
        var slack: SlackConfig?
        node.section { section in
            var enabled = true
            section.read("enabled") { enabled = try $0.bool() }
            let webhook = readSecret(&section, "webhook_url")
            var channel: String?
            var minimum: Severity?
            var rate: Double?
            section.read("channel") { channel = try $0.string() }
            section.read("min_severity") { minimum = try $0.oneOf(Severity.self) }
            section.read("rate_per_second") { node in
                let text = try node.string()
                guard let value = Double(text), value > 0 else { throw node.error("expected a positive number, got \"\(text)\"") }
                rate = value
            }
            guard enabled else { return }
            guard let webhook, !webhook.isEmpty else {
                missingSecret(
                    section, key: "webhook_url",
                    "slack needs webhook_url (or webhook_url_file), e.g. webhook_url: \"${SLACK_WEBHOOK_URL}\"")
                return
            }
            var config = SlackConfig(webhookURL: webhook)
            config.channel = channel
            if let minimum { config.minimumSeverity = minimum }
            if let rate { config.ratePerSecond = rate }
            slack = config
        }
        return slack
    }

    func readWebhook(_ node: YAMLNode) -> WebhookConfig? {
        var webhook: WebhookConfig?
        node.section { section in
            var enabled = true
            section.read("enabled") { enabled = try $0.bool() }
            let url = readSecret(&section, "url")
            var headers: [String: Secret] = [:]
            var minimum: Severity?
            section.read("headers") { headers = try $0.stringMap().mapValues(Secret.init) }
            section.read("min_severity") { minimum = try $0.oneOf(Severity.self) }
            guard enabled else { return }
            guard let url, !url.isEmpty else {
                missingSecret(section, key: "url", "webhook needs url (or url_file)")
                return
            }
            var config = WebhookConfig(url: url)
            config.headers = headers
            if let minimum { config.minimumSeverity = minimum }
            webhook = config
        }
        return webhook
    }

    /// A required secret is empty: name the unset variable that emptied it, else say what to set.
    func missingSecret(_ section: YAMLSection, key: String, _ otherwise: String) {
        let keyPath = section.node.path.isEmpty ? key : "\(section.node.path).\(key)"
        if let variable = section.node.unsetVariable(at: keyPath) {
            section.node.context.problems.append(
                ConfigError(
                    file: file, keyPath: keyPath, line: section.node.line,
                    message: "${\(variable)} is not set in the environment"))
        } else {
            section.problem(otherwise)
        }
    }

    mutating func readNotificationsCompat(_ node: YAMLNode) {
        node.section { section in
            section.read("slack") { slack in
                if config.outputs.slack == nil { config.outputs.slack = readSlack(slack) }
            }
            section.read("webhook") { webhook in
                if config.outputs.webhook == nil { config.outputs.webhook = readWebhook(webhook) }
            }
            section.read("discord") { discord in
                discord.section { fields in
                    fields.accept("webhook_url")
                    fields.read("enabled") { enabled in
                        if try enabled.bool() {
                            throw discord.error(
                                "Discord is not supported; use outputs.webhook with Discord's Slack-compatible URL (…/slack)")
                        }
                    }
                }
            }
            section.read("falco_output") { $0.section { $0.accept("enabled", "priority") } }
        }
    }
}
