import Foundation

/// RFC 3339 parsing and formatting without `DateFormatter` (slow, and locale-sensitive on Linux).
/// CloudTrail writes `2023-07-10T12:40:05Z`; moto and some tools omit the `Z` or add fractions.
public enum Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`; a missing zone is read as UTC.
    public static func parse(_ text: String) -> Date? {
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBufferPointer { parse(UnsafeBufferPointer($0)) }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        let count = bytes.count
        guard count >= 19 else { return nil }
        func digits(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for index in start..<(start + length) {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = digits(0, 4), bytes[4] == 45, let month = digits(5, 2), bytes[7] == 45,
            let day = digits(8, 2), bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32,
            let hour = digits(11, 2), bytes[13] == 58, let minute = digits(14, 2), bytes[16] == 58,
            let second = digits(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < count, bytes[index] == 46 {
            index += 1
            var scale = 0.1
            while index < count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < count {
            let sign = bytes[index]
            if sign == 90 || sign == 122 {
                index += 1
            } else if sign == 43 || sign == 45, index + 6 <= count, let oh = digits(index + 1, 2),
                bytes[index + 3] == 58, let om = digits(index + 4, 2)
            {
                offsetSeconds = (oh * 3600 + om * 60) * (sign == 45 ? -1 : 1)
                index += 6
            } else {
                return nil
            }
        }
        guard index == count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// `2023-07-10T12:40:05Z` (whole seconds) or with milliseconds when `fractional`.
    public static func format(_ date: Date, fractional: Bool = false) -> String {
        let interval = date.timeIntervalSince1970
        let whole = Int(interval.rounded(.down))
        let days = whole >= 0 ? whole / 86400 : (whole - 86399) / 86400
        let secondsOfDay = whole - days * 86400
        let (year, month, day) = civilFromDays(days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        var text =
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondsOfDay / 3600, 2)):"
            + "\(pad(secondsOfDay % 3600 / 60, 2)):\(pad(secondsOfDay % 60, 2))"
        if fractional {
            let millis = Int(((interval - Double(whole)) * 1000).rounded(.down))
            text += ".\(pad(millis, 3))"
        }
        return text + "Z"
    }

    // Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
