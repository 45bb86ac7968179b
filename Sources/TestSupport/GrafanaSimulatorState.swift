import Foundation

/// What one organisation of the simulated Grafana holds. Public so tests can play "someone edited it in
/// the UI" (`GrafanaSimulator.withState`).
public struct GrafanaOrgState: Sendable {
    public struct DataSource: Sendable {
        /// Every `DataSource` field as Grafana returns it (without secrets).
        public var fields: [String: JSONNode]
        /// `secureJsonData` as stored (write-only through the API).
        public var secure: [String: String]
        public var uid: String { fields["uid"]?.stringValue ?? "" }
        public var name: String { fields["name"]?.stringValue ?? "" }
        public var version: Int { fields["version"]?.intValue ?? 0 }
        public var readOnly: Bool { fields["readOnly"]?.boolValue ?? false }
        public init(fields: [String: JSONNode], secure: [String: String]) {
            self.fields = fields
            self.secure = secure
        }
    }

    public struct Folder: Sendable {
        public var id: Int
        public var uid: String
        public var title: String
        public var version: Int
        public var description: String?
        public init(id: Int, uid: String, title: String, version: Int, description: String? = nil) {
            self.id = id
            self.uid = uid
            self.title = title
            self.version = version
            self.description = description
        }
    }

    public struct Dashboard: Sendable {
        public var id: Int
        /// The stored model, including `id`, `uid` and `version` as Grafana keeps them.
        public var model: [String: JSONNode]
        public var folderUID: String?
        public var version: Int
        /// Provisioned from a file on the Grafana host: the API refuses to save or delete it.
        public var provisioned: Bool
        public var uid: String { model["uid"]?.stringValue ?? "" }
        public var title: String { model["title"]?.stringValue ?? "" }
    }

    public struct ContactPoint: Sendable {
        public var uid: String
        public var name: String
        public var type: String
        /// Settings including secure values in clear (they leave the simulator redacted).
        public var settings: [String: JSONNode]
        public var disableResolveMessage: Bool
        public var provenance: String
        public init(
            uid: String, name: String, type: String, settings: [String: JSONNode], disableResolveMessage: Bool = false,
            provenance: String = ""
        ) {
            self.uid = uid
            self.name = name
            self.type = type
            self.settings = settings
            self.disableResolveMessage = disableResolveMessage
            self.provenance = provenance
        }
    }

    public struct Template: Sendable {
        public var template: String
        public var version: String
        public var provenance: String
    }

    public struct MuteTiming: Sendable {
        public var timeIntervals: JSONNode
        public var version: String
        public var provenance: String
        public init(timeIntervals: JSONNode, version: String, provenance: String) {
            self.timeIntervals = timeIntervals
            self.version = version
            self.provenance = provenance
        }
    }

    public var dataSources: [DataSource] = []
    public var folders: [Folder] = []
    public var dashboards: [Dashboard] = []
    /// Alert rules as `ProvisionedAlertRule` objects (with `provenance`, `updated`, `id`).
    public var rules: [[String: JSONNode]] = []
    /// Evaluation interval in seconds per `folderUID/group`.
    public var groupIntervals: [String: Int] = [:]
    public var contactPoints: [ContactPoint] = [
        ContactPoint(
            uid: "cdefaultemail", name: "grafana-default-email", type: "email",
            settings: ["addresses": "<example@email.com>"], disableResolveMessage: false, provenance: "")
    ]
    /// The notification policy tree (a `Route`), without provenance.
    public var policy: JSONNode = [
        "receiver": "grafana-default-email", "group_by": ["grafana_folder", "alertname"],
    ]
    public var policyProvenance = ""
    public var templates: [String: Template] = [:]
    public var muteTimings: [String: MuteTiming] = [:]
    /// Alertmanagers by uid: "grafana" (the built-in one) and Alertmanager data sources.
    public var alertmanagers: [String: SimulatedAlertmanager] = [:]

    public init() {}

    public func rules(folder: String, group: String) -> [[String: JSONNode]] {
        rules.filter { $0["folderUID"]?.stringValue == folder && $0["ruleGroup"]?.stringValue == group }
    }
}

/// One request as the simulator received it, with the status it answered.
public struct RecordedRequest: Sendable, CustomStringConvertible {
    public let method: String
    public let path: String
    public let query: [String: [String]]
    /// Header names lower-cased.
    public let headers: [String: String]
    public let body: JSONNode?
    public let status: Int
    /// The OpenAPI operation it matched, if any.
    public let operationID: String?
    /// Why the simulator rejected it as not conforming to the OpenAPI document (empty when it conformed).
    public let specProblems: [String]

    public var isWrite: Bool { !["GET", "HEAD", "OPTIONS"].contains(method) }
    public var description: String { "\(method) \(path) → \(status)" }
}

/// Secure settings per contact point type, as Grafana's notifiers declare them.
enum ContactPointSecrets {
    static let keys: [String: [String]] = [
        "slack": ["url", "token"],
        "webhook": ["password", "authorization_credentials"],
        "email": [],
        "pagerduty": ["integrationKey"],
        "discord": ["url"],
        "teams": ["url"],
        "googlechat": ["url"],
        "telegram": ["bottoken"],
        "opsgenie": ["apiKey"],
    ]

    /// The reason settings are invalid for the type, as Grafana words it, or nil.
    static func problem(type: String, settings: [String: JSONNode]) -> String? {
        func has(_ key: String) -> Bool { !(settings[key]?.stringValue ?? "").isEmpty }
        switch type {
        case "slack":
            if !has("url") && !has("token") { return "token must be specified when using the Slack chat API" }
            if has("token") && !has("recipient") { return "recipient must be specified when using the Slack chat API" }
        case "webhook":
            if !has("url") { return "required field 'url' is not specified" }
        case "email":
            if !has("addresses") { return "could not find addresses in settings" }
        case "pagerduty":
            if !has("integrationKey") { return "could not find integration key property in settings" }
        default: break
        }
        return nil
    }
}

/// Go's `time.Duration`/Prometheus `model.Duration` parsing and formatting for rule durations.
enum PromDuration {
    static func seconds(_ text: String) -> Int? {
        if text == "0" { return 0 }
        var total = 0
        var number = ""
        var unit = ""
        var any = false
        func flush() -> Bool {
            guard let value = Int(number) else { return false }
            let scale: Int
            switch unit {
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86400
            case "w": scale = 604_800
            case "y": scale = 31_536_000
            default: return false
            }
            total += value * scale
            number = ""
            unit = ""
            any = true
            return true
        }
        for character in text {
            if character.isASCII, character.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else if character.isASCII, character.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard flush(), any else { return nil }
        return total
    }

    /// `model.Duration.String()`: `0s`, `5m`, `1h30m`, `1d`.
    static func format(_ seconds: Int) -> String {
        if seconds == 0 { return "0s" }
        var remaining = seconds
        var output = ""
        for (unit, scale) in [("y", 31_536_000), ("w", 604_800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] {
            if remaining >= scale {
                output += "\(remaining / scale)\(unit)"
                remaining %= scale
            }
        }
        return output
    }
}

extension GrafanaOrgState {
    /// The Prometheus data source (uid `prometheus`) the shipped alert profiles' operational rules query.
    public mutating func addPrometheusDataSource() {
        dataSources.append(
            DataSource(
                fields: [
                    "id": 1, "uid": "prometheus", "name": "Prometheus", "type": "prometheus", "access": "proxy",
                    "url": "http://prometheus:9090", "jsonData": [:], "version": 1, "readOnly": false, "orgId": 1,
                ], secure: [:]))
    }
}
