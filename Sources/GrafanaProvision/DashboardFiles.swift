import Foundation
import Yams

/// Dashboards as JSON files (`dashboards/*.json`), checked before anything is sent: a uid, a title,
/// no numeric id, a relative time range, and data sources only through variables (`${datasource}`),
/// never an instance's uid.
public enum DashboardFiles {
    public static func load(directory: String, folderUID: String?) throws -> [DashboardSpec] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw ProvisionError("cannot read the dashboards directory \(directory): \(error.localizedDescription)")
        }
        if files.isEmpty { throw ProvisionError("no dashboards (*.json) in \(directory)") }
        let paths = files.map { (directory as NSString).appendingPathComponent($0) }
        return try load(
            paths.map { path in (path, FileManager.default.contents(atPath: path).map(Array.init)) }, folderUID: folderUID)
    }

    /// The dashboards compiled into the binary from the repository's `dashboards/` (used when there is
    /// no dashboards directory to read: the binary installed on its own).
    public static func loadBuiltIn(folderUID: String?) throws -> [DashboardSpec] {
        let names = EmbeddedResources.names(in: "dashboards").filter { $0.hasSuffix(".json") }
        if names.isEmpty { throw ProvisionError("this build has no built-in dashboards; pass --dir") }
        return try load(names.map { ("built-in \($0)", EmbeddedResources.data($0).map(Array.init)) }, folderUID: folderUID)
    }

    /// Parses and checks dashboards, reporting every problem of every file at once.
    static func load(_ files: [(source: String, bytes: [UInt8]?)], folderUID: String?) throws -> [DashboardSpec] {
        var specs: [DashboardSpec] = []
        var errors: [String] = []
        var uids: [String: String] = [:]
        for (path, bytes) in files {
            guard let bytes else {
                errors.append("\(path): cannot read")
                continue
            }
            let model: JSON
            do { model = try JSON.parse(bytes) } catch {
                errors.append("\(path): \(error)")
                continue
            }
            let problems = validate(model)
            errors += problems.map { "\(path): \($0)" }
            if let uid = model["uid"]?.stringValue {
                if let other = uids[uid] { errors.append("\(path): uid \(uid) is also used by \(other)") }
                uids[uid] = path
            }
            if problems.isEmpty { specs.append(DashboardSpec(model: model, folderUID: folderUID, source: path)) }
        }
        if !errors.isEmpty { throw ProvisionError("dashboards are not valid:\n  " + errors.joined(separator: "\n  ")) }
        return specs
    }

    /// Every problem with one dashboard model.
    public static func validate(_ model: JSON) -> [String] {
        var problems: [String] = []
        guard model.objectValue != nil else { return ["not a JSON object"] }
        let uid = model["uid"]?.stringValue ?? ""
        if uid.isEmpty || uid.count > 40
            || uid.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")) })
        {
            problems.append("uid must be 1–40 letters, digits, - or _ (got \"\(uid)\")")
        }
        if (model["title"]?.stringValue ?? "").isEmpty { problems.append("title is missing") }
        if let id = model["id"], id != .null { problems.append("remove \"id\": Grafana assigns it per instance") }
        for key in ["from", "to"] {
            let value = model["time"]?[key]?.stringValue ?? ""
            if !value.hasPrefix("now") { problems.append("time.\(key) must be relative (now-…), got \"\(value)\"") }
        }
        let variables = Set(
            (model["templating"]?["list"]?.arrayValue ?? []).filter { $0["type"]?.stringValue == "datasource" }
                .compactMap { $0["name"]?.stringValue })
        checkDataSources(model, path: "", variables: variables, problems: &problems)
        return problems
    }

    static func checkDataSources(_ value: JSON, path: String, variables: Set<String>, problems: inout [String]) {
        switch value {
        case .object(let fields):
            if let source = fields["datasource"], path.hasPrefix("panels") || path.hasPrefix("annotations") {
                let uid = source["uid"]?.stringValue ?? source.stringValue
                if let uid,
                    !(uid.hasPrefix("${") || uid.hasPrefix("$")
                        || ["-- Grafana --", "grafana", "__expr__", "-- Mixed --", "-- Dashboard --"].contains(uid))
                {
                    problems.append(
                        "\(path).datasource names the instance uid \"\(uid)\"; use a data source variable such as ${datasource}")
                } else if let uid, uid.hasPrefix("$") {
                    let name = uid.trimmingCharacters(in: CharacterSet(charactersIn: "${}"))
                    if !variables.contains(name) {
                        problems.append("\(path).datasource uses $\(name), which is not a data source variable")
                    }
                }
            }
            for (key, child) in fields where key != "datasource" {
                checkDataSources(child, path: path.isEmpty ? key : "\(path).\(key)", variables: variables, problems: &problems)
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                checkDataSources(item, path: "\(path)[\(index)]", variables: variables, problems: &problems)
            }
        default: break
        }
    }
}

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
                problems.append(
                    "data source uid \"\(uid)\" used by the rules does not exist in Grafana (operational rules need Prometheus: pass --prometheus-uid or set prometheus_datasource_uid in the profile)"
                )
            }
        }
        if !problems.isEmpty {
            throw ProvisionError(
                "the alert rules refer to things Grafana does not have:\n  " + problems.joined(separator: "\n  "))
        }
    }

    // MARK: export

    /// The dashboards in a folder, as files users can commit (no `id`/`version`, sorted keys).
    public func exportDashboards(folderUID: String) async throws -> [(uid: String, model: JSON)] {
        let (_, hits) = try await client.send("GET", "/api/search", query: [("type", "dash-db"), ("folderUIDs", folderUID)])
        var out: [(uid: String, model: JSON)] = []
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
        var groups: [JSON] = []
        for groupName in groupNames {
            let (_, group) = try await client.send(
                "GET",
                "/api/v1/provisioning/folder/\(GrafanaClient.escape(folderUID))/rule-groups/\(GrafanaClient.escape(groupName))")
            let interval = group?["interval"]?.intValue ?? 60
            let exported = (group?["rules"]?.arrayValue ?? []).map {
                AlertExport.rule($0, group: groupName, base: base, lokiUID: lokiUID, overrides: contactPointOverrides)
            }
            groups.append(["name": .string(groupName), "interval": .string("\(interval)s"), "rules": .array(exported)])
        }
        var root: [String: JSON] = ["profile": .string(name), "groups": .array(groups)]
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
            + ((try? Yams.serialize(node: JSON.object(root).yamlNode, width: -1, sortKeys: false)) ?? "")
    }
}
