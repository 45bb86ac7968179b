/// The typed form of `tfdrift.yaml` (SPEC §3). Everything is a value type; secrets are `Secret`.
public struct TfdriftConfig: Sendable {
    /// Where the file was loaded from; relative paths in it resolve against its directory.
    public var sourceFile: String?
    public var states: [StateSourceConfig] = []
    public var stateReloadInterval: Double = 300
    public var cloudTrail = CloudTrailConfig()
    public var regions: [String] = []
    public var server = ServerConfig()
    public var detection = DetectionConfig()
    public var maintenanceWindows: [MaintenanceWindow] = []
    /// `advanced.silences`: horizon, matchers and target of `silence schedule`.
    public var silences = SilenceConfig()
    public var outputs = OutputsConfig()
    public var grafana: GrafanaConfig?
    public var alertmanager: AlertmanagerConfig?
    public var logging = LoggingConfig()
    /// Things that loaded but deserve a word (deprecated or ignored upstream keys, unset variables).
    public var warnings: [String] = []
    /// `${VAR}` references whose variable was unset, by key path.
    public var unsetVariables: [String: String] = [:]

    public init() {}
}

public struct StateSourceConfig: Sendable, Equatable {
    public enum Backend: String, Sendable, CaseIterable { case local, s3 }
    public var name: String
    public var backend: Backend
    /// Local file or glob (`local` backend).
    public var localPath: String?
    public var bucket: String?
    public var key: String?
    public var region: String?
    public var workspace: String?
    public var workspaceKeyPrefix: String?
    public var endpoint: String?
    public var assumeRoleARN: String?
    /// The AWS account whose resources this state manages (multi-account routing, org trails).
    public var accountID: String?

    public init(name: String, backend: Backend) {
        self.name = name
        self.backend = backend
    }
}

public struct CloudTrailConfig: Sendable {
    /// Local CloudTrail log files or directories (S3 layout), read by `run` and as `replay`'s default.
    public var logPaths: [String] = []
    public var s3Bucket: String?
    public var s3Prefix: String?
    public var sqsQueue: String?
    public var region: String?
    public var endpoint: String?
    /// Organisation trails: only these accounts are processed (empty = all).
    public var accounts: [String] = []
    /// A role to assume for reading the queue and the log bucket (cross-account log archives).
    public var assumeRoleARN: String?
    /// KMS keys the trail's log files are encrypted with (for `iam-policy`'s kms:Decrypt).
    public var kmsKeyARNs: [String] = []
    /// A gzip log file that inflates past this many bytes is refused, naming it (a decompression bomb
    /// costs time, not memory: inputs are read a window at a time).
    public var maxInflatedBytes: Int = 4 << 30
    public init() {}
}

public struct ServerConfig: Sendable {
    public var listen: String = "127.0.0.1:8080"
    public var falcoPath: String = "/api/v1/falco/events"
    public var tlsCertFile: String?
    public var tlsKeyFile: String?
    public var clientCAFile: String?
    public var token: Secret?
    public var maxBodyBytes: Int = 5 * 1024 * 1024
    public var queueCapacity: Int = 10_000
    /// Accepted HTTP requests are written here before the 202, so a crash loses none (nil: no journal).
    public var journalDirectory: String?
    /// `fdatasync` before the 202 (survives power loss); false: the write only (survives a killed process).
    public var journalSync: Bool = true
    public var enabled: Bool = false
    /// No event for this long: log a warning (seed 2.4: 15 minutes); alerts use the metric.
    public var staleAfter: Double = 900
    /// A connection that sends nothing for this long is closed (a stalled body included).
    public var idleTimeout: Double = 60
    /// A request body must arrive within this long of its headers, however slowly it trickles.
    public var readTimeout: Double = 30
    public init() {}
}

public enum Severity: String, Sendable, CaseIterable, Comparable, Codable {
    case low, medium, high, critical
    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One severity rule: the first rule that matches a drift sets its severity.
public struct SeverityRule: Sendable, Equatable {
    public var name: String?
    /// Terraform type globs (`aws_iam_*`); empty matches every type.
    public var resourceTypes: [String] = []
    /// Attribute names; the rule matches when the diff touches one of them (empty: any).
    public var attributes: [String] = []
    /// Drift types (`modified`, `deleted`, `unmanaged`); empty: any.
    public var driftTypes: [String] = []
    public var severity: Severity
    public init(
        name: String? = nil, resourceTypes: [String] = [], attributes: [String] = [],
        driftTypes: [String] = [], severity: Severity
    ) {
        self.name = name
        self.resourceTypes = resourceTypes
        self.attributes = attributes
        self.driftTypes = driftTypes
        self.severity = severity
    }
}

/// An ignore rule: a drift matching every given field is dropped (counted as `ignored_by_rule`).
public struct IgnoreRule: Sendable, Equatable {
    public var name: String?
    public var actorARNs: [String] = []
    public var userAgents: [String] = []
    public var resourceAddresses: [String] = []
    public var resourceTypes: [String] = []
    public var eventNames: [String] = []
    public init() {}
}

public struct DetectionConfig: Sendable {
    public var severityRules: [SeverityRule] = []
    public var ignoreRules: [IgnoreRule] = []
    /// CI/CD principals whose changes are expected (ARN globs), like Terraform's own user agent.
    public var expectedActors: [String] = []
    /// Extra user-agent substrings that mark expected changes (besides Terraform/OpenTofu).
    public var expectedUserAgents: [String] = []
    public var dedupWindow: Double = 300
    /// Extra catalog files; an entry with the same source and name replaces the built-in one.
    public var catalogPaths: [String] = []
    /// Report changes to resources no state manages (`unmanaged`).
    public var reportUnmanaged: Bool = true
    /// The live picture of resources touched: how many it keeps (oldest forgotten first), and where
    /// `run` keeps it across restarts (default: `live-picture.jsonl` in the ingest journal's directory).
    public var pictureMaxResources: Int = 50_000
    public var pictureFile: String?
    public init() {}
}

/// What happens to notifications for drift inside a maintenance window.
public enum MaintenanceNotifications: String, Sendable, CaseIterable {
    /// Never notify (the drift still goes to logs and Loki).
    case drop
    /// One summary message per window when it ends.
    case summary
}

public struct OutputsConfig: Sendable {
    public var maintenanceNotifications: MaintenanceNotifications = .summary
    public var stdout: Bool = true
    public var file: FileOutputConfig?
    public var loki: LokiConfig?
    public var slack: SlackConfig?
    public var webhook: WebhookConfig?
    public init() {}
}

public struct FileOutputConfig: Sendable {
    public var path: String
    public var maxSizeBytes: Int = 100 * 1024 * 1024
    public var maxFiles: Int = 5
    public init(path: String) { self.path = path }
}

public struct LokiConfig: Sendable {
    public var url: String
    public var tenantID: String?
    public var username: String?
    public var password: Secret?
    public var labels: [String: String] = [:]
    public var job: String = "tfdrift-falco"
    public var caFile: String?
    /// Entries are written here before they count as accepted, and replayed after an outage or restart.
    public var spoolDirectory: String = "./tfdrift-spool"
    public var spoolMaxBytes: Int = 512 * 1024 * 1024
    public var batchMaxEntries: Int = 500
    public var batchMaxWait: Double = 1
    /// Lines longer than this are shortened before pushing: Loki refuses lines over its `max_line_size`
    /// (256 KB by default), which would otherwise cost the event.
    public var maxLineBytes: Int = 256_000
    public init(url: String) { self.url = url }
}

public struct SlackConfig: Sendable {
    public var webhookURL: Secret
    public var channel: String?
    public var minimumSeverity: Severity = .high
    public var ratePerSecond: Double = 1
    public init(webhookURL: Secret) { self.webhookURL = webhookURL }
}

public struct WebhookConfig: Sendable {
    public var url: Secret
    public var headers: [String: Secret] = [:]
    public var minimumSeverity: Severity = .low
    public init(url: Secret) { self.url = url }
}

public struct GrafanaConfig: Sendable {
    public var url: String
    public var token: Secret?
    public var username: String?
    public var password: Secret?
    public var orgID: Int?
    public var folder: String = "TFDrift"
    public var folderUID: String = "tfdrift"
    public var datasourceName: String = "Loki (tfdrift)"
    public var datasourceUID: String = "tfdrift-loki"
    public var lokiURL: String?
    /// `grafana.datasource_is_default`: nil leaves the Loki data source's default flag to Grafana.
    public var datasourceIsDefault: Bool?
    public var caFile: String?
    public var uiEditable: Bool = false
    public var contactPoints: [String: String] = [:]
    public init(url: String) { self.url = url }
}

public struct AlertmanagerConfig: Sendable {
    public var url: String
    public var username: String?
    public var password: Secret?
    public var token: Secret?
    /// A private CA that signed the Alertmanager's certificate.
    public var caFile: String?
    public init(url: String) { self.url = url }
}

public struct LoggingConfig: Sendable {
    public var level: String = "info"
    public var format: String = "text"
    public init() {}
}
