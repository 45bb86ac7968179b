import Foundation

/// A maintenance window from `advanced.maintenance_windows` (seed 3.3): weekly in a named time zone,
/// or one-off between two RFC 3339 instants.
public struct MaintenanceWindow: Sendable, Equatable {
    public enum Schedule: Sendable, Equatable {
        /// `weekdays` uses Calendar numbering (1 = Sunday … 7 = Saturday). Minutes are since local
        /// midnight; `endMinute <= startMinute` means the window runs overnight into the next day.
        case weekly(weekdays: Set<Int>, startMinute: Int, endMinute: Int, timeZone: TimeZone)
        case oneOff(start: Date, end: Date)
    }

    public var name: String
    public var schedule: Schedule

    public init(name: String, schedule: Schedule) {
        self.name = name
        self.schedule = schedule
    }

    /// Whether `instant` falls inside the window (start inclusive, end exclusive).
    public func contains(_ instant: Date) -> Bool {
        switch schedule {
        case .oneOff(let start, let end):
            return instant >= start && instant < end
        case .weekly:
            // An occurrence that contains the instant started at most a day before it.
            return occurrences(from: instant.addingTimeInterval(-2 * 86400), to: instant.addingTimeInterval(1))
                .contains { $0.start <= instant && instant < $0.end }
        }
    }

    /// Every occurrence whose start lies in `[from, to)`, in UTC instants, DST-correct: local wall-clock
    /// times are resolved in the window's zone on each day (a start inside a spring-forward gap moves
    /// to the first valid instant after it).
    public func occurrences(from: Date, to: Date) -> [DateInterval] {
        switch schedule {
        case .oneOff(let start, let end):
            return start >= from && start < to ? [DateInterval(start: start, end: end)] : []
        case .weekly(let weekdays, let startMinute, let endMinute, let zone):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            var result: [DateInterval] = []
            var day = calendar.startOfDay(for: from.addingTimeInterval(-86400))
            while day < to {
                let weekday = calendar.component(.weekday, from: day)
                if weekdays.contains(weekday),
                    let start = Self.localTime(on: day, minute: startMinute, calendar: calendar)
                {
                    let endDay = endMinute <= startMinute ? calendar.date(byAdding: .day, value: 1, to: day) ?? day : day
                    if let end = Self.localTime(on: endDay, minute: endMinute, calendar: calendar),
                        start >= from, start < to, end > start
                    {
                        result.append(DateInterval(start: start, end: end))
                    }
                }
                guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
                day = next
            }
            return result
        }
    }

    static func localTime(on day: Date, minute: Int, calendar: Calendar) -> Date? {
        var components = calendar.dateComponents([.year, .month, .day], from: day)
        components.hour = minute / 60
        components.minute = minute % 60
        components.second = 0
        // `.nextTime` resolves a wall-clock time skipped by a spring-forward change to the first valid
        // instant; for repeated (fall-back) hours Calendar picks the first occurrence.
        return calendar.nextDate(
            after: calendar.startOfDay(for: day).addingTimeInterval(-1), matching: components,
            matchingPolicy: .nextTime, repeatedTimePolicy: .first, direction: .forward)
    }
}

public enum Weekday {
    static let names: [String: Int] = [
        "sunday": 1, "sun": 1, "monday": 2, "mon": 2, "tuesday": 3, "tue": 3, "tues": 3,
        "wednesday": 4, "wed": 4, "thursday": 5, "thu": 5, "thur": 5, "thurs": 5,
        "friday": 6, "fri": 6, "saturday": 7, "sat": 7,
    ]
    public static func number(_ name: String) -> Int? { names[name.lowercased()] }
    public static let canonical = ["", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
}
