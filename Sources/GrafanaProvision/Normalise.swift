import Foundation
import TfdriftCore

/// Canonical forms of what Grafana returns and what we send, so that server-filled defaults, duration
/// spellings, null-versus-empty and redacted secrets never read as changes (no permadiff).
enum Normalise {
    /// Drops nulls, empty objects and empty arrays at every level (Grafana omits or fills them freely).
    static func pruned(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .null: return nil
        case .object(let fields):
            let kept = fields.compactMapValues(pruned)
            return kept.isEmpty ? nil : .object(kept)
        case .array(let items):
            let kept = items.compactMap(pruned)
            return kept.isEmpty ? nil : .array(kept)
        default: return value
        }
    }

    /// The fields of an alert rule we manage, with Grafana's defaults made explicit on both sides.
    static func rule(_ rule: JSONValue) -> JSONValue {
        var out: [String: JSONValue] = [:]
        for key in ["uid", "title", "condition", "noDataState", "execErrState"] { out[key] = rule[key] }
        out["for"] = JSONValue(rule["for"]?.stringValue.flatMap(DurationParser.wholeSeconds) ?? 0)
        out["keep_firing_for"] = JSONValue(rule["keep_firing_for"]?.stringValue.flatMap(DurationParser.wholeSeconds) ?? 0)
        out["labels"] = rule["labels"].flatMap(pruned) ?? [:]
        out["annotations"] = rule["annotations"].flatMap(pruned) ?? [:]
        out["isPaused"] = rule["isPaused"] ?? false
        if let settings = rule["notification_settings"].flatMap(pruned) {
            var fields = settings.objectValue ?? [:]
            for key in ["group_wait", "group_interval", "repeat_interval"] {
                if let text = fields[key]?.stringValue, let value = DurationParser.wholeSeconds(text) {
                    fields[key] = JSONValue(value)
                }
            }
            out["notification_settings"] = .object(fields)
        }
        if let missing = rule["missingSeriesEvalsToResolve"], missing != .null { out["missingSeriesEvalsToResolve"] = missing }
        out["data"] = .array((rule["data"]?.arrayValue ?? []).map(query))
        return JSONValue.object(out).canonicalNumbers
    }

    static func query(_ query: JSONValue) -> JSONValue {
        var out: [String: JSONValue] = [:]
        out["refId"] = query["refId"]
        out["datasourceUid"] = query["datasourceUid"]
        out["queryType"] = query["queryType"] ?? ""
        let range = query["relativeTimeRange"]
        out["relativeTimeRange"] = ["from": range?["from"] ?? 0, "to": range?["to"] ?? 0]
        var model = query["model"]?.objectValue ?? [:]
        model["refId"] = query["refId"]
        if model["intervalMs"] == nil { model["intervalMs"] = 1000 }
        if model["maxDataPoints"] == nil { model["maxDataPoints"] = 43200 }
        out["model"] = pruned(.object(model)) ?? [:]
        return .object(out)
    }

    /// A dashboard model without what Grafana assigns (`id`, `version`).
    static func dashboard(_ model: JSONValue) -> JSONValue {
        guard var fields = model.objectValue else { return model }
        fields["id"] = nil
        fields["version"] = nil
        return .object(fields)
    }

    /// The template text without trailing whitespace (Grafana may trim it).
    static func template(_ text: String) -> String {
        var trimmed = text
        while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
        return trimmed
    }
}
