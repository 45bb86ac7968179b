import Foundation
import TfdriftCore

extension Provisioner {
    /// References that must exist before any write: receivers and mute timings named by rules and the
    /// route (in Grafana already, or created by this apply), and rule data sources.
    public func checkReferences(_ desired: DesiredState) async throws {
        var receivers: Set<String> = []
        var timings: Set<String> = []
        var sources: Set<String> = []
        for group in desired.ruleGroups {
            for rule in group.rules {
                if let receiver = rule["notification_settings"]?["receiver"]?.stringValue { receivers.insert(receiver) }
                for name in rule["notification_settings"]?["mute_time_intervals"]?.arrayValue ?? [] {
                    if let name = name.stringValue { timings.insert(name) }
                }
                for query in rule["data"]?.arrayValue ?? [] {
                    if let uid = query["datasourceUid"]?.stringValue, uid != "__expr__" { sources.insert(uid) }
                }
            }
        }
        if let route = desired.route {
            if let receiver = route.fields["receiver"]?.stringValue { receivers.insert(receiver) }
            for name in route.fields["mute_time_intervals"]?.arrayValue ?? [] {
                if let name = name.stringValue { timings.insert(name) }
            }
        }
        var problems: [String] = []
        if !receivers.isEmpty {
            let (_, body) = try await client.send("GET", "/api/v1/provisioning/contact-points")
            let known = Set((body?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }).union(
                desired.contactPoints.map(\.name))
            for name in receivers.subtracting(known).sorted() {
                problems.append(
                    "receiver \"\(name)\" is neither a contact point in Grafana nor one of the profile's contact_points (set grafana.contact_points or the profile's receivers)"
                )
            }
        }
        if !timings.isEmpty {
            let (_, body) = try await client.send("GET", "/api/v1/provisioning/mute-timings")
            let known = Set((body?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }).union(
                desired.muteTimings.map(\.name))
            for name in timings.subtracting(known).sorted() {
                problems.append("mute timing \"\(name)\" does not exist in Grafana or the profile")
            }
        }
        for uid in sources.sorted() where uid != desired.dataSource?.uid {
            let (status, _) = try await client.send(
                "GET", "/api/datasources/uid/\(GrafanaClient.escape(uid))", allowNotFound: true)
            if status == 404 {
                problems.append("data source uid \"\(uid)\" used by the rules does not exist in Grafana")
            }
        }
        if !problems.isEmpty {
            throw ProvisionError(
                "the alert rules refer to things Grafana does not have:\n  " + problems.joined(separator: "\n  "))
        }
    }
}
