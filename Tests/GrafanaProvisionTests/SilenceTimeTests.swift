import Foundation
import GrafanaProvision
import Testing
import TfdriftCore

/// Windows from YAML exactly as users write them.
enum SilenceFixture {
    static func windows(_ yaml: String) throws -> [MaintenanceWindow] {
        try ConfigLoader.parse(yaml: "advanced:\n  maintenance_windows:\n" + yaml).maintenanceWindows
    }

    static func weekly(_ name: String, _ days: String, _ start: String, _ end: String, _ zone: String) throws
        -> MaintenanceWindow
    {
        try windows(
            """
                - name: "\(name)"
                  days: [\(days)]
                  start_time: "\(start)"
                  end_time: "\(end)"
                  timezone: "\(zone)"

            """
        )[0]
    }

    static func date(_ text: String) -> Date { Timestamp.parse(text)! }

    /// Each occurrence's UTC start and end, as the planner would silence them.
    static func intervals(_ window: MaintenanceWindow, from: String, days: Double) -> [String] {
        let now = date(from)
        return SilencePlanner.occurrences(of: window, now: now, until: now.addingTimeInterval(days * 86400)).map {
            "\(SilencePlanner.occurrenceKey(window, $0)) \(Timestamp.format($0.start))–\(Timestamp.format($0.end))"
        }
    }

    /// Silences exactly as Alertmanager would hold them for a plan's creates (ids `s1`, `s2`, …).
    static func materialise(_ plan: SilencePlan, state: Silence.State = .pending) -> [Silence] {
        plan.actions.filter { $0.kind == .create }.enumerated().map { offset, action in
            let desired = action.desired!
            return Silence(
                id: "s\(offset + 1)", state: state, matchers: desired.matchers, startsAt: desired.startsAt,
                endsAt: desired.endsAt, updatedAt: plan.now, createdBy: desired.createdBy, comment: desired.comment)
        }
    }
}

@Suite("Silence time maths and planning (pure, injected clock)")
struct SilenceTimeTests {
    @Test("the seed's windows: Sunday 02:00–06:00 Asia/Tokyo (no DST) and the one-off RFC 3339 window")
    func seedWindows() throws {
        let windows = try SilenceFixture.windows(
            """
                - name: "Weekly Deployment"
                  days: ["Sunday"]
                  start_time: "02:00"
                  end_time: "06:00"
                  timezone: "Asia/Tokyo"
                - name: "Emergency Maintenance"
                  start_datetime: "2025-12-10T20:00:00Z"
                  end_datetime: "2025-12-10T23:00:00Z"

            """)
        // Sunday 02:00 in Tokyo (UTC+9 all year) is Saturday 17:00 UTC.
        #expect(
            SilenceFixture.intervals(windows[0], from: "2025-12-01T00:00:00Z", days: 14) == [
                "2025-12-07 2025-12-06T17:00:00Z–2025-12-06T21:00:00Z",
                "2025-12-14 2025-12-13T17:00:00Z–2025-12-13T21:00:00Z",
            ])
        #expect(
            SilenceFixture.intervals(windows[1], from: "2025-12-01T00:00:00Z", days: 14) == [
                "once 2025-12-10T20:00:00Z–2025-12-10T23:00:00Z"
            ])
        // A one-off window that is over gets no silence (Alertmanager rejects an end in the past).
        #expect(SilenceFixture.intervals(windows[1], from: "2025-12-11T00:00:00Z", days: 14).isEmpty)
        // Beyond the horizon: nothing yet.
        #expect(SilenceFixture.intervals(windows[1], from: "2025-11-01T00:00:00Z", days: 14).isEmpty)

        let plan = SilencePlanner.plan(
            windows: windows, existing: [], options: SilenceOptions(), now: SilenceFixture.date("2025-12-01T00:00:00Z"))
        #expect(plan.count(.create) == 3)
        let first = try #require(plan.actions.first?.desired)
        // Our alerts, except the detector's health rules: maintenance never hides that the detector is down.
        #expect(
            first.matchers == [
                LabelMatcher(name: "managed_by", op: .equal, value: "tfdriftctl"),
                LabelMatcher(name: "tfdrift_kind", op: .notEqual, value: "health"),
            ])
        #expect(first.createdBy == "tfdriftctl")
        #expect(first.comment.contains("Sunday 2025-12-07 02:00–06:00 (Asia/Tokyo)"), "\(first.comment)")
        #expect(SilenceTag.find(in: first.comment) == SilenceTag(window: "Weekly Deployment", occurrence: "2025-12-07"))
    }

    @Test(
        "America/New_York across both DST changes: the skipped hour starts at the first valid instant, the repeated hour at its first pass"
    )
    func newYork() throws {
        let fall = try SilenceFixture.weekly("Fall", "Sunday", "01:00", "03:00", "America/New_York")
        #expect(
            SilenceFixture.intervals(fall, from: "2025-10-20T00:00:00Z", days: 21) == [
                "2025-10-26 2025-10-26T05:00:00Z–2025-10-26T07:00:00Z",  // EDT (UTC−4)
                "2025-11-02 2025-11-02T05:00:00Z–2025-11-02T08:00:00Z",  // 01:00 EDT to 03:00 EST: three real hours
                "2025-11-09 2025-11-09T06:00:00Z–2025-11-09T08:00:00Z",  // EST (UTC−5)
            ])
        let spring = try SilenceFixture.weekly("Spring", "Sun", "02:30", "04:00", "America/New_York")
        #expect(
            SilenceFixture.intervals(spring, from: "2025-03-01T00:00:00Z", days: 21) == [
                "2025-03-02 2025-03-02T07:30:00Z–2025-03-02T09:00:00Z",
                "2025-03-09 2025-03-09T07:00:00Z–2025-03-09T08:00:00Z",  // 02:30 does not exist: 03:00 EDT
                "2025-03-16 2025-03-16T06:30:00Z–2025-03-16T08:00:00Z",
            ])
    }

    @Test("Europe/Berlin across both DST changes")
    func berlin() throws {
        let window = try SilenceFixture.weekly("Weekly", "Sunday", "02:00", "06:00", "Europe/Berlin")
        #expect(
            SilenceFixture.intervals(window, from: "2025-03-20T00:00:00Z", days: 21) == [
                "2025-03-23 2025-03-23T01:00:00Z–2025-03-23T05:00:00Z",  // CET (UTC+1)
                "2025-03-30 2025-03-30T01:00:00Z–2025-03-30T04:00:00Z",  // 02:00 skipped: 03:00 CEST
                "2025-04-06 2025-04-06T00:00:00Z–2025-04-06T04:00:00Z",  // CEST (UTC+2)
            ])
        #expect(
            SilenceFixture.intervals(window, from: "2025-10-15T00:00:00Z", days: 21) == [
                "2025-10-19 2025-10-19T00:00:00Z–2025-10-19T04:00:00Z",
                "2025-10-26 2025-10-26T00:00:00Z–2025-10-26T05:00:00Z",  // 02:00 CEST to 06:00 CET: five hours
                "2025-11-02 2025-11-02T01:00:00Z–2025-11-02T05:00:00Z",
            ])
    }

    @Test("an overnight window (22:00–02:00) ends the next day, also across a DST change; keyed by its start date")
    func overnight() throws {
        let friday = try SilenceFixture.weekly("Nightly", "Friday", "22:00", "02:00", "Europe/Berlin")
        #expect(
            SilenceFixture.intervals(friday, from: "2025-03-24T00:00:00Z", days: 7) == [
                "2025-03-28 2025-03-28T21:00:00Z–2025-03-29T01:00:00Z"
            ])
        let saturday = try SilenceFixture.weekly("Nightly", "Saturday", "22:00", "02:00", "Europe/Berlin")
        // Ends on the night clocks go forward: 02:00 does not exist, the first valid instant is 03:00 CEST.
        #expect(
            SilenceFixture.intervals(saturday, from: "2025-03-24T00:00:00Z", days: 7) == [
                "2025-03-29 2025-03-29T21:00:00Z–2025-03-30T01:00:00Z"
            ])
        // Running at 00:30 on Saturday: the occurrence that started on Friday is the one to silence.
        let running = SilenceFixture.intervals(friday, from: "2025-03-28T23:30:00Z", days: 1)
        #expect(running == ["2025-03-28 2025-03-28T21:00:00Z–2025-03-29T01:00:00Z"])
    }

    @Test("a window running right now is silenced from now; the clamped start is not a change on the next run")
    func runningNow() throws {
        let window = try SilenceFixture.weekly("Business hours change", "Monday", "09:00", "17:00", "Europe/Berlin")
        let now = SilenceFixture.date("2025-06-02T10:00:00Z")  // Monday 12:00 CEST
        let plan = SilencePlanner.plan(windows: [window], existing: [], options: SilenceOptions(horizon: 86400), now: now)
        #expect(plan.count(.create) == 1)
        let desired = try #require(plan.actions.first?.desired)
        #expect(Timestamp.format(desired.startsAt) == "2025-06-02T07:00:00Z")
        #expect(Timestamp.format(desired.endsAt) == "2025-06-02T15:00:00Z")
        // Alertmanager moved the start to the time it was created.
        let created = Silence(
            id: "a", state: .active, matchers: desired.matchers, startsAt: now, endsAt: desired.endsAt, updatedAt: now,
            createdBy: "tfdriftctl", comment: desired.comment)
        let later = now.addingTimeInterval(1800)
        let again = SilencePlanner.plan(
            windows: [window], existing: [created], options: SilenceOptions(horizon: 86400), now: later)
        #expect(!again.hasChanges, "\(again.actions.map { ($0.kind, $0.fields) })")
        #expect(again.count(.unchanged) == 1)
        // Someone ends the maintenance early by expiring the silence: it is not brought back.
        var expired = created
        expired.state = .expired
        expired.endsAt = now.addingTimeInterval(600)
        expired.updatedAt = expired.endsAt
        let afterExpiry = SilencePlanner.plan(
            windows: [window], existing: [expired], options: SilenceOptions(horizon: 86400), now: later)
        #expect(!afterExpiry.hasChanges)
        #expect(afterExpiry.count(.endedEarly) == 1)
    }

    @Test("convergence: re-run is unchanged, a changed window updates, a removed window expires, foreign silences are ignored")
    func convergence() throws {
        let now = SilenceFixture.date("2025-12-01T00:00:00Z")
        let windows = try SilenceFixture.windows(
            """
                - name: "Weekly Deployment"
                  days: ["Sunday"]
                  start_time: "02:00"
                  end_time: "06:00"
                  timezone: "Asia/Tokyo"
                - name: "Patch Tuesday"
                  days: [Tue]
                  start_time: "20:00"
                  end_time: "23:00"
                  timezone: "UTC"

            """)
        let options = SilenceOptions(horizon: 14 * 86400)
        let first = SilencePlanner.plan(windows: windows, existing: [], options: options, now: now)
        #expect(first.count(.create) == 4)
        let foreign = Silence(
            id: "foreign", state: .active, matchers: [LabelMatcher(name: "managed_by", op: .equal, value: "tfdriftctl")],
            startsAt: now, endsAt: now.addingTimeInterval(86400), createdBy: "alice",
            comment: "[tfdriftctl window=\"Weekly Deployment\" occurrence=\"2025-12-07\"] copied by hand")
        let untagged = Silence(
            id: "untagged", state: .pending, matchers: [], startsAt: now.addingTimeInterval(3600),
            endsAt: now.addingTimeInterval(7200), createdBy: "tfdriftctl", comment: "made in the UI")
        let existing = SilenceFixture.materialise(first) + [foreign, untagged]
        let second = SilencePlanner.plan(windows: windows, existing: existing, options: options, now: now)
        #expect(!second.hasChanges, "\(second.changes.map { ($0.kind, $0.tag, $0.fields.map(\.path)) })")
        #expect(second.count(.unchanged) == 4)

        // The deployment window moves to 03:00–07:00: same occurrences, new times.
        var changed = windows
        changed[0] = try SilenceFixture.weekly("Weekly Deployment", "Sunday", "03:00", "07:00", "Asia/Tokyo")
        let third = SilencePlanner.plan(windows: changed, existing: existing, options: options, now: now)
        #expect(third.count(.update) == 2 && third.count(.unchanged) == 2 && third.count(.create) == 0)
        let update = try #require(third.actions.first { $0.kind == .update })
        #expect(update.fields.map(\.path) == ["starts_at", "ends_at", "comment"])
        #expect(update.existing?.id == "s2")  // s1 is Patch Tuesday on 2 December, the earliest

        // Patch Tuesday removed: its silences expire; nothing else is touched.
        let fourth = SilencePlanner.plan(windows: [windows[0]], existing: existing, options: options, now: now)
        #expect(fourth.count(.expire) == 2)
        #expect(
            fourth.changes.allSatisfy { $0.tag.window == "Patch Tuesday" && $0.reason == "the window is no longer configured" })
        #expect(!fourth.changes.contains { ["foreign", "untagged"].contains($0.existing?.id ?? "") })

        // Another installation (its own created_by) sees none of these as its own.
        let other = SilencePlanner.plan(
            windows: [], existing: existing, options: SilenceOptions(createdBy: "tfdriftctl-team-b"), now: now)
        #expect(!other.hasChanges)

        // A duplicate (two schedules racing) is expired, the first kept.
        var duplicate = existing[0]
        duplicate.id = "dup"
        let fifth = SilencePlanner.plan(windows: windows, existing: existing + [duplicate], options: options, now: now)
        #expect(fifth.changes.count == 1)
        #expect(fifth.changes.first?.kind == .expire && fifth.changes.first?.reason?.hasPrefix("duplicate of ") == true)
    }

    @Test("a shorter horizon keeps silences already created beyond it")
    func horizonShrinks() throws {
        let now = SilenceFixture.date("2025-12-01T00:00:00Z")
        let window = try SilenceFixture.weekly("Weekly", "Sunday", "02:00", "06:00", "UTC")
        let long = SilencePlanner.plan(windows: [window], existing: [], options: SilenceOptions(horizon: 30 * 86400), now: now)
        #expect(long.count(.create) == 4)
        let short = SilencePlanner.plan(
            windows: [window], existing: SilenceFixture.materialise(long), options: SilenceOptions(horizon: 7 * 86400),
            now: now)
        #expect(!short.hasChanges)
        #expect(short.count(.unchanged) == 4)
    }

    @Test("comment tags round-trip names with quotes and backslashes")
    func tags() {
        let tag = SilenceTag(window: #"Deploy "blue" \ green"#, occurrence: "2025-12-07")
        #expect(SilenceTag.find(in: "Maintenance. \(tag.text)") == tag)
        #expect(SilenceTag.find(in: "no tag here") == nil)
        #expect(SilenceTag.find(in: "[tfdriftctl window=\"broken") == nil)
    }

    @Test(
        "matchers parse like amtool's and fail with the reason",
        arguments: [
            (#"managed_by="tfdriftctl""#, "managed_by", LabelMatcher.Operator.equal, "tfdriftctl"),
            (#"severity=~"critical|high""#, "severity", .regex, "critical|high"),
            ("team!=platform", "team", .notEqual, "platform"),
            (#"alertname!~"Drift.*""#, "alertname", .notRegex, "Drift.*"),
        ])
    func matchers(text: String, name: String, op: LabelMatcher.Operator, value: String) throws {
        let matcher = try LabelMatcher.parse(text).get()
        #expect(matcher == LabelMatcher(name: name, op: op, value: value))
        #expect(try LabelMatcher.parse(matcher.description).get() == matcher)
    }

    @Test("advanced.silences: strict keys with did-you-mean, validated matchers and durations")
    func config() throws {
        let config = try ConfigLoader.parse(
            yaml: """
                advanced:
                  silences:
                    horizon: 30d
                    matchers: ['managed_by="tfdriftctl"', 'severity=~"critical|high"']
                    keep_filled: true
                    interval: 30m
                    created_by: tfdriftctl-platform
                """)
        #expect(config.silences.horizon == 30 * 86400)
        #expect(config.silences.matchers.count == 2)
        #expect(config.silences.keepFilled && config.silences.interval == 1800)
        #expect(config.silences.createdBy == "tfdriftctl-platform")
        #expect(config.silences.target == .auto)

        let typo = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "advanced:\n  silences:\n    horizn: 7d\n")
        }
        #expect("\(typo!)".contains("did you mean horizon?"), "\(typo!)")
        let badMatcher = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "advanced:\n  silences:\n    matchers: ['severity=~\"(\"']\n")
        }
        #expect("\(badMatcher!)".contains("not a valid regular expression"), "\(badMatcher!)")
        let onlyNegative = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "advanced:\n  silences:\n    matchers: ['team!=\"x\"']\n")
        }
        #expect("\(onlyNegative!)".contains("at least one matcher must be = or =~"))
        let noUID = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "advanced:\n  silences:\n    target: datasource\n")
        }
        #expect("\(noUID!)".contains("datasource_uid"))
    }
}
