import LogboxCore
import LogboxParse

/// Times as a person at a terminal reads them: local, without the `T` and the zone.
///
/// Machine formats (JSON, CSV) stay RFC 3339 UTC; only the table and the histogram use this.
struct QueryLocalTime {
    let zone: TimeZoneRules

    /// `2026-11-01 00:00:01.035`: to the millisecond.
    func milliseconds(_ nanoseconds: Int64) -> String {
        let (seconds, fraction) = Self.split(nanoseconds)
        let milliseconds = fraction / 1_000_000
        return self.minutes(seconds: seconds, withSeconds: true) + "." + Self.digits(milliseconds, 3)
    }

    /// `2026-11-01 00:00`: to the minute, for the histogram's ends.
    func minutes(_ nanoseconds: Int64) -> String {
        self.minutes(seconds: Self.split(nanoseconds).seconds, withSeconds: false)
    }

    /// `2026-11-01 00:00:01`: to the second, for result tables.
    func seconds(_ nanoseconds: Int64) -> String {
        self.minutes(seconds: Self.split(nanoseconds).seconds, withSeconds: true)
    }

    private func minutes(seconds utc: Int64, withSeconds: Bool) -> String {
        let local = utc + Int64(self.zone.offset(atUTC: utc))
        var days = local / 86_400
        var second = local % 86_400
        if second < 0 {
            second += 86_400
            days -= 1
        }
        let date = civilFromDays(days)
        var text =
            "\(Self.digits(date.year, 4))-\(Self.digits(Int64(date.month), 2))-\(Self.digits(Int64(date.day), 2))"
        text += " \(Self.digits(second / 3600, 2)):\(Self.digits(second / 60 % 60, 2))"
        if withSeconds { text += ":\(Self.digits(second % 60, 2))" }
        return text
    }

    private static func split(_ nanoseconds: Int64) -> (seconds: Int64, fraction: Int64) {
        var seconds = nanoseconds / 1_000_000_000
        var fraction = nanoseconds % 1_000_000_000
        if fraction < 0 {
            fraction += 1_000_000_000
            seconds -= 1
        }
        return (seconds, fraction)
    }

    private static func digits(_ value: Int64, _ count: Int) -> String {
        let text = String(value)
        return text.count >= count ? text : String(repeating: "0", count: count - text.count) + text
    }
}
