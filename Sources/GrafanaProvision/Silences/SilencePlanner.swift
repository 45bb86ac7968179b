import Foundation
import TfdriftCore

public struct SilenceOptions: Sendable {
    /// Occurrences that start within this many seconds from now get a silence.
    public var horizon: Double
    public var matchers: [LabelMatcher]
    public var createdBy: String

    public init(horizon: Double = 14 * 86400, matchers: [LabelMatcher]? = nil, createdBy: String = "tfdriftctl") {
        self.horizon = horizon
        self.matchers = matchers ?? SilenceConfig().matchers
        self.createdBy = createdBy
    }

    public init(config: SilenceConfig) {
        self.init(horizon: config.horizon, matchers: config.matchers, createdBy: config.createdBy)
    }
}

/// What `silence schedule` does for one occurrence (or one stale silence of ours).
public struct SilenceAction: Sendable {
    public enum Kind: String, Sendable {
        case create, update, expire
        /// Already as desired.
        case unchanged
        /// Our silence for a running occurrence was expired before its end (someone ended the maintenance
        /// early): not recreated.
        case endedEarly = "ended_early"
    }

    public let kind: Kind
    public let tag: SilenceTag
    /// The silence to create or update to.
    public let desired: DesiredSilence?
    /// The silence there is now (update, expire, unchanged, endedEarly).
    public let existing: Silence?
    /// Field-level differences for updates: `starts_at`, `ends_at`, `matchers`, `comment`.
    public let fields: [FieldChange]
    public let reason: String?
}

public struct SilencePlan: Sendable {
    public var actions: [SilenceAction] = []
    /// When the plan was made; creates and updates compare against it.
    public var now: Date

    public var changes: [SilenceAction] { actions.filter { [.create, .update, .expire].contains($0.kind) } }
    public var hasChanges: Bool { !changes.isEmpty }
    public func count(_ kind: SilenceAction.Kind) -> Int { actions.filter { $0.kind == kind }.count }
}

/// Turns maintenance windows and the silences Alertmanager holds into a plan. Pure: the clock is an input.
public enum SilencePlanner {
    /// The occurrences of a window whose silence should exist at `now`: running ones, and those starting
    /// before `until`.
    public static func occurrences(of window: MaintenanceWindow, now: Date, until: Date) -> [DateInterval] {
        switch window.schedule {
        case .oneOff(let start, let end):
            return end > now && start < until ? [DateInterval(start: start, end: end)] : []
        case .weekly:
            // Weekly occurrences last at most a day (overnight windows), so two days back finds running ones.
            return window.occurrences(from: now.addingTimeInterval(-2 * 86400), to: until).filter { $0.end > now }
        }
    }

    /// The occurrence key in the tag: the local start date of a weekly occurrence, `once` for a one-off window.
    public static func occurrenceKey(_ window: MaintenanceWindow, _ occurrence: DateInterval) -> String {
        switch window.schedule {
        case .oneOff: return "once"
        case .weekly(_, _, _, let zone):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.year, .month, .day], from: occurrence.start)
            return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        }
    }

    public static func desired(
        _ window: MaintenanceWindow, _ occurrence: DateInterval, options: SilenceOptions
    ) -> DesiredSilence {
        let tag = SilenceTag(window: window.name, occurrence: occurrenceKey(window, occurrence))
        let local: String
        if case .weekly(_, _, _, let zone) = window.schedule {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = "EEEE yyyy-MM-dd HH:mm"
            let endFormatter = DateFormatter()
            endFormatter.locale = formatter.locale
            endFormatter.timeZone = zone
            endFormatter.dateFormat = "HH:mm"
            local =
                "\(formatter.string(from: occurrence.start))–\(endFormatter.string(from: occurrence.end)) (\(zone.identifier))"
        } else {
            local = window.summary
        }
        return DesiredSilence(
            tag: tag, matchers: options.matchers, startsAt: occurrence.start, endsAt: occurrence.end,
            createdBy: options.createdBy,
            comment: "Maintenance window \"\(window.name)\": \(local). Scheduled by tfdriftctl silence schedule. \(tag.text)")
    }

    public static func plan(
        windows: [MaintenanceWindow], existing: [Silence], options: SilenceOptions, now: Date
    ) -> SilencePlan {
        var plan = SilencePlan(now: now)
        let horizonEnd = now.addingTimeInterval(options.horizon)
        let ours = existing.filter { $0.isOurs(createdBy: options.createdBy) }
        var byTag: [SilenceTag: [Silence]] = [:]
        for silence in ours { byTag[silence.tag!, default: []].append(silence) }
        let latestStart = ours.map(\.startsAt).max() ?? now
        var desiredTags: Set<SilenceTag> = []

        for window in windows {
            // Occurrences beyond the horizon that already have a silence (the horizon was longer once)
            // are kept and kept up to date; only those within it are created.
            let until = max(horizonEnd, latestStart.addingTimeInterval(86400))
            for occurrence in occurrences(of: window, now: now, until: until) {
                let desired = Self.desired(window, occurrence, options: options)
                guard !desiredTags.contains(desired.tag) else { continue }
                let silences = byTag[desired.tag] ?? []
                // With duplicates, keep the one closest to the desired silence (then the lowest id).
                let live = silences.filter { $0.state != .expired }
                    .map { (silence: $0, distance: differences($0, desired, now: now).count) }
                    .sorted { ($0.distance, $0.silence.id) < ($1.distance, $1.silence.id) }.map(\.silence)
                if occurrence.start >= horizonEnd, live.isEmpty { continue }
                desiredTags.insert(desired.tag)
                guard let current = live.first else {
                    // Someone expired our silence of a running occurrence before its end: the maintenance
                    // was ended early on purpose. Do not bring it back.
                    if occurrence.start <= now,
                        let ended = silences.first(where: { endedEarly($0, scheduledEnd: occurrence.end, now: now) })
                    {
                        plan.actions.append(
                            SilenceAction(
                                kind: .endedEarly, tag: desired.tag, desired: desired, existing: ended, fields: [],
                                reason: "expired at \(Timestamp.format(ended.endsAt)) before the window's end; not recreated"))
                        continue
                    }
                    plan.actions.append(
                        SilenceAction(kind: .create, tag: desired.tag, desired: desired, existing: nil, fields: [], reason: nil))
                    continue
                }
                let fields = differences(current, desired, now: now)
                plan.actions.append(
                    SilenceAction(
                        kind: fields.isEmpty ? .unchanged : .update, tag: desired.tag, desired: desired, existing: current,
                        fields: fields, reason: nil))
                // Duplicates (two runs racing, or an update an old Alertmanager did not expire): expire the rest.
                for duplicate in live.dropFirst() {
                    plan.actions.append(
                        SilenceAction(
                            kind: .expire, tag: desired.tag, desired: nil, existing: duplicate, fields: [],
                            reason: "duplicate of \(current.id)"))
                }
            }
        }
        // Our silences no occurrence wants any more: the window was removed, renamed or moved to other days.
        let windowNames = Set(windows.map(\.name))
        for silence in ours where silence.state != .expired && !desiredTags.contains(silence.tag!) {
            let reason =
                windowNames.contains(silence.tag!.window)
                ? "the window no longer has this occurrence" : "the window is no longer configured"
            plan.actions.append(
                SilenceAction(kind: .expire, tag: silence.tag!, desired: nil, existing: silence, fields: [], reason: reason))
        }
        plan.actions.sort { ($0.desired?.startsAt ?? $0.existing!.startsAt) < ($1.desired?.startsAt ?? $1.existing!.startsAt) }
        return plan
    }

    /// Expired by hand: it ended before the occurrence's scheduled end, and the expiry was its last update.
    static func endedEarly(_ silence: Silence, scheduledEnd: Date, now: Date) -> Bool {
        guard silence.state == .expired, silence.endsAt < scheduledEnd.addingTimeInterval(-1) else { return false }
        guard let updated = silence.updatedAt else { return true }
        return updated >= silence.endsAt.addingTimeInterval(-2)
    }

    /// What differs between a silence and the desired one. A start in the past was moved to the creation
    /// time by Alertmanager: a running silence of a running occurrence has the right start.
    static func differences(_ current: Silence, _ desired: DesiredSilence, now: Date) -> [FieldChange] {
        var fields: [FieldChange] = []
        let startMatches =
            abs(current.startsAt.timeIntervalSince(desired.startsAt)) < 1
            || (desired.startsAt <= now && current.state == .active && current.startsAt >= desired.startsAt)
        if !startMatches {
            fields.append(
                FieldChange(
                    path: "starts_at", before: .string(Timestamp.format(current.startsAt)),
                    after: .string(Timestamp.format(max(desired.startsAt, now)))))
        }
        if abs(current.endsAt.timeIntervalSince(desired.endsAt)) >= 1 {
            fields.append(
                FieldChange(
                    path: "ends_at", before: .string(Timestamp.format(current.endsAt)),
                    after: .string(Timestamp.format(desired.endsAt))))
        }
        if Set(current.matchers) != Set(desired.matchers) {
            fields.append(
                FieldChange(
                    path: "matchers", before: .array(current.matchers.map { .string($0.description) }),
                    after: .array(desired.matchers.map { .string($0.description) })))
        }
        if current.comment != desired.comment {
            fields.append(FieldChange(path: "comment", before: .string(current.comment), after: .string(desired.comment)))
        }
        return fields
    }
}
