import Foundation
import TfdriftCore

/// What the alerts need from Grafana that only Grafana can say: whether a Prometheus data source exists.
public struct AlertEnvironment: Sendable {
    /// Grafana has the profile's Prometheus data source (`prometheus_datasource_uid`, `--prometheus-uid`).
    public var prometheus: Bool

    public init(prometheus: Bool) { self.prometheus = prometheus }
}

/// The compiled form of a profile: the Grafana resources, and what was left out and why.
public struct CompiledAlerts: Sendable {
    public var desired: DesiredState
    /// Rules not compiled (they need Prometheus and Grafana has none), by title.
    public var skippedRules: [String] = []
    /// Rules compiled from their `without_prometheus` form, by title.
    public var fallbackRules: [String] = []

    /// One line about what the data sources changed, or nil when every rule is as written.
    public func note(prometheusUID: String) -> String? {
        guard !skippedRules.isEmpty || !fallbackRules.isEmpty else { return nil }
        var parts: [String] = []
        if !skippedRules.isEmpty {
            parts.append("skipped \(skippedRules.count) rule(s) that need it (\(skippedRules.joined(separator: ", ")))")
        }
        if !fallbackRules.isEmpty { parts.append("\(fallbackRules.joined(separator: ", ")) use(s) Loki instead") }
        return
            "no Prometheus data source (uid \"\(prometheusUID)\") in Grafana: \(parts.joined(separator: "; ")); add a Prometheus that scrapes the detector (job tfdrift) or pass --prometheus-uid"
    }
}

extension AlertProfile {
    /// The receiver for a severity: `grafana.contact_points` (severity or `default` → contact point
    /// name) wins over the profile's `receivers`.
    func receiver(for severity: String, overrides: [String: String]) -> String {
        overrides[severity] ?? overrides["default"] ?? receivers[severity] ?? receivers["default"] ?? "grafana-default-email"
    }

    /// Rule groups, contact points, templates, mute timings and routing as Grafana resources.
    public func compile(
        folderUID: String, lokiUID: String, orgID: Int, contactPointOverrides: [String: String] = [:],
        environment: AlertEnvironment = AlertEnvironment(prometheus: true)
    ) -> CompiledAlerts {
        var state = DesiredState()
        state.templates = templates
        state.contactPoints = contactPoints
        state.muteTimings = muteTimings
        state.pruneRuleGroups = true
        var compiled = CompiledAlerts(desired: state)
        for group in groups {
            var rules: [JSONValue] = []
            for rule in group.rules {
                var effective = rule
                if rule.needsPrometheus, !environment.prometheus {
                    guard let fallback = rule.withoutPrometheus else {
                        compiled.skippedRules.append(rule.title)
                        continue
                    }
                    effective = rule.replaced(by: fallback)
                    compiled.fallbackRules.append(rule.title)
                }
                rules.append(
                    compile(
                        effective, group: group, folderUID: folderUID, lokiUID: lokiUID, orgID: orgID,
                        overrides: contactPointOverrides))
            }
            // A group whose every rule was skipped is left out (Grafana refuses an empty group).
            guard !rules.isEmpty else { continue }
            compiled.desired.ruleGroups.append(
                RuleGroupSpec(folderUID: folderUID, name: group.name, intervalSeconds: group.intervalSeconds, rules: rules))
        }
        if routing == .policy {
            var fields = notification
            fields["receiver"] = .string(receiver(for: "default", overrides: contactPointOverrides))
            if !muteTimingNames.isEmpty { fields["mute_time_intervals"] = .array(muteTimingNames.map { .string($0) }) }
            fields = MaintenanceMuteTimings.attach(maintenanceMuteTimingNames, toRoute: fields)
            compiled.desired.route = RouteSpec(label: "managed_by", value: labels["managed_by"] ?? "tfdriftctl", fields: fields)
        }
        return compiled
    }

    /// `compile(…).desired` with every rule as written (Prometheus assumed present).
    public func desiredState(
        folderUID: String, lokiUID: String, orgID: Int, contactPointOverrides: [String: String] = [:]
    ) -> DesiredState {
        compile(folderUID: folderUID, lokiUID: lokiUID, orgID: orgID, contactPointOverrides: contactPointOverrides).desired
    }

    func compile(
        _ rule: Rule, group: Group, folderUID: String, lokiUID: String, orgID: Int, overrides: [String: String]
    ) -> JSONValue {
        var body: [String: JSONValue]
        if let grafana = rule.grafana?.objectValue {
            body = grafana
        } else {
            let source =
                rule.datasource == "loki" ? lokiUID : rule.datasource == "prometheus" ? prometheusDatasourceUID : rule.datasource
            let sourceType = rule.datasource == "prometheus" ? "prometheus" : "loki"
            var model: [String: JSONValue] = [
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
            let query: JSONValue = [
                "refId": "A", "datasourceUid": .string(source), "queryType": sourceType == "loki" ? "instant" : "",
                "relativeTimeRange": ["from": JSONValue(range), "to": 0], "model": .object(model),
            ]
            let threshold: JSONValue = [
                "refId": "B", "datasourceUid": "__expr__", "queryType": "", "relativeTimeRange": ["from": 0, "to": 0],
                "model": [
                    "refId": "B", "type": "threshold", "expression": "A", "datasource": ["type": "__expr__", "uid": "__expr__"],
                    "conditions": [["evaluator": ["type": .string(rule.thresholdType), "params": [JSONValue(rule.threshold)]]]],
                ],
            ]
            var labels = self.labels.merging(rule.labels) { _, new in new }
            labels["severity"] = rule.severity
            labels[Self.kindLabel] = group.kind.rawValue
            var annotations: [String: JSONValue] = ["summary": .string(rule.summary)]
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
        body["ruleGroup"] = .string(group.name)
        body["orgID"] = JSONValue(orgID)
        for key in ["id", "updated", "provenance"] { body[key] = nil }
        return MaintenanceMuteTimings.attach(maintenanceMuteTimingNames, toRule: .object(body))
    }
}

extension AlertProfile.Rule {
    /// This rule with the fields its `without_prometheus` form replaces.
    func replaced(by fallback: AlertProfile.Fallback) -> AlertProfile.Rule {
        var rule = self
        rule.datasource = fallback.datasource
        rule.expr = fallback.expr
        rule.thresholdType = fallback.thresholdType
        rule.threshold = fallback.threshold
        if let value = fallback.forDuration { rule.forDuration = value }
        if let value = fallback.noDataState { rule.noDataState = value }
        if let value = fallback.summary { rule.summary = value }
        rule.withoutPrometheus = nil
        return rule
    }
}
