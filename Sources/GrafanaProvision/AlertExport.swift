import Foundation
import TfdriftCore

/// Turns a Grafana rule back into a profile entry: the short form (`expr` + `condition`) when compiling
/// that form gives the same rule again, Grafana's own form under `grafana:` otherwise, so an export
/// always applies back with zero changes.
enum AlertExport {
    static func rule(_ rule: JSONValue, group: String, base: AlertProfile?, lokiUID: String, overrides: [String: String])
        -> JSONValue
    {
        let uid = rule["uid"]?.stringValue ?? ""
        let title = rule["title"]?.stringValue ?? ""
        if let base, let short = shortForm(rule, base: base, lokiUID: lokiUID) {
            let kind = AlertProfile.Kind(rawValue: rule["labels"]?[AlertProfile.kindLabel]?.stringValue ?? "") ?? .drift
            let compiled = base.compile(
                short, group: AlertProfile.Group(name: group, intervalSeconds: 60, kind: kind, rules: []),
                folderUID: rule["folderUID"]?.stringValue ?? "", lokiUID: lokiUID, orgID: rule["orgID"]?.intValue ?? 1,
                overrides: overrides)
            if Normalise.rule(compiled) == Normalise.rule(rule) {
                var entry: [String: JSONValue] = [
                    "uid": .string(uid), "title": .string(title), "severity": .string(short.severity),
                    "datasource": .string(short.datasource), "expr": .string(short.expr),
                    "condition": .string(
                        "\(short.thresholdType == "gt" ? ">" : "<") \(JSONWriter.encode(JSONValue(short.threshold)))"),
                    "for": .string(short.forDuration), "no_data_state": .string(short.noDataState),
                    "exec_err_state": .string(short.execErrState), "summary": .string(short.summary),
                ]
                if !short.description.isEmpty { entry["description"] = .string(short.description) }
                if let runbook = short.runbook { entry["runbook"] = .string(runbook) }
                if !short.labels.isEmpty { entry["labels"] = .object(short.labels.mapValues { .string($0) }) }
                return .object(entry)
            }
        }
        var raw = rule.objectValue ?? [:]
        for key in ["id", "updated", "provenance", "folderUID", "ruleGroup", "orgID", "uid", "title"] { raw[key] = nil }
        return ["uid": .string(uid), "title": .string(title), "grafana": .object(raw)]
    }

    static func shortForm(_ rule: JSONValue, base: AlertProfile, lokiUID: String) -> AlertProfile.Rule? {
        guard let data = rule["data"]?.arrayValue, data.count == 2, rule["condition"]?.stringValue == "B",
            let query = data.first(where: { $0["refId"]?.stringValue == "A" }),
            let threshold = data.first(where: { $0["refId"]?.stringValue == "B" }),
            threshold["model"]?["type"]?.stringValue == "threshold",
            let evaluator = threshold["model"]?["conditions"]?.arrayValue?.first?["evaluator"],
            let type = evaluator["type"]?.stringValue, ["gt", "lt"].contains(type),
            let value = evaluator["params"]?.arrayValue?.first?.doubleValue,
            let expr = query["model"]?["expr"]?.stringValue, let source = query["datasourceUid"]?.stringValue
        else { return nil }
        let labels = rule["labels"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
        let annotations = rule["annotations"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
        var runbook = annotations["runbook_url"]
        let prefix = base.runbookBaseURL.trimmingCharacters(in: ["/"]) + "/"
        if let url = runbook, !base.runbookBaseURL.isEmpty, url.hasPrefix(prefix) {
            runbook = String(url.dropFirst(prefix.count))
        }
        let datasource = source == lokiUID ? "loki" : source == base.prometheusDatasourceUID ? "prometheus" : source
        var extraLabels = labels
        extraLabels["severity"] = nil
        extraLabels[AlertProfile.kindLabel] = nil
        for (key, value) in base.labels where extraLabels[key] == value { extraLabels[key] = nil }
        return AlertProfile.Rule(
            uid: rule["uid"]?.stringValue ?? "", title: rule["title"]?.stringValue ?? "", severity: labels["severity"] ?? "",
            datasource: datasource, expr: expr, thresholdType: type, threshold: value,
            forDuration: rule["for"]?.stringValue ?? "0s", noDataState: rule["noDataState"]?.stringValue ?? "OK",
            execErrState: rule["execErrState"]?.stringValue ?? "Error", summary: annotations["summary"] ?? "",
            description: annotations["description"] ?? "", runbook: runbook, labels: extraLabels, grafana: nil,
            withoutPrometheus: nil)
    }
}
