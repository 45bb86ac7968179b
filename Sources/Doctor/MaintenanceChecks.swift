import Foundation
import GrafanaProvision
import TfdriftCore

/// `maintenance.windows_silenced` (seed 3.3): every occurrence of every configured maintenance
/// window within the horizon is covered by a mute timing attached to our alerts or by a silence that
/// matches them. Reads mute timings and the policy from Grafana, silences from Alertmanager (v2 API).
struct MaintenanceChecks {
    let context: DoctorContext
    let grafana: GrafanaFacts

    func run(_ recorder: Recorder) async {
        await recorder.check("maintenance.windows_silenced") { await coverage() }
    }

    func coverage() async -> Outcome {
        let windows = context.config.maintenanceWindows
        guard !windows.isEmpty else { return .skip("no maintenance windows configured (advanced.maintenance_windows)") }
        let now = context.now
        let horizonEnd = now.addingTimeInterval(context.options.horizon)
        var sources: [String] = []
        // Mute timings attached to our rules or our route.
        var attached = Set(
            grafana.rules.flatMap { $0["notification_settings"]?["mute_time_intervals"]?.arrayValue ?? [] }
                .compactMap(\.stringValue))
        if let route = GrafanaChecks.ourRoute(grafana.policy) {
            attached.formUnion(MaintenanceMuteTimings.names(onRoute: route))
        }
        let timings = grafana.muteTimings.filter { attached.contains($0["name"]?.stringValue ?? "") }
        if grafana.client != nil {
            sources.append(
                timings.isEmpty
                    ? "no mute timing attached to our alerts"
                    : "mute timings \(timings.compactMap { $0["name"]?.stringValue }.sorted().joined(separator: ", "))")
        }
        let intervals = timings.flatMap { $0["time_intervals"]?.arrayValue ?? [] }
        // Silences: a standalone Alertmanager (alertmanager.url), else Grafana's built-in one.
        var silences: [(start: Date, end: Date)] = []
        var silenceNote: String?
        switch await fetchSilences() {
        case .success(let (found, origin)):
            silences = found
            sources.append("\(Text.count(found.count, "active or pending silence")) matching managed_by=tfdriftctl in \(origin)")
        case .failure(let error):
            silenceNote = error.description
        }
        if let silenceNote { sources.append("silences not read: \(silenceNote)") }
        var uncovered: [String] = []
        var covered = 0
        for window in windows {
            for occurrence in window.occurrences(from: now.addingTimeInterval(-86400), to: horizonEnd) where occurrence.end > now
            {
                let start = max(occurrence.start, now)
                if Self.isCovered(from: start, to: occurrence.end, intervals: intervals, silences: silences) {
                    covered += 1
                } else {
                    uncovered.append("\(window.name) \(Timestamp.format(occurrence.start))–\(Timestamp.format(occurrence.end))")
                }
            }
        }
        let horizonText = "next \(Text.duration(context.options.horizon))"
        let evidence =
            "\(Text.count(windows.count, "window")) over the \(horizonText): \(covered) occurrence(s) covered; "
            + sources.joined(separator: "; ")
        if uncovered.isEmpty {
            return covered == 0 ? .pass(evidence + " (no occurrence in the horizon)") : .pass(evidence)
        }
        if grafana.client == nil, silenceNote != nil {
            return .manual(
                evidence + "; not covered as far as doctor can see: \(Text.list(uncovered, limit: 4))",
                fix:
                    "configure grafana: (mute timings) or alertmanager.url (silences) so doctor can check, then tfdriftctl silence schedule / mute-timings apply"
            )
        }
        return .warn(
            evidence + "; uncovered: \(Text.list(uncovered, limit: 4))",
            fix:
                "tfdriftctl mute-timings apply (recurring windows) or tfdriftctl silence schedule (one-off windows), so maintenance does not page anyone"
        )
    }

    struct SilenceError: Error, CustomStringConvertible {
        let description: String
    }

    func fetchSilences() async -> Result<([(start: Date, end: Date)], String), SilenceError> {
        let url: URL?
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        let origin: String
        let transport: Result<any HTTPTransport, HTTPTransportError>
        if let alertmanager = context.config.alertmanager {
            url = URL.joining(alertmanager.url, "/api/v2/silences")
            origin = "Alertmanager \(Redaction.url(alertmanager.url))"
            if let token = alertmanager.token {
                headers.append(("Authorization", "Bearer \(token.value)"))
            } else if let user = alertmanager.username, let password = alertmanager.password {
                headers.append(("Authorization", "Basic " + Data("\(user):\(password.value)".utf8).base64EncodedString()))
            }
            transport = context.transport(TLSClientSettings(), hint: "alertmanager")
        } else if let client = grafana.client {
            do {
                let (_, body) = try await client.send("GET", "/api/alertmanager/grafana/api/v2/silences")
                return .success((Self.matching(body?.arrayValue ?? []), "Grafana's Alertmanager"))
            } catch {
                return .failure(SilenceError(description: "Grafana's Alertmanager: \(error)"))
            }
        } else {
            return .failure(SilenceError(description: "neither grafana: nor alertmanager.url is configured"))
        }
        guard let url else { return .failure(SilenceError(description: "bad alertmanager.url")) }
        switch transport {
        case .failure(let error): return .failure(SilenceError(description: "\(error)"))
        case .success(let made):
            switch await Prober(transport: made, timeout: context.environment.timeout).get(url, headers: headers) {
            case .failure(let error): return .failure(SilenceError(description: "\(error)"))
            case .success(let response) where response.status == 200:
                guard let body = try? JSONValue.parse(response.body) else {
                    return .failure(SilenceError(description: "GET /api/v2/silences did not answer JSON"))
                }
                return .success((Self.matching(body.arrayValue ?? []), origin))
            case .success(let response):
                return .failure(SilenceError(description: "GET /api/v2/silences → \(response.status)"))
            }
        }
    }

    /// Active or pending silences whose matchers select our alerts (`managed_by="tfdriftctl"`).
    static func matching(_ silences: [JSONValue]) -> [(start: Date, end: Date)] {
        silences.compactMap { silence in
            let state = silence["status"]?["state"]?.stringValue ?? "active"
            guard state != "expired" else { return nil }
            let matchers = silence["matchers"]?.arrayValue ?? []
            let ours = matchers.contains {
                $0["name"]?.stringValue == "managed_by" && $0["value"]?.stringValue == "tfdriftctl"
                    && $0["isEqual"]?.boolValue != false
                    && $0["isRegex"]?.boolValue != true
            }
            // Besides managed_by, only the matcher that leaves health rules alone (the default) may narrow it.
            let others = matchers.filter {
                $0["name"]?.stringValue != "managed_by"
                    && !($0["name"]?.stringValue == "tfdrift_kind" && $0["value"]?.stringValue == "health"
                        && $0["isEqual"]?.boolValue == false && $0["isRegex"]?.boolValue != true)
            }
            guard ours, others.isEmpty, let start = silence["startsAt"]?.stringValue.flatMap(Timestamp.parse),
                let end = silence["endsAt"]?.stringValue.flatMap(Timestamp.parse)
            else { return nil }
            return (start, end)
        }
    }

    /// Sampled every five minutes (and at the last second): every instant muted or silenced.
    static func isCovered(from start: Date, to end: Date, intervals: [JSONValue], silences: [(start: Date, end: Date)]) -> Bool {
        var instant = start
        while instant < end {
            let silenced = silences.contains { $0.start <= instant && instant < $0.end }
            if !silenced, !intervals.contains(where: { TimeIntervalMatcher.contains($0, instant) }) { return false }
            if instant == end.addingTimeInterval(-1) { break }
            instant = min(instant.addingTimeInterval(300), end.addingTimeInterval(-1))
        }
        return true
    }
}

/// Alertmanager's `time_intervals` semantics (times, weekdays, days_of_month, months, years, location).
enum TimeIntervalMatcher {
    static let weekdays = ["sunday": 1, "monday": 2, "tuesday": 3, "wednesday": 4, "thursday": 5, "friday": 6, "saturday": 7]
    static let months = [
        "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8, "september": 9,
        "october": 10, "november": 11, "december": 12,
    ]

    static func contains(_ interval: JSONValue, _ instant: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone =
            interval["location"]?.stringValue.flatMap(TimeZone.init(identifier:)) ?? TimeZone(secondsFromGMT: 0) ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: instant)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        if let times = interval["times"]?.arrayValue, !times.isEmpty {
            let inside = times.contains { range in
                guard let start = minutes(range["start_time"]?.stringValue), let end = minutes(range["end_time"]?.stringValue)
                else {
                    return false
                }
                return start <= minute && minute < end
            }
            if !inside { return false }
        }
        if let days = interval["weekdays"]?.arrayValue, !days.isEmpty {
            guard matches(days, parts.weekday ?? 0, names: weekdays, last: 7) else { return false }
        }
        if let days = interval["days_of_month"]?.arrayValue, !days.isEmpty {
            let count = calendar.range(of: .day, in: .month, for: instant)?.count ?? 31
            guard matches(days, parts.day ?? 0, names: [:], last: count) else { return false }
        }
        if let list = interval["months"]?.arrayValue, !list.isEmpty {
            guard matches(list, parts.month ?? 0, names: months, last: 12) else { return false }
        }
        if let list = interval["years"]?.arrayValue, !list.isEmpty {
            guard matches(list, parts.year ?? 0, names: [:], last: Int.max) else { return false }
        }
        return true
    }

    static func minutes(_ text: String?) -> Int? {
        guard let parts = text?.split(separator: ":").compactMap({ Int($0) }), parts.count == 2 else { return nil }
        return parts[0] * 60 + parts[1]
    }

    /// `["monday:wednesday", "saturday"]`, `["1:5", "-1"]`.
    static func matches(_ items: [JSONValue], _ value: Int, names: [String: Int], last: Int) -> Bool {
        func number(_ text: Substring) -> Int? {
            let lowered = text.lowercased()
            if let named = names[lowered] { return named }
            guard let parsed = Int(lowered) else { return nil }
            return parsed < 0 ? last + 1 + parsed : parsed
        }
        for item in items {
            guard let text = item.stringValue ?? item.intValue.map(String.init) else { continue }
            let bounds = text.split(separator: ":")
            guard let low = bounds.first.flatMap(number) else { continue }
            let high = bounds.count > 1 ? number(bounds[1]) ?? low : low
            if low <= value && value <= high { return true }
        }
        return false
    }
}
