import Crypto
import Foundation
import TfdriftCore

/// Everything tfdriftctl wants Grafana to hold, built from the config, `dashboards/` and an alert profile.
public struct DesiredState: Sendable {
    public var dataSource: DataSourceSpec?
    public var folder: FolderSpec?
    public var templates: [TemplateSpec] = []
    public var contactPoints: [ContactPointSpec] = []
    public var muteTimings: [MuteTimingSpec] = []
    /// Our one sub-route of the notification policy tree (routing mode `policy`), nil to leave the tree alone.
    public var route: RouteSpec?
    public var ruleGroups: [RuleGroupSpec] = []
    public var dashboards: [DashboardSpec] = []
    /// Dashboards in our folder with our uid prefix that are not desired any more are deleted.
    public var pruneDashboards = false
    /// Rule groups in our folder whose rules all carry `managed_by=tfdriftctl` and are not desired are deleted.
    public var pruneRuleGroups = false

    public init() {}
}

public struct DataSourceSpec: Sendable {
    public var uid: String
    public var name: String
    public var url: String
    public var basicAuthUser: String?
    public var basicAuthPassword: Secret?
    /// Loki multi-tenancy: sent as `X-Scope-OrgID`.
    public var tenant: String?
    /// Whether it is the organisation's default data source; nil leaves it to Grafana (which makes the
    /// first data source of an organisation its default).
    public var isDefault: Bool?

    public init(uid: String, name: String, url: String) {
        self.uid = uid
        self.name = name
        self.url = url
    }

    /// A Loki data source for `grafana:` and `outputs.loki:` in the config.
    public static func loki(config: TfdriftConfig, grafana: GrafanaConfig) throws -> DataSourceSpec {
        guard let url = grafana.lokiURL ?? config.outputs.loki?.url else {
            throw ProvisionError(
                "no Loki URL for the data source: set grafana.loki_url (Loki's address as Grafana sees it) or outputs.loki.url")
        }
        var spec = DataSourceSpec(uid: grafana.datasourceUID, name: grafana.datasourceName, url: url)
        spec.isDefault = grafana.datasourceIsDefault
        if let loki = config.outputs.loki {
            spec.basicAuthUser = loki.username
            spec.basicAuthPassword = loki.password
            spec.tenant = loki.tenantID
        }
        return spec
    }
}

public struct FolderSpec: Sendable {
    public var uid: String
    public var title: String
    public init(uid: String, title: String) {
        self.uid = uid
        self.title = title
    }
}

public struct TemplateSpec: Sendable {
    public var name: String
    public var template: String
    public init(name: String, template: String) {
        self.name = name
        self.template = template
    }
}

public struct ContactPointSpec: Sendable {
    public var uid: String
    public var name: String
    public var type: String
    /// Non-secret settings.
    public var settings: [String: JSONValue]
    /// Secure settings (webhook URLs, tokens, passwords), from the environment or files.
    public var secrets: [String: Secret]
    public var disableResolveMessage = false

    public init(uid: String, name: String, type: String, settings: [String: JSONValue], secrets: [String: Secret]) {
        self.uid = uid
        self.name = name
        self.type = type
        self.settings = settings
        self.secrets = secrets
    }
}

public struct MuteTimingSpec: Sendable {
    public var name: String
    public var timeIntervals: JSONValue
    public init(name: String, timeIntervals: JSONValue) {
        self.name = name
        self.timeIntervals = timeIntervals
    }
}

/// The sub-route tfdriftctl owns: matched by one label (`managed_by="tfdriftctl"`), everything else in the
/// tree is left exactly as it is.
public struct RouteSpec: Sendable {
    public var label: String
    public var value: String
    /// `receiver`, `group_by`, timings, `mute_time_intervals`: the route's fields besides the matcher.
    public var fields: [String: JSONValue]

    public init(label: String = "managed_by", value: String = "tfdriftctl", fields: [String: JSONValue]) {
        self.label = label
        self.value = value
        self.fields = fields
    }

    var matcher: JSONValue { [.string(label), "=", .string(value)] }

    var route: JSONValue {
        var route = fields
        route["object_matchers"] = [matcher]
        return .object(route)
    }
}

public struct RuleGroupSpec: Sendable {
    public var folderUID: String
    public var name: String
    public var intervalSeconds: Int
    /// `ProvisionedAlertRule` bodies.
    public var rules: [JSONValue]

    public init(folderUID: String, name: String, intervalSeconds: Int, rules: [JSONValue]) {
        self.folderUID = folderUID
        self.name = name
        self.intervalSeconds = intervalSeconds
        self.rules = rules
    }
}

public struct DashboardSpec: Sendable {
    public var model: JSONValue
    public var folderUID: String?
    /// Where it was read from, for messages.
    public var source: String

    public init(model: JSONValue, folderUID: String?, source: String) {
        self.model = model
        self.folderUID = folderUID
        self.source = source
    }

    public var uid: String { model["uid"]?.stringValue ?? "" }
    public var title: String { model["title"]?.stringValue ?? "" }
}

/// The hash of desired secrets that tfdriftctl keeps beside a resource, so an unchanged secret is not
/// sent again (Grafana never returns secrets). Salted with the resource's identity.
enum SecretHash {
    static func of(_ secrets: [String: Secret], identity: String) -> String? {
        guard !secrets.isEmpty else { return nil }
        var text = "tfdriftctl:\(identity)\n"
        for key in secrets.keys.sorted() { text += "\(key)=\(secrets[key]!.value)\n" }
        let digest = SHA256.hash(data: Data(text.utf8))
        return "sha256:" + digest.map { String(format: "%02x", $0) }.joined()
    }
}
