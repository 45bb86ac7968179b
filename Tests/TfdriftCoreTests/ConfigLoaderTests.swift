import Foundation
import Testing
import TfdriftCore

@Suite("tfdrift.yaml loading")
struct ConfigLoaderTests {
    @Test("the seed's SQS snippet loads as written")
    func seedSQSSnippet() throws {
        let config = try ConfigLoader.parse(
            yaml: """
                providers:
                  aws:
                    cloudtrail:
                      sqs_queue: "arn:aws:sqs:us-east-1:123456789012:cloudtrail-events"
                """)
        #expect(config.cloudTrail.sqsQueue == "arn:aws:sqs:us-east-1:123456789012:cloudtrail-events")
    }

    @Test("the seed's maintenance-window snippet loads as written")
    func seedMaintenanceWindows() throws {
        let config = try ConfigLoader.parse(
            yaml: """
                advanced:
                  maintenance_windows:
                    - name: "Weekly Deployment"
                      days: ["Sunday"]
                      start_time: "02:00"
                      end_time: "06:00"
                      timezone: "Asia/Tokyo"
                    - name: "Emergency Maintenance"
                      start_datetime: "2025-12-10T20:00:00Z"
                      end_datetime: "2025-12-10T23:00:00Z"
                """)
        #expect(config.maintenanceWindows.map(\.name) == ["Weekly Deployment", "Emergency Maintenance"])
        guard case .weekly(let days, let start, let end, let zone) = config.maintenanceWindows[0].schedule else {
            Issue.record("expected a weekly window")
            return
        }
        #expect(days == [1])
        #expect(start == 120)
        #expect(end == 360)
        #expect(zone.identifier == "Asia/Tokyo")
        guard case .oneOff(let oneOffStart, let oneOffEnd) = config.maintenanceWindows[1].schedule else {
            Issue.record("expected a one-off window")
            return
        }
        #expect(oneOffEnd.timeIntervalSince(oneOffStart) == 3 * 3600)
    }

    @Test("SPEC §3's fixed keys load")
    func specFixedKeys() throws {
        let config = try ConfigLoader.parse(
            yaml: """
                providers:
                  aws:
                    state:
                      backend: local
                      local_path: ./terraform.tfstate
                server:
                  listen: "127.0.0.1:8080"
                outputs:
                  loki:
                    url: "http://127.0.0.1:3100"
                grafana:
                  url: "http://127.0.0.1:3000"
                  token: "${GRAFANA_TOKEN}"
                alertmanager:
                  url: "http://127.0.0.1:9093"
                """, file: "/etc/tfdrift/tfdrift.yaml", environment: [:])
        #expect(config.states.first?.localPath == "/etc/tfdrift/./terraform.tfstate")
        #expect(config.states.first?.backend == .local)
        #expect(config.server.listen == "127.0.0.1:8080")
        #expect(config.outputs.loki?.url == "http://127.0.0.1:3100")
        #expect(config.alertmanager?.url == "http://127.0.0.1:9093")
        // The token variable is unset: it loads (replay does not need it) and is recorded as missing.
        #expect(config.grafana?.token?.value == "")
        #expect(config.unsetVariables["grafana.token"] == "GRAFANA_TOKEN")
    }

    @Test("TFDrift-Falco's config.yaml keys are accepted")
    func upstreamConfig() throws {
        let config = try ConfigLoader.parse(
            yaml: """
                providers:
                  aws:
                    enabled: true
                    regions: [us-east-1, us-west-2]
                    state:
                      backend: s3
                      s3_bucket: my-terraform-state
                      s3_key: prod/terraform.tfstate
                      s3_region: us-east-1
                  gcp:
                    enabled: false
                    projects: []
                falco:
                  enabled: true
                  hostname: localhost
                  port: 5060
                drift_rules:
                  - name: "EC2 Instance Modification"
                    resource_types: ["aws_instance"]
                    watched_attributes: ["instance_type", "disable_api_termination"]
                    severity: "high"
                notifications:
                  slack:
                    enabled: true
                    webhook_url: https://hooks.slack.com/services/XXX/YYY/ZZZ
                    channel: "#alerts"
                  webhook:
                    enabled: false
                    url: ""
                logging:
                  level: info
                  format: json
                advanced:
                  state_refresh_interval: "5m"
                  deduplication_window: "5m"
                  workers: 4
                  event_buffer_size: 100
                """)
        let state = try #require(config.states.first)
        #expect(state.backend == .s3)
        #expect(state.bucket == "my-terraform-state")
        #expect(state.key == "prod/terraform.tfstate")
        #expect(state.region == "us-east-1")
        #expect(config.detection.severityRules.first?.attributes == ["instance_type", "disable_api_termination"])
        #expect(config.detection.severityRules.first?.severity == .high)
        #expect(config.outputs.slack?.channel == "#alerts")
        #expect(config.outputs.webhook == nil)
        #expect(config.stateReloadInterval == 300)
        #expect(config.detection.dedupWindow == 300)
        #expect(config.server.queueCapacity == 100)
        #expect(config.warnings.contains { $0.contains("http_output") })
    }

    @Test("an unknown key names the path, suggests the right key and gives the line")
    func unknownKey() {
        let yaml = """
            providers:
              aws:
                cloudtrial:
                  sqs_queue: "arn:aws:sqs:us-east-1:123456789012:q"
            """
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: yaml, file: "tfdrift.yaml") }
        #expect(error?.keyPath == "providers.aws.cloudtrial")
        #expect(error?.line == 3)
        #expect(error?.description == "tfdrift.yaml: providers.aws.cloudtrial: unknown key (did you mean cloudtrail?) at line 3")
    }

    @Test(
        "wrong types and bad values say what is allowed",
        arguments: [
            ("outputs:\n  stdout: maybe\n", "outputs.stdout", "expected true or false"),
            ("detection:\n  dedup_window: soon\n", "detection.dedup_window", "expected a duration"),
            (
                "advanced:\n  maintenance_windows:\n    - name: w\n      days: [Sunday]\n      start_time: \"02:00\"\n      end_time: \"06:00\"\n      timezone: Mars/Olympus\n",
                "advanced.maintenance_windows[0].timezone", "unknown time zone"
            ),
            (
                "advanced:\n  maintenance_windows:\n    - name: w\n      days: [Someday]\n      start_time: \"02:00\"\n      end_time: \"06:00\"\n",
                "advanced.maintenance_windows[0].days[0]", "expected a day name"
            ),
            (
                "advanced:\n  maintenance_windows:\n    - name: w\n      days: [Sunday]\n      start_time: \"25:00\"\n      end_time: \"06:00\"\n",
                "advanced.maintenance_windows[0].start_time", "expected a time of day"
            ),
            (
                "providers:\n  aws:\n    cloudtrail:\n      sqs_queue: cloudtrail-events\n", "providers.aws.cloudtrail.sqs_queue",
                "expected an SQS queue ARN"
            ),
            ("providers:\n  aws:\n    state:\n      backend: gcs\n", "providers.aws.state.backend", "expected one of local, s3"),
            ("providers:\n  aws:\n    state:\n      backend: s3\n      bucket: b\n", "providers.aws.state", "needs key"),
            ("outputs:\n  loki:\n    url: loki:3100\n", "outputs.loki.url", "expected an http:// or https:// URL"),
            (
                "detection:\n  severity_rules:\n    - severity: urgent\n", "detection.severity_rules[0].severity",
                "expected one of low, medium, high, critical"
            ),
            ("detection:\n  ignore:\n    - name: nothing\n", "detection.ignore[0]", "needs at least one of"),
            ("providers:\n  - aws\n", "providers", "expected a mapping"),
        ])
    func badValues(yaml: String, keyPath: String, message: String) {
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: yaml, file: "t.yaml") }
        #expect(error?.keyPath == keyPath)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
        #expect(error?.line != nil)
    }

    @Test("invalid YAML reports the line")
    func invalidYAML() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "outputs:\n  stdout: true\n   file: [\n", file: "t.yaml")
        }
        #expect(error?.message.hasPrefix("not valid YAML") == true)
        #expect(error?.line != nil)
    }

    @Test("${ENV} expansion, defaults, and secrets from files that never print")
    func environmentAndSecrets() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tfdrift-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "s3cr3t-password\n".write(to: directory.appendingPathComponent("loki.pass"), atomically: true, encoding: .utf8)
        let config = try ConfigLoader.parse(
            yaml: """
                outputs:
                  loki:
                    url: "http://${LOKI_HOST:-127.0.0.1}:3100"
                    tenant_id: "${TENANT}"
                    username: tfdrift
                    password_file: loki.pass
                  slack:
                    webhook_url: "${SLACK_WEBHOOK_URL}"
                """, file: directory.appendingPathComponent("tfdrift.yaml").path,
            environment: ["TENANT": "team-a", "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/abcdef"])
        #expect(config.outputs.loki?.url == "http://127.0.0.1:3100")
        #expect(config.outputs.loki?.tenantID == "team-a")
        #expect(config.outputs.loki?.password?.value == "s3cr3t-password")
        #expect("\(config.outputs.loki!.password!)" == "<redacted>")
        #expect(config.outputs.slack?.webhookURL.value == "https://hooks.slack.com/services/T0/B0/abcdef")
        #expect(!"\(config.outputs.slack!)".contains("abcdef"))
        #expect(Redaction.url("https://hooks.slack.com/services/T0/B0/abcdef") == "https://hooks.slack.com/services/…")
        #expect(Redaction.url("https://admin:pw@grafana.example.com/api?token=x") == "https://grafana.example.com/api")
    }

    @Test("a missing secret file is an error naming the key")
    func missingSecretFile() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "grafana:\n  url: http://g:3000\n  token_file: /nonexistent/token\n", file: "t.yaml")
        }
        #expect(error?.keyPath == "grafana.token_file")
    }

    @Test("states: several, with names, globs and accounts; duplicate names rejected")
    func severalStates() throws {
        let config = try ConfigLoader.parse(
            yaml: """
                providers:
                  aws:
                    states:
                      - name: network
                        local_path: /states/network/*.tfstate
                        account_id: "111122223333"
                      - name: apps
                        bucket: tf-state
                        key: apps/terraform.tfstate
                        workspace: prod
                """)
        #expect(config.states.map(\.name) == ["network", "apps"])
        #expect(config.states[0].accountID == "111122223333")
        #expect(config.states[1].backend == .s3)
        #expect(config.states[1].workspace == "prod")
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(
                yaml: "providers:\n  aws:\n    states:\n      - {name: a, local_path: x}\n      - {name: a, local_path: y}\n")
        }
    }

    @Test("the CloudTrail source can assume a role and name its KMS keys; a non-ARN key is refused")
    func cloudTrailRoleAndKeys() throws {
        let config = try ConfigLoader.parse(
            yaml: """
                providers:
                  aws:
                    cloudtrail:
                      sqs_queue: "arn:aws:sqs:us-east-1:123456789012:ct"
                      assume_role_arn: "arn:aws:iam::999999999999:role/log-archive-reader"
                      kms_key_arns: ["arn:aws:kms:us-east-1:999999999999:key/1234"]
                """)
        #expect(config.cloudTrail.assumeRoleARN == "arn:aws:iam::999999999999:role/log-archive-reader")
        #expect(config.cloudTrail.kmsKeyARNs == ["arn:aws:kms:us-east-1:999999999999:key/1234"])
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "providers:\n  aws:\n    cloudtrail:\n      kms_key_arns: [alias/logs]\n")
        }
        #expect(error?.keyPath == "providers.aws.cloudtrail.kms_key_arns[0]")
    }

    @Test("the ingest journal is on beside the config by default, can move, and can be turned off")
    func ingestJournal() throws {
        let byDefault = try ConfigLoader.parse(yaml: "server:\n  listen: \"127.0.0.1:8080\"\n", file: "/etc/tfdrift/tfdrift.yaml")
        #expect(byDefault.server.journalDirectory == "/etc/tfdrift/tfdrift-journal")
        let moved = try ConfigLoader.parse(yaml: "server:\n  journal_dir: journal\n", file: "/etc/tfdrift/tfdrift.yaml")
        #expect(moved.server.journalDirectory == "/etc/tfdrift/journal")
        #expect(byDefault.server.journalSync, "a 202 waits for fdatasync unless told otherwise")
        #expect(try ConfigLoader.parse(yaml: "server:\n  journal_sync: false\n").server.journalSync == false)
        let off = try ConfigLoader.parse(yaml: "server:\n  journal: false\n")
        #expect(off.server.journalDirectory == nil)
        let both = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "server:\n  journal: false\n  journal_dir: /var/lib/tfdrift\n")
        }
        #expect("\(both.map { "\($0)" } ?? "")".contains("journal_dir is set but journal is false"))
        #expect(try ConfigLoader.parse(yaml: "").server.journalDirectory == nil, "no server section, no listener, no journal")
    }

    @Test("an empty file is an empty configuration")
    func emptyFile() throws {
        let config = try ConfigLoader.parse(yaml: "")
        #expect(config.states.isEmpty)
        #expect(config.outputs.stdout)
    }

    @Test("the did-you-mean distance counts a swap as one edit")
    func suggestions() throws {
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: "outptus:\n  stdout: true\n") }
        #expect(error?.message.contains("did you mean outputs?") == true)
    }
}
