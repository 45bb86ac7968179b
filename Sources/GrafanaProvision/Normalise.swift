import Foundation

/// Canonical forms of what Grafana returns and what we send, so that server-filled defaults, duration
/// spellings, null-versus-empty and redacted secrets never read as changes (no permadiff).
enum Normalise {
    /// Drops nulls, empty objects and empty arrays at every level (Grafana omits or fills them freely).
    static func pruned(_ value: JSON) -> JSON? {
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

    /// Seconds in a Go/Prometheus duration (`5m`, `1h30m`, `300s`, `0`).
    static func seconds(_ text: String) -> Int? {
        if text == "0" { return 0 }
        var total = 0
        var number = ""
        var unit = ""
        func flush() -> Bool {
            guard let value = Int(number) else { return false }
            let scales = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800, "y": 31_536_000]
            guard let scale = scales[unit] else { return false }
            total += value * scale
            number = ""
            unit = ""
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
        guard !number.isEmpty || !unit.isEmpty, flush() else { return nil }
        return total
    }

    /// The fields of an alert rule we manage, with Grafana's defaults made explicit on both sides.
    static func rule(_ rule: JSON) -> JSON {
        var out: [String: JSON] = [:]
        for key in ["uid", "title", "condition", "noDataState", "execErrState"] { out[key] = rule[key] }
        out["for"] = .number(Double(rule["for"]?.stringValue.flatMap(seconds) ?? 0))
        out["keep_firing_for"] = .number(Double(rule["keep_firing_for"]?.stringValue.flatMap(seconds) ?? 0))
        out["labels"] = rule["labels"].flatMap(pruned) ?? [:]
        out["annotations"] = rule["annotations"].flatMap(pruned) ?? [:]
        out["isPaused"] = rule["isPaused"] ?? false
        if let settings = rule["notification_settings"].flatMap(pruned) {
            var fields = settings.objectValue ?? [:]
            for key in ["group_wait", "group_interval", "repeat_interval"] {
                if let text = fields[key]?.stringValue, let value = seconds(text) { fields[key] = .number(Double(value)) }
            }
            out["notification_settings"] = .object(fields)
        }
        if let missing = rule["missingSeriesEvalsToResolve"], missing != .null { out["missingSeriesEvalsToResolve"] = missing }
        out["data"] = .array((rule["data"]?.arrayValue ?? []).map(query))
        return .object(out)
    }

    static func query(_ query: JSON) -> JSON {
        var out: [String: JSON] = [:]
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
    static func dashboard(_ model: JSON) -> JSON {
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
