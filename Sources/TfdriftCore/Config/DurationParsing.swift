import Foundation

/// Go-style durations as TFDrift-Falco users write them and Prometheus/Grafana use them: `90s`, `5m`,
/// `1h30m`, `2d`, `1w`, `1y`, `500ms`. The project's one duration reader (config, alert profiles, the
/// normalisation of Grafana's rules).
public enum DurationParser {
    /// Seconds in `text`; nil when it is not a duration. A bare number is seconds unless `requireUnit`
    /// (Grafana's rule fields: `for: 5` is refused by Grafana, so it is refused here too; `0` is allowed).
    public static func seconds(_ text: String, requireUnit: Bool = false) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let plain = Double(trimmed) { return plain >= 0 && (!requireUnit || plain == 0) ? plain : nil }
        var total = 0.0
        var number = ""
        var unit = ""
        var sawAny = false
        func flush() -> Bool {
            guard let value = Double(number) else { return false }
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86400
            case "w": scale = 604800
            case "y": scale = 31_536_000
            default: return false
            }
            total += value * scale
            number = ""
            unit = ""
            sawAny = true
            return true
        }
        for character in trimmed {
            if character.isNumber || character == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else if character.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard flush(), sawAny else { return nil }
        return total
    }

    /// Whole seconds in a duration with a unit (`5m` → 300), as Grafana and Prometheus read rule durations.
    public static func wholeSeconds(_ text: String) -> Int? {
        seconds(text, requireUnit: true).flatMap { $0.rounded() == $0 ? Int($0) : nil }
    }

    /// `300` → `5m`, for messages and rendered config.
    public static func format(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole % 3600 == 0, whole >= 3600 { return "\(whole / 3600)h" }
        if whole % 60 == 0, whole >= 60 { return "\(whole / 60)m" }
        return "\(whole)s"
    }
}
