import Foundation
import TfdriftCore
import Yams

/// An alert profile (`alerts/small.yaml`, `alerts/large.yaml`, or a copy): rule groups with thresholds,
/// the receivers per severity, routing mode, contact points, templates and mute timings.
public struct AlertProfile: Sendable {
    public enum Routing: String, Sendable {
        case notificationSettings = "notification_settings"
        case policy
    }

    public struct Rule: Sendable {
        public var uid: String
        public var title: String
        public var severity: String
        /// `loki`, `prometheus`, or a data source uid.
        public var datasource: String
        public var expr: String
        /// `gt` or `lt`.
        public var thresholdType: String
        public var threshold: Double
        public var forDuration: String
        public var noDataState: String
        public var execErrState: String
        public var summary: String
        public var description: String
        public var runbook: String?
        public var labels: [String: String]
        /// A rule in Grafana's own form (export of something we cannot express more simply).
        public var grafana: JSON?
    }

    public struct Group: Sendable {
        public var name: String
        public var intervalSeconds: Int
        public var rules: [Rule]
    }

    public var name: String
    public var source: String
    public var runbookBaseURL: String
    public var prometheusDatasourceUID: String
    public var labels: [String: String]
    public var receivers: [String: String]
    public var routing: Routing
    public var notification: [String: JSON]
    public var muteTimingNames: [String]
    public var groups: [Group]
    public var templates: [TemplateSpec]
    public var contactPoints: [ContactPointSpec]
    public var muteTimings: [MuteTimingSpec]

    /// Loads `small`, `large` or a path: a path as given; a name from `alerts/<name>.yaml` in the search
    /// directories (your edited copy wins), else the copy compiled into the binary.
    public static func named(
        _ profile: String, searchDirectories: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AlertProfile {
        let isName = !(profile.contains("/") || profile.hasSuffix(".yaml") || profile.hasSuffix(".yml"))
        let onDisk = searchDirectories.contains {
            FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("alerts/\(profile).yaml"))
        }
        if isName, !onDisk, let text = EmbeddedResources.text("alerts/\(profile).yaml") {
            return try parse(text, source: "built-in alerts/\(profile).yaml", environment: environment)
        }
        return try load(path: try locate(profile, searchDirectories: searchDirectories), environment: environment)
    }

    /// The profile names compiled into the binary (`small`, `large`).
    public static var builtInNames: [String] {
        EmbeddedResources.names(in: "alerts").filter { $0.hasSuffix(".yaml") }.map {
            String($0.dropFirst("alerts/".count).dropLast(".yaml".count))
        }
    }

    /// Resolves `small`, `large` or a path: `./alerts/<name>.yaml`, then beside the config file.
    public static func locate(_ profile: String, searchDirectories: [String]) throws -> String {
        if profile.contains("/") || profile.hasSuffix(".yaml") || profile.hasSuffix(".yml") {
            guard FileManager.default.fileExists(atPath: profile) else {
                throw ProvisionError("alert profile \(profile) does not exist")
            }
            return profile
        }
        let candidates = searchDirectories.map { ($0 as NSString).appendingPathComponent("alerts/\(profile).yaml") }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        let builtIn = builtInNames.isEmpty ? "" : "; built in: \(builtInNames.joined(separator: ", "))"
        throw ProvisionError(
            "alert profile \"\(profile)\" not found (looked in \(candidates.joined(separator: ", "))\(builtIn)); give a path with --profile PATH"
        )
    }

    /// Loads and validates a profile file. `environment` supplies `${VAR}` values and `env:` secrets.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> AlertProfile
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProvisionError("cannot read alert profile \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path, environment: environment)
    }

    public static func parse(_ text: String, source: String, environment: [String: String] = [:]) throws -> AlertProfile {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw ProvisionError("\(source): not valid YAML: \(error)") }
        guard let node, case .object(let root) = JSON(yaml: node) else { throw ProvisionError("\(source): expected a mapping") }
        var errors: [String] = []
        func fail(_ message: String) { errors.append(message) }
        let known: Set<String> = [
            "profile", "description", "runbook_base_url", "prometheus_datasource_uid", "labels", "receivers", "routing",
            "notification", "mute_timings", "groups", "templates", "contact_points", "mute_timing_definitions",
        ]
        for key in root.keys.sorted() where !known.contains(key) { fail("unknown key \(key)") }
        func expand(_ text: String) -> String { Self.expand(text, environment: environment) }
        func strings(_ value: JSON?, _ at: String) -> [String: String] {
            var out: [String: String] = [:]
            for (key, item) in value?.objectValue ?? [:] {
                if let text = item.stringValue {
                    out[key] = expand(text)
                } else if case .number = item {
                    out[key] = item.text
                } else {
                    fail("\(at).\(key): expected a string")
                }
            }
            return out
        }
        var profile = AlertProfile(
            name: root["profile"]?.stringValue ?? ((source as NSString).lastPathComponent as NSString).deletingPathExtension,
            source: source,
            runbookBaseURL: expand(root["runbook_base_url"]?.stringValue ?? ""),
            prometheusDatasourceUID: expand(root["prometheus_datasource_uid"]?.stringValue ?? "prometheus"),
            labels: strings(root["labels"], "labels"),
            receivers: strings(root["receivers"], "receivers"),
            routing: .notificationSettings, notification: root["notification"]?.objectValue ?? [:],
            muteTimingNames: (root["mute_timings"]?.arrayValue ?? []).compactMap(\.stringValue),
            groups: [], templates: [], contactPoints: [], muteTimings: [])
        if let routing = root["routing"]?.stringValue {
            if let mode = Routing(rawValue: routing) {
                profile.routing = mode
            } else {
                fail("routing: expected notification_settings or policy, got \(routing)")
            }
        }
        if profile.labels["managed_by"] == nil { profile.labels["managed_by"] = "tfdriftctl" }
        for (offset, item) in (root["templates"]?.arrayValue ?? []).enumerated() {
            guard let name = item["name"]?.stringValue, let template = item["template"]?.stringValue else {
                fail("templates[\(offset)]: needs name and template")
                continue
            }
            profile.templates.append(TemplateSpec(name: name, template: template))
        }
        for (offset, item) in (root["mute_timing_definitions"]?.arrayValue ?? []).enumerated() {
            guard let name = item["name"]?.stringValue, let intervals = item["time_intervals"] else {
                fail("mute_timing_definitions[\(offset)]: needs name and time_intervals")
                continue
            }
            profile.muteTimings.append(MuteTimingSpec(name: name, timeIntervals: intervals))
        }
        for (offset, item) in (root["contact_points"]?.arrayValue ?? []).enumerated() {
            let at = "contact_points[\(offset)]"
            guard let name = item["name"]?.stringValue, let type = item["type"]?.stringValue else {
                fail("\(at): needs name and type (slack, email, webhook, …)")
                continue
            }
            var settings = item["settings"]?.objectValue ?? [:]
            for (key, value) in settings { if let text = value.stringValue { settings[key] = .string(expand(text)) } }
            var secrets: [String: Secret] = [:]
            for (key, reference) in item["secure_settings"]?.objectValue ?? [:] {
                if let variable = reference["env"]?.stringValue {
                    guard let value = environment[variable], !value.isEmpty else {
                        fail("\(at) \(name): secure setting \(key) comes from $\(variable), which is not set (or empty)")
                        continue
                    }
                    secrets[key] = Secret(value)
                } else if let file = reference["file"]?.stringValue {
                    guard let data = FileManager.default.contents(atPath: file) else {
                        fail("\(at) \(name): cannot read secure setting \(key) from \(file)")
                        continue
                    }
                    secrets[key] = Secret(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                } else {
                    fail("\(at) \(name): secure setting \(key) must be {env: VAR} or {file: PATH}, never inline")
                }
            }
            var point = ContactPointSpec(
                uid: item["uid"]?.stringValue ?? name, name: name, type: type, settings: settings, secrets: secrets)
            point.disableResolveMessage = item["disable_resolve_message"]?.boolValue ?? false
            profile.contactPoints.append(point)
        }
        for (groupOffset, item) in (root["groups"]?.arrayValue ?? []).enumerated() {
            let at = "groups[\(groupOffset)]"
            guard let name = item["name"]?.stringValue else {
                fail("\(at): needs a name")
                continue
            }
            let intervalText = item["interval"]?.stringValue ?? item["interval"].map(\.text) ?? "1m"
            let interval = Normalise.seconds(intervalText) ?? Int(intervalText).map { $0 } ?? -1
            var group = Group(name: name, intervalSeconds: interval, rules: [])
            for (offset, ruleItem) in (item["rules"]?.arrayValue ?? []).enumerated() {
                let ruleAt = "\(at).rules[\(offset)]"
                let known: Set<String> = [
                    "uid", "title", "severity", "datasource", "expr", "condition", "for", "no_data_state", "exec_err_state",
                    "summary", "description", "runbook", "labels", "grafana",
                ]
                for key in (ruleItem.objectValue ?? [:]).keys.sorted() where !known.contains(key) {
                    fail("\(ruleAt): unknown key \(key)")
                }
                let condition = ruleItem["condition"]?.stringValue ?? ruleItem["condition"].map(\.text) ?? ""
                let (type, value) = Self.parseCondition(condition) ?? ("", .nan)
                let grafana = ruleItem["grafana"]
                if grafana == nil, type.isEmpty { fail("\(ruleAt): condition must be \"> N\" or \"< N\", got \"\(condition)\"") }
                group.rules.append(
                    Rule(
                        uid: ruleItem["uid"]?.stringValue ?? "", title: ruleItem["title"]?.stringValue ?? "",
                        severity: ruleItem["severity"]?.stringValue ?? "",
                        datasource: ruleItem["datasource"]?.stringValue ?? "loki", expr: ruleItem["expr"]?.stringValue ?? "",
                        thresholdType: type, threshold: value, forDuration: ruleItem["for"]?.stringValue ?? "0s",
                        noDataState: ruleItem["no_data_state"]?.stringValue ?? "OK",
                        execErrState: ruleItem["exec_err_state"]?.stringValue ?? "Error",
                        summary: ruleItem["summary"]?.stringValue ?? "", description: ruleItem["description"]?.stringValue ?? "",
                        runbook: ruleItem["runbook"]?.stringValue, labels: strings(ruleItem["labels"], "\(ruleAt).labels"),
                        grafana: grafana))
            }
            profile.groups.append(group)
        }
        errors += profile.validate()
        if !errors.isEmpty {
            throw ProvisionError("alert profile \(source) is not valid:\n  " + errors.joined(separator: "\n  "))
        }
        return profile
    }

    static func parseCondition(_ text: String) -> (String, Double)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (symbol, type) in [(">", "gt"), ("<", "lt")] where trimmed.hasPrefix(symbol) {
            if let value = Double(trimmed.dropFirst().trimmingCharacters(in: .whitespaces)) { return (type, value) }
        }
        return nil
    }

    static func expand(_ text: String, environment: [String: String]) -> String {
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                output += rest[start.lowerBound...]
                return output
            }
            let body = rest[start.upperBound..<end]
            let parts = body.components(separatedBy: ":-")
            let value =
                environment[parts[0]].flatMap { $0.isEmpty ? nil : $0 }
                ?? (parts.count > 1 ? parts[1...].joined(separator: ":-") : "")
            output += value
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }

    /// Checks that need no Grafana: uids, intervals, conditions, references between the profile's parts.
    func validate() -> [String] {
        var errors: [String] = []
        var uids: Set<String> = []
        let uidCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        if groups.isEmpty { errors.append("no rule groups") }
        for group in groups {
            if group.intervalSeconds <= 0 || group.intervalSeconds % 10 != 0 {
                errors.append("group \(group.name): interval must be a positive multiple of 10s (Grafana's scheduler tick)")
            }
            if group.rules.isEmpty { errors.append("group \(group.name): no rules") }
            var titles: Set<String> = []
            for rule in group.rules {
                let at = "group \(group.name) rule \(rule.uid.isEmpty ? rule.title : rule.uid)"
                if rule.uid.isEmpty || rule.uid.count > 40
                    || rule.uid.unicodeScalars.contains(where: { !uidCharacters.contains($0) })
                {
                    errors.append("\(at): uid must be 1–40 letters, digits, - or _")
                }
                if !uids.insert(rule.uid).inserted { errors.append("\(at): uid used twice") }
                if rule.title.isEmpty || !titles.insert(rule.title).inserted {
                    errors.append("\(at): title missing or used twice")
                }
                if rule.grafana != nil { continue }
                if !["critical", "high", "medium", "low"].contains(rule.severity) {
                    errors.append("\(at): severity must be critical, high, medium or low")
                }
                if rule.expr.isEmpty { errors.append("\(at): expr is empty") }
                if rule.datasource == "loki", !rule.expr.hasPrefix("sum(") && !rule.expr.hasPrefix("sum by") {
                    errors.append("\(at): wrap the LogQL in sum(...) so the rule yields one alert series")
                }
                if Normalise.seconds(rule.forDuration) == nil {
                    errors.append("\(at): for \"\(rule.forDuration)\" is not a duration")
                }
                if !["OK", "NoData", "Alerting"].contains(rule.noDataState) {
                    errors.append("\(at): no_data_state must be OK, NoData or Alerting")
                }
                if !["OK", "Error", "Alerting"].contains(rule.execErrState) {
                    errors.append("\(at): exec_err_state must be OK, Error or Alerting")
                }
                if let runbook = rule.runbook, runbookBaseURL.isEmpty, !runbook.hasPrefix("http") {
                    errors.append("\(at): runbook \(runbook) is relative but runbook_base_url is not set")
                }
                if Self.rangeSeconds(rule.expr) == nil, rule.datasource == "loki" {
                    errors.append("\(at): the LogQL has no range selector like [5m]")
                }
            }
        }
        // Receivers and mute timings may already exist in Grafana: `Provisioner.plan` checks them before any write.
        for point in contactPoints {
            if point.uid.count > 40 || point.uid.unicodeScalars.contains(where: { !uidCharacters.contains($0) }) {
                errors.append("contact point \(point.name): uid must be 1–40 letters, digits, - or _")
            }
        }
        return errors
    }

    /// The longest range selector in a query (`[5m]` → 300), for the query's relative time range.
    static func rangeSeconds(_ expr: String) -> Int? {
        var best: Int?
        var rest = Substring(expr)
        while let open = rest.firstIndex(of: "[") {
            guard let close = rest[open...].firstIndex(of: "]") else { break }
            let inside = rest[rest.index(after: open)..<close].split(separator: ":").first.map(String.init) ?? ""
            if let seconds = Normalise.seconds(inside.trimmingCharacters(in: .whitespaces)) { best = max(best ?? 0, seconds) }
            rest = rest[rest.index(after: close)...]
        }
        return best
    }

    // MARK: compile

    /// The receiver for a severity: `grafana.contact_points` (severity or `default` → contact point
    /// name) wins over the profile's `receivers`.
    func receiver(for severity: String, overrides: [String: String]) -> String {
        overrides[severity] ?? overrides["default"] ?? receivers[severity] ?? receivers["default"] ?? "grafana-default-email"
    }

    /// Rule groups, contact points, templates, mute timings and routing as Grafana resources.
    public func desiredState(
        folderUID: String, lokiUID: String, orgID: Int, contactPointOverrides: [String: String] = [:]
    ) -> DesiredState {
        var state = DesiredState()
        state.templates = templates
        state.contactPoints = contactPoints
        state.muteTimings = muteTimings
        state.pruneRuleGroups = true
        for group in groups {
            let rules = group.rules.map {
                compile(
                    $0, group: group.name, folderUID: folderUID, lokiUID: lokiUID, orgID: orgID, overrides: contactPointOverrides)
            }
            state.ruleGroups.append(
                RuleGroupSpec(folderUID: folderUID, name: group.name, intervalSeconds: group.intervalSeconds, rules: rules))
        }
        if routing == .policy {
            var fields = notification
            fields["receiver"] = .string(receiver(for: "default", overrides: contactPointOverrides))
            if !muteTimingNames.isEmpty { fields["mute_time_intervals"] = .array(muteTimingNames.map { .string($0) }) }
            state.route = RouteSpec(label: "managed_by", value: labels["managed_by"] ?? "tfdriftctl", fields: fields)
        }
        return state
    }

    func compile(_ rule: Rule, group: String, folderUID: String, lokiUID: String, orgID: Int, overrides: [String: String]) -> JSON
    {
        var body: [String: JSON]
        if let grafana = rule.grafana?.objectValue {
            body = grafana
        } else {
            let source =
                rule.datasource == "loki" ? lokiUID : rule.datasource == "prometheus" ? prometheusDatasourceUID : rule.datasource
            let sourceType = rule.datasource == "prometheus" ? "prometheus" : "loki"
            var model: [String: JSON] = [
                "refId": "A", "expr": .string(rule.expr), "datasource": ["type": .string(sourceType), "uid": .string(source)],
                "editorMode": "code",
            ]
            if sourceType == "loki" {
                model["queryType"] = "instant"
            } else {
                model["instant"] = true
                model["range"] = false
            }
            let range = max(Self.rangeSeconds(rule.expr) ?? 600, 600)
            let query: JSON = [
                "refId": "A", "datasourceUid": .string(source), "queryType": sourceType == "loki" ? "instant" : "",
                "relativeTimeRange": ["from": .number(Double(range)), "to": 0], "model": .object(model),
            ]
            let threshold: JSON = [
                "refId": "B", "datasourceUid": "__expr__", "queryType": "", "relativeTimeRange": ["from": 0, "to": 0],
                "model": [
                    "refId": "B", "type": "threshold", "expression": "A", "datasource": ["type": "__expr__", "uid": "__expr__"],
                    "conditions": [["evaluator": ["type": .string(rule.thresholdType), "params": [.number(rule.threshold)]]]],
                ],
            ]
            var labels = self.labels.merging(rule.labels) { _, new in new }
            labels["severity"] = rule.severity
            var annotations: [String: JSON] = ["summary": .string(rule.summary)]
            if !rule.description.isEmpty { annotations["description"] = .string(rule.description) }
            if let runbook = rule.runbook {
                let url = runbook.hasPrefix("http") ? runbook : runbookBaseURL.trimmingCharacters(in: ["/"]) + "/" + runbook
                annotations["runbook_url"] = .string(url)
            }
            body = [
                "uid": .string(rule.uid), "title": .string(rule.title), "condition": "B", "data": [query, threshold],
                "noDataState": .string(rule.noDataState), "execErrState": .string(rule.execErrState),
                "for": .string(rule.forDuration), "labels": .object(labels.mapValues { .string($0) }),
                "annotations": .object(annotations), "isPaused": false,
            ]
            if routing == .notificationSettings {
                var settings = notification
                settings["receiver"] = .string(receiver(for: rule.severity, overrides: overrides))
                if !muteTimingNames.isEmpty { settings["mute_time_intervals"] = .array(muteTimingNames.map { .string($0) }) }
                body["notification_settings"] = .object(settings)
            }
        }
        body["uid"] = .string(rule.uid)
        body["title"] = .string(rule.title)
        body["folderUID"] = .string(folderUID)
        body["ruleGroup"] = .string(group)
        body["orgID"] = .number(Double(orgID))
        for key in ["id", "updated", "provenance"] { body[key] = nil }
        return .object(body)
    }
}
