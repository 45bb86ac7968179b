import Foundation
import TfdriftCore

/// What `alerts plan|apply|delete` and doctor's `grafana.alert_rules` want Grafana to hold, built in one
/// place so that they agree: the profile with the maintenance windows attached (drift rules only), the
/// rules that need Prometheus resolved against the data sources Grafana has, and the default contact point.
public struct AlertsRequest: Sendable {
    public var profile: AlertProfile
    public var folder: FolderSpec
    public var lokiUID: String
    public var orgID: Int
    /// `grafana.contact_points`: severity (or `default`) → contact point name.
    public var contactPointOverrides: [String: String]
    public var maintenanceWindows: [MaintenanceWindow]
    /// The Loki data source (when a Loki URL is configured).
    public var dataSource: DataSourceSpec?
    /// Where alerts go when neither `grafana.contact_points` nor the profile names a contact point of the
    /// team's: a Slack contact point from `outputs.slack`, so the default passes doctor (Grafana's own
    /// default, `grafana-default-email`, is a placeholder address).
    public var defaultContactPoint: ContactPointSpec?

    public init(profile: AlertProfile, folder: FolderSpec, lokiUID: String, orgID: Int = 1) {
        self.profile = profile
        self.folder = folder
        self.lokiUID = lokiUID
        self.orgID = orgID
        self.contactPointOverrides = [:]
        self.maintenanceWindows = []
    }

    /// The request for a configuration (`grafana:`, `outputs:`, `advanced.maintenance_windows`).
    public init(profile: AlertProfile, config: TfdriftConfig, grafana: GrafanaConfig) throws {
        self.init(
            profile: profile, folder: FolderSpec(uid: grafana.folderUID, title: grafana.folder), lokiUID: grafana.datasourceUID,
            orgID: grafana.orgID ?? 1)
        contactPointOverrides = grafana.contactPoints
        maintenanceWindows = config.maintenanceWindows
        if grafana.lokiURL != nil || config.outputs.loki != nil {
            dataSource = try DataSourceSpec.loki(config: config, grafana: grafana)
        }
        defaultContactPoint = config.outputs.slack.map(Self.slackContactPoint)
    }

    /// Grafana's placeholder contact point, which the shipped profiles name until the team names its own.
    public static let grafanaDefaultReceiver = "grafana-default-email"

    static func slackContactPoint(_ slack: SlackConfig) -> ContactPointSpec {
        var settings: [String: JSONValue] = [:]
        if let channel = slack.channel { settings["recipient"] = .string(channel) }
        return ContactPointSpec(
            uid: "tfdrift-slack", name: "tfdrift-slack", type: "slack", settings: settings, secrets: ["url": slack.webhookURL])
    }

    /// Whether the alerts would otherwise go to Grafana's placeholder.
    var usesGrafanaDefault: Bool {
        contactPointOverrides["default"] == nil
            && profile.receiver(for: "default", overrides: contactPointOverrides) == Self.grafanaDefaultReceiver
    }
}

/// The alerts' desired state and what to tell the user about it.
public struct AlertsPlanInput: Sendable {
    public var desired: DesiredState
    /// One line each: rules skipped or changed for a Loki-only Grafana, the contact point chosen.
    public var notes: [String]
}

extension Provisioner {
    /// Builds the alerts' desired state (reads only: whether the profile's Prometheus data source exists).
    public func alertsDesiredState(_ request: AlertsRequest) async throws -> AlertsPlanInput {
        var profile = try request.profile.addingMaintenanceWindows(request.maintenanceWindows)
        var notes: [String] = []
        var overrides = request.contactPointOverrides
        if request.usesGrafanaDefault {
            if let slack = request.defaultContactPoint {
                var point = slack
                // The profile's message template, when it has one (the shipped profiles do).
                if profile.templates.contains(where: { $0.name == "tfdrift" }) {
                    point.settings["text"] = "{{ template \"tfdrift.message\" . }}"
                }
                profile.contactPoints.removeAll { $0.uid == point.uid }
                profile.contactPoints.append(point)
                overrides["default"] = slack.name
                notes.append(
                    "alerts notify contact point \(slack.name) (Slack, from outputs.slack); map severities to your own contact points with grafana.contact_points"
                )
            } else {
                notes.append(
                    "alerts notify \(AlertsRequest.grafanaDefaultReceiver), Grafana's placeholder contact point (<example@email.com>): set grafana.contact_points (or outputs.slack) so someone is told; doctor's grafana.contact_points fails until then"
                )
            }
        }
        let needsPrometheus = profile.groups.contains { $0.rules.contains(where: \.needsPrometheus) }
        let prometheus = needsPrometheus ? try await dataSourceExists(uid: profile.prometheusDatasourceUID) : true
        let compiled = profile.compile(
            folderUID: request.folder.uid, lokiUID: request.lokiUID, orgID: request.orgID, contactPointOverrides: overrides,
            environment: AlertEnvironment(prometheus: prometheus))
        if let note = compiled.note(prometheusUID: profile.prometheusDatasourceUID) { notes.insert(note, at: 0) }
        var desired = compiled.desired
        desired.dataSource = request.dataSource
        desired.folder = request.folder
        return AlertsPlanInput(desired: desired, notes: notes)
    }

    /// Whether Grafana has a data source with this uid.
    public func dataSourceExists(uid: String) async throws -> Bool {
        let (status, _) = try await client.send("GET", "/api/datasources/uid/\(GrafanaClient.escape(uid))", allowNotFound: true)
        return status == 200
    }
}
