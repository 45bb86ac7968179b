import Foundation
import Testing
import TfdriftCore

@Suite("timestamps, durations and maintenance windows")
struct TimeTests {
    @Test(
        "RFC 3339 variants CloudTrail, moto and Falco write",
        arguments: [
            ("2023-07-10T12:40:05Z", 1_688_992_805.0),
            ("2023-07-10T12:40:05.500Z", 1_688_992_805.5),
            ("2026-11-28T07:01:41.301462", 1_795_849_301.301462),
            ("2023-07-10T21:40:05+09:00", 1_688_992_805.0),
            ("2026-07-22T14:24:41.000000000Z", 1_784_730_281.0),
        ])
    func parse(text: String, expected: Double) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - expected) < 0.000_01)
    }

    @Test(
        "invalid timestamps are rejected",
        arguments: ["", "2023-13-01T00:00:00Z", "2023-07-10", "yesterday", "2023-07-10T12:40:05Zjunk"])
    func rejects(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("formatting round-trips")
    func format() {
        let date = Date(timeIntervalSince1970: 1_688_992_805.25)
        #expect(Timestamp.format(date) == "2023-07-10T12:40:05Z")
        #expect(Timestamp.format(date, fractional: true) == "2023-07-10T12:40:05.250Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }

    @Test("durations", arguments: [("5m", 300.0), ("1h30m", 5400), ("90s", 90), ("2d", 172_800), ("500ms", 0.5), ("10", 10)])
    func durations(text: String, seconds: Double) {
        #expect(DurationParser.seconds(text) == seconds)
    }

    static func date(_ text: String) -> Date { Timestamp.parse(text)! }

    @Test("weekly window in Asia/Tokyo (no DST): Sunday 02:00–06:00 JST is Saturday 17:00–21:00 UTC")
    func tokyo() {
        let window = MaintenanceWindow(
            name: "Weekly Deployment",
            schedule: .weekly(weekdays: [1], startMinute: 120, endMinute: 360, timeZone: TimeZone(identifier: "Asia/Tokyo")!))
        #expect(window.contains(Self.date("2025-12-06T17:00:00Z")))
        #expect(window.contains(Self.date("2025-12-06T20:59:59Z")))
        #expect(!window.contains(Self.date("2025-12-06T21:00:00Z")))
        #expect(!window.contains(Self.date("2025-12-06T16:59:59Z")))
        #expect(!window.contains(Self.date("2025-12-07T17:30:00Z")))  // Monday in Tokyo
        let occurrences = window.occurrences(from: Self.date("2025-12-01T00:00:00Z"), to: Self.date("2025-12-15T00:00:00Z"))
        #expect(occurrences.map { Timestamp.format($0.start) } == ["2025-12-06T17:00:00Z", "2025-12-13T17:00:00Z"])
    }

    @Test("America/New_York across DST: the same wall-clock window moves by an hour in UTC")
    func newYork() {
        let window = MaintenanceWindow(
            name: "nightly",
            schedule: .weekly(
                weekdays: Set(1...7), startMinute: 60, endMinute: 180, timeZone: TimeZone(identifier: "America/New_York")!))
        // 2026-03-08 is the spring-forward day (02:00 → 03:00): 01:00 EST = 06:00Z, 03:00 EDT = 07:00Z.
        let occurrences = window.occurrences(from: Self.date("2026-03-07T00:00:00Z"), to: Self.date("2026-03-10T00:00:00Z"))
        #expect(
            occurrences.map { Timestamp.format($0.start) } == [
                "2026-03-07T06:00:00Z", "2026-03-08T06:00:00Z", "2026-03-09T05:00:00Z",
            ])
        #expect(Int(occurrences[1].duration.rounded()) == 3600)  // the skipped hour makes that night's window one hour long
        #expect(Int(occurrences[2].duration.rounded()) == 7200)
    }

    @Test("Europe/Berlin fall-back: a window spanning the repeated hour lasts an hour longer")
    func berlin() {
        let window = MaintenanceWindow(
            name: "sunday",
            schedule: .weekly(weekdays: [1], startMinute: 60, endMinute: 240, timeZone: TimeZone(identifier: "Europe/Berlin")!))
        // 2026-10-25: 03:00 CEST → 02:00 CET. 01:00 CEST = 23:00Z (24th), 04:00 CET = 03:00Z.
        let occurrence = window.occurrences(from: Self.date("2026-10-24T00:00:00Z"), to: Self.date("2026-10-26T00:00:00Z"))
        #expect(occurrence.map { Timestamp.format($0.start) } == ["2026-10-24T23:00:00Z"])
        #expect(occurrence.first.map { Int($0.duration.rounded()) } == 4 * 3600)
    }

    @Test("an overnight window (22:00–02:00) runs into the next day")
    func overnight() {
        let window = MaintenanceWindow(
            name: "overnight",
            schedule: .weekly(weekdays: [6], startMinute: 22 * 60, endMinute: 120, timeZone: TimeZone(identifier: "UTC")!))
        #expect(window.contains(Self.date("2026-11-27T23:30:00Z")))  // Friday night
        #expect(window.contains(Self.date("2026-11-28T01:59:00Z")))  // early Saturday, same occurrence
        #expect(!window.contains(Self.date("2026-11-28T02:00:00Z")))
        #expect(!window.contains(Self.date("2026-11-28T23:30:00Z")))  // Saturday night is not in the window
    }

    @Test("one-off windows are half-open")
    func oneOff() {
        let window = MaintenanceWindow(
            name: "Emergency Maintenance",
            schedule: .oneOff(start: Self.date("2025-12-10T20:00:00Z"), end: Self.date("2025-12-10T23:00:00Z")))
        #expect(window.contains(Self.date("2025-12-10T20:00:00Z")))
        #expect(!window.contains(Self.date("2025-12-10T23:00:00Z")))
    }
}
