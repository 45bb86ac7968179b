import Foundation
import TfdriftCore
import Yams

extension Provisioner {
    // MARK: export

    /// The dashboards in a folder, as files users can commit (no `id`/`version`, sorted keys).
    public func exportDashboards(folderUID: String) async throws -> [(uid: String, model: JSONValue)] {
        let (_, hits) = try await client.send("GET", "/api/search", query: [("type", "dash-db"), ("folderUIDs", folderUID)])
        var out: [(uid: String, model: JSONValue)] = []
        for hit in hits?.arrayValue ?? [] {
            guard let uid = hit["uid"]?.stringValue else { continue }
            let (_, body) = try await client.send("GET", "/api/dashboards/uid/\(GrafanaClient.escape(uid))")
            if let model = body?["dashboard"] { out.append((uid, Normalise.dashboard(model).setting("id", nil))) }
        }
        return out.sorted { $0.uid < $1.uid }
    }

    /// The rule groups in a folder as an alert profile file (rules we can express as `expr` + `condition`
    /// come out in that form; anything else in Grafana's own form under `grafana:`).
    public func exportAlertProfile(
        folderUID: String, name: String, base: AlertProfile?, lokiUID: String, contactPointOverrides: [String: String] = [:]
    ) async throws -> String {
        let (_, body) = try await client.send("GET", "/api/v1/provisioning/alert-rules")
        let rules = (body?.arrayValue ?? []).filter { $0["folderUID"]?.stringValue == folderUID }
        let groupNames = Array(Set(rules.compactMap { $0["ruleGroup"]?.stringValue })).sorted()
        var groups: [JSONValue] = []
        for groupName in groupNames {
            let (_, group) = try await client.send(
                "GET",
                "/api/v1/provisioning/folder/\(GrafanaClient.escape(folderUID))/rule-groups/\(GrafanaClient.escape(groupName))")
            let interval = group?["interval"]?.intValue ?? 60
            let exported = (group?["rules"]?.arrayValue ?? []).map {
                AlertExport.rule($0, group: groupName, base: base, lokiUID: lokiUID, overrides: contactPointOverrides)
            }
            var entry: [String: JSONValue] = [
                "name": .string(groupName), "interval": .string("\(interval)s"), "rules": .array(exported),
            ]
            let rules = group?["rules"]?.arrayValue ?? []
            if !rules.isEmpty, rules.allSatisfy(MaintenanceMuteTimings.isHealthRule) {
                entry["kind"] = .string(AlertProfile.Kind.health.rawValue)
            }
            groups.append(.object(entry))
        }
        var root: [String: JSONValue] = ["profile": .string(name), "groups": .array(groups)]
        if let base {
            root["runbook_base_url"] = .string(base.runbookBaseURL)
            root["prometheus_datasource_uid"] = .string(base.prometheusDatasourceUID)
            root["labels"] = .object(base.labels.mapValues { .string($0) })
            root["receivers"] = .object(base.receivers.mapValues { .string($0) })
            root["routing"] = .string(base.routing.rawValue)
            if !base.notification.isEmpty { root["notification"] = .object(base.notification) }
            if !base.muteTimingNames.isEmpty { root["mute_timings"] = .array(base.muteTimingNames.map { .string($0) }) }
            if !base.templates.isEmpty {
                root["templates"] = .array(base.templates.map { ["name": .string($0.name), "template": .string($0.template)] })
            }
        }
        return "# Exported by tfdriftctl alerts export from Grafana (folder \(folderUID)).\n"
            + ((try? Yams.serialize(node: JSONValue.object(root).yamlNode, width: -1, sortKeys: false)) ?? "")
    }
}
