import Foundation
import TfdriftCore

/// Recurring maintenance windows as Grafana mute timings (`time_intervals` with weekdays, times and
/// location), attached to tfdriftctl's alert rules (rule `notification_settings`) or to its own route
/// (routing mode `policy`). Grafana evaluates them itself: nothing has to run to keep them current.
public enum MaintenanceMuteTimings {
    /// Our mute timings' names start with this; stale ones (a window removed) are recognised by it.
    public static let prefix = "tfdrift-maintenance-"

    public static func name(for window: MaintenanceWindow) -> String {
        var slug = ""
        for scalar in window.name.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return prefix + (slug.isEmpty ? "window" : slug)
    }

    static let weekdayNames = ["", "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// The mute timing for a weekly window; nil for one-off windows (those are silences' job).
    /// An overnight window (22:00–02:00) becomes two intervals: the start day until 24:00 and the next
    /// day from 00:00, because Grafana's time ranges cannot cross midnight.
    public static func spec(for window: MaintenanceWindow) -> MuteTimingSpec? {
        guard case .weekly(let weekdays, let startMinute, let endMinute, let zone) = window.schedule else { return nil }
        let days = weekdays.sorted()
        func clock(_ minute: Int) -> JSONValue { .string(MaintenanceWindow.clock(minute)) }
        func interval(_ days: [Int], from start: Int, to end: Int) -> JSONValue {
            [
                "weekdays": .array(days.map { .string(weekdayNames[$0]) }),
                "times": [["start_time": clock(start), "end_time": clock(end)]],
                "location": .string(zone.identifier),
            ]
        }
        var intervals: [JSONValue] = []
        if endMinute > startMinute {
            intervals.append(interval(days, from: startMinute, to: endMinute))
        } else {
            intervals.append(interval(days, from: startMinute, to: 1440))
            if endMinute > 0 { intervals.append(interval(days.map { $0 % 7 + 1 }.sorted(), from: 0, to: endMinute)) }
        }
        return MuteTimingSpec(name: name(for: window), timeIntervals: .array(intervals))
    }

    /// Mute timings for the recurring windows; the names of one-off windows, which they cannot express.
    public static func specs(_ windows: [MaintenanceWindow]) throws -> (specs: [MuteTimingSpec], oneOff: [String]) {
        var specs: [MuteTimingSpec] = []
        var oneOff: [String] = []
        var owners: [String: String] = [:]
        for window in windows {
            guard let spec = spec(for: window) else {
                oneOff.append(window.name)
                continue
            }
            if let other = owners[spec.name] {
                throw ProvisionError(
                    "maintenance windows \"\(other)\" and \"\(window.name)\" both become mute timing \(spec.name); rename one")
            }
            owners[spec.name] = window.name
            specs.append(spec)
        }
        return (specs, oneOff)
    }

    /// `names` with our maintenance mute timings replaced by `desired` (others, e.g. the profile's own, kept).
    static func merged(_ names: [JSONValue], desired: [String]) -> [JSONValue] {
        let kept = names.filter { !($0.stringValue ?? "").hasPrefix(prefix) }
        return kept + desired.map { .string($0) }
    }

    /// Whether a rule watches the detector itself (`tfdrift_kind=health`): never muted by maintenance.
    static func isHealthRule(_ rule: JSONValue) -> Bool {
        rule["labels"]?[AlertProfile.kindLabel]?.stringValue == AlertProfile.Kind.health.rawValue
    }

    /// A rule (`ProvisionedAlertRule`) with our maintenance mute timings set to `names` in its notification
    /// settings; health rules get none (and lose any they had). Rules routed by the policy tree are unchanged.
    /// `alerts apply` and `mute-timings apply` both go through here, so they want the same rules.
    static func attach(_ names: [String], toRule rule: JSONValue) -> JSONValue {
        guard var fields = rule.objectValue, var settings = fields["notification_settings"]?.objectValue else { return rule }
        let merged = merged(settings["mute_time_intervals"]?.arrayValue ?? [], desired: isHealthRule(rule) ? [] : names)
        settings["mute_time_intervals"] = merged.isEmpty ? nil : .array(merged)
        fields["notification_settings"] = .object(settings)
        return .object(fields)
    }

    /// The matcher of the child route that carries the maintenance mute timings (drift alerts only).
    static var driftMatcher: JSONValue { [.string(AlertProfile.kindLabel), "=", .string(AlertProfile.Kind.drift.rawValue)] }

    /// Our route's fields (routing mode `policy`) with the maintenance mute timings on a child route that
    /// matches drift alerts: health alerts do not match it and stay with our route, which is never muted by
    /// maintenance (a route's mute timings would mute everything it routes).
    static func attach(_ names: [String], toRoute route: [String: JSONValue]) -> [String: JSONValue] {
        var fields = route
        let own = merged(fields["mute_time_intervals"]?.arrayValue ?? [], desired: [])
        fields["mute_time_intervals"] = own.isEmpty ? nil : .array(own)
        var children = (fields["routes"]?.arrayValue ?? []).filter {
            ($0["object_matchers"]?.arrayValue ?? []) != [driftMatcher]
        }
        if !names.isEmpty {
            children.insert(["object_matchers": [driftMatcher], "mute_time_intervals": .array(names.map { .string($0) })], at: 0)
        }
        fields["routes"] = children.isEmpty ? nil : .array(children)
        return fields
    }

    /// The maintenance mute timings on our route (on its drift child route, or on itself as older versions did).
    public static func names(onRoute route: JSONValue) -> [String] {
        var found = route["mute_time_intervals"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for child in route["routes"]?.arrayValue ?? [] where (child["object_matchers"]?.arrayValue ?? []) == [driftMatcher] {
            found += child["mute_time_intervals"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return found
    }
}

extension AlertProfile {
    /// The profile with the recurring maintenance windows as mute timings, attached to its drift rules (never
    /// to health rules), so that `alerts apply` and `mute-timings apply` want the same rules and route.
    public func addingMaintenanceWindows(_ windows: [MaintenanceWindow]) throws -> AlertProfile {
        let specs = try MaintenanceMuteTimings.specs(windows).specs
        var profile = self
        profile.muteTimings = muteTimings.filter { !$0.name.hasPrefix(MaintenanceMuteTimings.prefix) } + specs
        profile.muteTimingNames = muteTimingNames.filter { !$0.hasPrefix(MaintenanceMuteTimings.prefix) }
        profile.maintenanceMuteTimingNames = specs.map(\.name)
        return profile
    }
}

/// The plan of `mute-timings plan|apply`, with what it could not attach.
public struct MuteTimingPlan: Sendable {
    public var plan: Plan
    /// One-off windows (left to `silence schedule`).
    public var oneOffWindows: [String]
    /// Rules (by uid) and our route the mute timings are attached to.
    public var attachedRules: [String]
    public var attachedRoute: Bool
    /// Said once, e.g. that no rule of ours exists yet.
    public var notes: [String]
}

extension Provisioner {
    /// Plans our maintenance mute timings and their attachment to the alert rules labelled
    /// `managed_by=tfdriftctl` (rules with notification settings) and to our route, as they are in Grafana;
    /// mute timings of windows no longer configured are detached and deleted. Reads only.
    public func planMaintenanceMuteTimings(_ windows: [MaintenanceWindow]) async throws -> MuteTimingPlan {
        let (specs, oneOff) = try MaintenanceMuteTimings.specs(windows)
        let names = specs.map(\.name)
        var desired = DesiredState()
        desired.muteTimings = specs
        var attachedRules: [String] = []
        var notes: [String] = []

        // Our rules, group by group; foreign rules in a group are carried over by the rule-group plan.
        let (_, rulesBody) = try await client.send("GET", "/api/v1/provisioning/alert-rules")
        let ours = (rulesBody?.arrayValue ?? []).filter {
            $0["labels"]?[options.managedLabel]?.stringValue == options.managedValue
        }
        var groups: [(folder: String, group: String)] = []
        for rule in ours {
            let key: (folder: String, group: String) = (
                rule["folderUID"]?.stringValue ?? "", rule["ruleGroup"]?.stringValue ?? ""
            )
            if !groups.contains(where: { $0.folder == key.folder && $0.group == key.group }) { groups.append(key) }
        }
        var policyRouted = 0
        for (folder, group) in groups {
            let path =
                "/api/v1/provisioning/folder/\(GrafanaClient.escape(folder))/rule-groups/\(GrafanaClient.escape(group))"
            let (status, body) = try await client.send("GET", path, allowNotFound: true)
            guard status == 200, let body else { continue }
            var rules: [JSONValue] = []
            for rule in body["rules"]?.arrayValue ?? []
            where rule["labels"]?[options.managedLabel]?.stringValue == options.managedValue {
                var fields = rule.objectValue ?? [:]
                for key in ["id", "updated", "provenance"] { fields[key] = nil }
                if fields["notification_settings"]?.objectValue != nil {
                    if !MaintenanceMuteTimings.isHealthRule(rule) { attachedRules.append(fields["uid"]?.stringValue ?? "") }
                } else {
                    policyRouted += 1
                }
                rules.append(MaintenanceMuteTimings.attach(names, toRule: .object(fields)))
            }
            let interval = body["interval"]?.intValue ?? 60
            desired.ruleGroups.append(RuleGroupSpec(folderUID: folder, name: group, intervalSeconds: interval, rules: rules))
        }

        // Our route (routing mode policy), when there is one.
        var attachedRoute = false
        let (_, tree) = try await client.send("GET", "/api/v1/provisioning/policies")
        let matcher: JSONValue = [.string(options.managedLabel), "=", .string(options.managedValue)]
        if let route = (tree?["routes"]?.arrayValue ?? []).first(where: {
            ($0["object_matchers"]?.arrayValue ?? []) == [matcher]
        }), var fields = route.objectValue {
            fields["object_matchers"] = nil
            fields = MaintenanceMuteTimings.attach(names, toRoute: fields)
            desired.route = RouteSpec(label: options.managedLabel, value: options.managedValue, fields: fields)
            attachedRoute = true
        }
        if ours.isEmpty {
            notes.append(
                "Grafana has no alert rule labelled \(options.managedLabel)=\(options.managedValue) yet: the mute timings are created, and `tfdriftctl alerts apply` attaches them"
            )
        } else if policyRouted > 0, !attachedRoute {
            notes.append(
                "\(policyRouted) of our rules route through the notification policy tree, but it has no route matching \(options.managedLabel)=\(options.managedValue); run `tfdriftctl alerts apply` (routing: policy creates it)"
            )
        }

        var plan = try await self.plan(desired)
        // Mute timings of windows that are gone: detached above, deleted after the rules and route let go.
        let (_, existingBody) = try await client.send("GET", "/api/v1/provisioning/mute-timings")
        let stale = (existingBody?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            .filter { $0.hasPrefix(MaintenanceMuteTimings.prefix) && !names.contains($0) }
        if !stale.isEmpty {
            var removal = DesiredState()
            removal.muteTimings = stale.map { MuteTimingSpec(name: $0, timeIntervals: []) }
            let destroy = try await self.plan(removal, destroy: true)
            plan.changes += destroy.changes
            plan.refusals += destroy.refusals
        }
        return MuteTimingPlan(
            plan: plan, oneOffWindows: oneOff, attachedRules: attachedRules, attachedRoute: attachedRoute, notes: notes)
    }
}
