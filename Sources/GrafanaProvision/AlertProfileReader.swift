import Foundation
import TfdriftCore

/// Reads an alert profile through `YAMLNode`, as `tfdrift.yaml` is read: unknown keys with a
/// did-you-mean, every problem with its key path and line, `${VAR}` expanded by the one expander (in
/// the values that name places and people: runbook URL, data source uid, labels, receivers, contact
/// point settings; queries and templates are taken as written).
struct AlertProfileReader {
    let source: String
    let environment: [String: String]

    static let uidCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")

    static func isValidUID(_ uid: String) -> Bool {
        !uid.isEmpty && uid.count <= 40 && !uid.unicodeScalars.contains { !uidCharacters.contains($0) }
    }

    func read(_ root: YAMLNode?) -> AlertProfile {
        var profile = AlertProfile(
            name: ((source as NSString).lastPathComponent as NSString).deletingPathExtension, source: source,
            runbookBaseURL: "", prometheusDatasourceUID: "prometheus", labels: [:], receivers: [:],
            routing: .notificationSettings, notification: [:], muteTimingNames: [], groups: [], templates: [],
            contactPoints: [], muteTimings: [])
        guard let root else { return profile }
        root.section { section in
            section.read("profile") { profile.name = try $0.literal() }
            section.accept("description")
            section.read("runbook_base_url") { profile.runbookBaseURL = try $0.string() }
            section.read("prometheus_datasource_uid") { profile.prometheusDatasourceUID = try $0.string() }
            section.read("labels") { profile.labels = try Self.strings($0) }
            section.read("receivers") { profile.receivers = try Self.strings($0) }
            section.read("routing") { node in
                let text = try node.literal()
                guard let mode = AlertProfile.Routing(rawValue: text) else {
                    throw node.error("expected notification_settings or policy, got \(text)")
                }
                profile.routing = mode
            }
            section.read("notification") { node in
                guard let fields = node.jsonValue().objectValue else { throw node.error("expected a mapping") }
                profile.notification = fields
            }
            section.read("mute_timings") { profile.muteTimingNames = try $0.list().map { try $0.literal() } }
            section.read("templates") { node in
                for item in node.elements() { if let template = readTemplate(item) { profile.templates.append(template) } }
            }
            section.read("mute_timing_definitions") { node in
                for item in node.elements() { if let timing = readMuteTiming(item) { profile.muteTimings.append(timing) } }
            }
            section.read("contact_points") { node in
                for item in node.elements() { if let point = readContactPoint(item) { profile.contactPoints.append(point) } }
            }
            var uids: Set<String> = []
            section.required("groups") { node in
                for item in node.elements() {
                    if let group = readGroup(item, profile: profile, uids: &uids) { profile.groups.append(group) }
                }
                if profile.groups.isEmpty { throw node.error("no rule groups") }
            }
        }
        if profile.labels["managed_by"] == nil { profile.labels["managed_by"] = "tfdriftctl" }
        return profile
    }

    /// A mapping of names to text (labels, receivers); numbers are taken as their text.
    static func strings(_ node: YAMLNode) throws -> [String: String] {
        var out: [String: String] = [:]
        for (key, item) in try node.entries() {
            guard item.isScalar else { throw item.error("expected a string") }
            out[key] = try item.string()
        }
        return out
    }

    func readTemplate(_ node: YAMLNode) -> TemplateSpec? {
        var name: String?
        var text: String?
        node.section { section in
            section.required("name") { name = try $0.literal() }
            section.required("template") { text = try $0.literal() }
        }
        guard let name, let text else { return nil }
        return TemplateSpec(name: name, template: text)
    }

    func readMuteTiming(_ node: YAMLNode) -> MuteTimingSpec? {
        var name: String?
        var intervals: JSONValue?
        node.section { section in
            section.required("name") { name = try $0.literal() }
            section.required("time_intervals") { intervals = $0.jsonValue() }
        }
        guard let name, let intervals else { return nil }
        return MuteTimingSpec(name: name, timeIntervals: intervals)
    }

    func readContactPoint(_ node: YAMLNode) -> ContactPointSpec? {
        var point: ContactPointSpec?
        node.section { section in
            var name: String?
            var type: String?
            section.required("name") { name = try $0.literal() }
            section.required("type") { type = try $0.literal() }
            var uid: String?
            section.read("uid") { uid = try $0.literal() }
            var settings: [String: JSONValue] = [:]
            section.read("settings") { node in
                for (key, value) in try node.entries() {
                    let json = value.jsonValue()
                    settings[key] = json.stringValue != nil ? .string(try value.string()) : json
                }
            }
            var secrets: [String: Secret] = [:]
            section.read("secure_settings") { node in
                for (key, reference) in try node.entries() {
                    reference.attempt { secrets[key] = try readSecret(reference, key: key) }
                }
            }
            var disableResolve = false
            section.read("disable_resolve_message") { disableResolve = try $0.bool() }
            guard let name, let type else { return }
            let resolvedUID = uid ?? name
            if !Self.isValidUID(resolvedUID) {
                section.problem("contact point \(name): uid must be 1–40 letters, digits, - or _")
            }
            var spec = ContactPointSpec(uid: resolvedUID, name: name, type: type, settings: settings, secrets: secrets)
            spec.disableResolveMessage = disableResolve
            point = spec
        }
        return point
    }

    /// `{env: VAR}` or `{file: PATH}`; an inline value is refused (secrets never sit in a profile).
    func readSecret(_ node: YAMLNode, key: String) throws -> Secret {
        guard !node.isScalar else {
            throw node.error("secure setting \(key) must be {env: VAR} or {file: PATH}, never inline")
        }
        var secret: Secret?
        var problem: ConfigError?
        node.section { section in
            section.read("env") { variable in
                let name = try variable.literal()
                guard let value = environment[name], !value.isEmpty else {
                    throw variable.error("secure setting \(key) comes from $\(name), which is not set (or empty)")
                }
                secret = Secret(value)
            }
            section.read("file") { file in
                let path = try file.string()
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw file.error("cannot read secure setting \(key) from \(path)")
                }
                secret = Secret(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if secret == nil, !section.has("env"), !section.has("file") {
                problem = node.error("secure setting \(key) must be {env: VAR} or {file: PATH}, never inline")
            }
        }
        if let problem { throw problem }
        // A missing variable or file was recorded where it was read.
        return secret ?? Secret("")
    }

    func readGroup(_ node: YAMLNode, profile: AlertProfile, uids: inout Set<String>) -> AlertProfile.Group? {
        var group: AlertProfile.Group?
        node.section { section in
            var name: String?
            section.required("name") { name = try $0.literal() }
            var interval = 60
            section.read("interval") { node in
                let text = try node.literal()
                guard let seconds = DurationParser.seconds(text), seconds.rounded() == seconds, seconds > 0,
                    Int(seconds) % 10 == 0
                else {
                    throw node.error(
                        "interval must be a positive multiple of 10s (Grafana's scheduler tick), got \"\(text)\"")
                }
                interval = Int(seconds)
            }
            var kind = AlertProfile.Kind.drift
            section.read("kind") { kind = try $0.oneOf(AlertProfile.Kind.self) }
            var rules: [AlertProfile.Rule] = []
            var titles: Set<String> = []
            section.required("rules") { node in
                for item in node.elements() {
                    guard let rule = readRule(item, profile: profile) else { continue }
                    if !uids.insert(rule.uid).inserted { item.attempt { throw item.error("uid \(rule.uid) used twice") } }
                    if !titles.insert(rule.title).inserted {
                        item.attempt { throw item.error("title \"\(rule.title)\" used twice in the group") }
                    }
                    rules.append(rule)
                }
                if rules.isEmpty, try node.list().isEmpty { throw node.error("no rules") }
            }
            if let name { group = AlertProfile.Group(name: name, intervalSeconds: interval, kind: kind, rules: rules) }
        }
        return group
    }

    func readRule(_ node: YAMLNode, profile: AlertProfile) -> AlertProfile.Rule? {
        var rule: AlertProfile.Rule?
        node.section { section in
            var uid = ""
            var title = ""
            section.required("uid") { node in
                uid = try node.literal()
                guard Self.isValidUID(uid) else { throw node.error("uid must be 1–40 letters, digits, - or _, got \"\(uid)\"") }
            }
            section.required("title") { title = try $0.literal() }
            var grafana: JSONValue?
            section.read("grafana") { node in
                guard case .object = node.jsonValue() else { throw node.error("expected Grafana's rule JSON as a mapping") }
                grafana = node.jsonValue()
            }
            var severity = ""
            var datasource = "loki"
            var expr = ""
            var condition: (String, Double)?
            var forDuration = "0s"
            var noDataState = "OK"
            var execErrState = "Error"
            var summary = ""
            var description = ""
            var runbook: String?
            var labels: [String: String] = [:]
            var fallback: AlertProfile.Fallback?
            section.read("severity") { node in
                severity = try node.literal()
                guard ["critical", "high", "medium", "low"].contains(severity) else {
                    throw node.error("severity must be critical, high, medium or low, got \"\(severity)\"")
                }
            }
            section.read("datasource") { datasource = try $0.literal() }
            section.read("expr") { node in
                expr = try node.literal()
                if grafana == nil { try Self.checkQuery(expr, datasource: datasource, at: node) }
            }
            section.read("condition") { node in
                let text = try node.literal()
                guard let parsed = AlertProfile.parseCondition(text) else {
                    throw node.error("condition must be \"> N\" or \"< N\", got \"\(text)\"")
                }
                condition = parsed
            }
            section.read("for") { node in
                forDuration = try node.literal()
                guard DurationParser.wholeSeconds(forDuration) != nil else {
                    throw node.error("for \"\(forDuration)\" is not a duration (e.g. 0s, 2m, 1h)")
                }
            }
            section.read("no_data_state") { noDataState = try Self.state($0, allowed: ["OK", "NoData", "Alerting"]) }
            section.read("exec_err_state") { execErrState = try Self.state($0, allowed: ["OK", "Error", "Alerting"]) }
            section.read("summary") { summary = try $0.literal() }
            section.read("description") { description = try $0.literal() }
            section.read("runbook") { node in
                let value = try node.literal()
                if profile.runbookBaseURL.isEmpty, !value.hasPrefix("http") {
                    throw node.error("runbook \(value) is relative but runbook_base_url is not set")
                }
                runbook = value
            }
            section.read("labels") { labels = try Self.strings($0) }
            section.read("without_prometheus") { fallback = readFallback($0) }
            if grafana == nil {
                if severity.isEmpty, !section.has("severity") { section.problem("missing required key \"severity\"") }
                if expr.isEmpty { section.problem("expr is empty") }
                if condition == nil, !section.has("condition") { section.problem("missing required key \"condition\"") }
                if fallback != nil, datasource != "prometheus" {
                    section.problem("without_prometheus is for rules with datasource: prometheus")
                }
            }
            rule = AlertProfile.Rule(
                uid: uid, title: title, severity: severity, datasource: datasource, expr: expr,
                thresholdType: condition?.0 ?? "", threshold: condition?.1 ?? .nan, forDuration: forDuration,
                noDataState: noDataState, execErrState: execErrState, summary: summary, description: description,
                runbook: runbook, labels: labels, grafana: grafana, withoutPrometheus: fallback)
        }
        return rule
    }

    func readFallback(_ node: YAMLNode) -> AlertProfile.Fallback? {
        var fallback: AlertProfile.Fallback?
        node.section { section in
            var datasource = "loki"
            var expr: String?
            var condition: (String, Double)?
            section.read("datasource") { datasource = try $0.literal() }
            section.required("expr") { node in
                let text = try node.literal()
                try Self.checkQuery(text, datasource: datasource, at: node)
                expr = text
            }
            section.required("condition") { node in
                let text = try node.literal()
                guard let parsed = AlertProfile.parseCondition(text) else {
                    throw node.error("condition must be \"> N\" or \"< N\", got \"\(text)\"")
                }
                condition = parsed
            }
            var forDuration: String?
            var noDataState: String?
            var summary: String?
            section.read("for") { node in
                let text = try node.literal()
                guard DurationParser.wholeSeconds(text) != nil else { throw node.error("for \"\(text)\" is not a duration") }
                forDuration = text
            }
            section.read("no_data_state") { noDataState = try Self.state($0, allowed: ["OK", "NoData", "Alerting"]) }
            section.read("summary") { summary = try $0.literal() }
            guard let expr, let condition else { return }
            fallback = AlertProfile.Fallback(
                datasource: datasource, expr: expr, thresholdType: condition.0, threshold: condition.1,
                forDuration: forDuration, noDataState: noDataState, summary: summary)
        }
        return fallback
    }

    static func state(_ node: YAMLNode, allowed: [String]) throws -> String {
        let value = try node.literal()
        guard allowed.contains(value) else {
            throw node.error("must be \(allowed.dropLast().joined(separator: ", ")) or \(allowed.last!), got \"\(value)\"")
        }
        return value
    }

    /// LogQL rules must yield one alert series and need a range to look back over.
    static func checkQuery(_ expr: String, datasource: String, at node: YAMLNode) throws {
        guard datasource == "loki" else { return }
        if !expr.hasPrefix("sum(") && !expr.hasPrefix("sum by") {
            throw node.error("wrap the LogQL in sum(...) so the rule yields one alert series")
        }
        if AlertProfile.rangeSeconds(expr) == nil { throw node.error("the LogQL has no range selector like [5m]") }
    }
}
