import LogboxCore
public import LogboxParse

/// Times as people type them for `--since`/`--until` and alert windows, in nanoseconds since the epoch.
///
/// - Relative, meaning that long before `now`: `30s`, `15m`, `2h`, `7d`, `1w`, and sums such as
///   `1h30m`.
/// - `now`; `today` and `yesterday` are midnight (local time in `zone`) starting that day.
/// - RFC 3339 with a zone: `2026-11-29T14:00:00Z`, `2026-11-29T14:00:00.5+01:00`.
/// - Without a zone, local time in `zone`: `2026-11-29` (midnight), `2026-11-29T14:00`,
///   `2026-11-29 14:00`, `2026-11-29 14:00:05`. A local time that falls in a DST gap or overlap
///   resolves as `TimeZoneRules.utcSeconds(fromLocal:)` documents.
/// - Unix time as 10 (seconds), 13 (ms), 16 (µs) or 19 (ns) digits, for scripts.
public enum TimeExpression {
    /// Reads `text` (surrounding spaces ignored); `now` is the current time in ns since the epoch.
    /// - Throws: `QueryError` of kind `.invalid`, without a column, when `text` is none of the forms.
    public static func parse(_ text: String, now: Int64, zone: TimeZoneRules) throws(QueryError) -> Int64 {
        let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        switch trimmed.lowercased() {
        case "now": return now
        case "today": if let t = Self.localMidnight(now: now, daysBack: 0, zone: zone) { return t }
        case "yesterday": if let t = Self.localMidnight(now: now, daysBack: 1, zone: zone) { return t }
        default: break
        }
        if let duration = Self.duration(trimmed) {
            let (value, overflow) = now.subtractingReportingOverflow(duration)
            if !overflow { return value }
        } else if let value = Self.absolute(trimmed, zone: zone) {
            return value
        }
        throw QueryError(
            .invalid,
            "'\(text)' is not a time",
            hint: "write 15m, 2h, 7d or 1w (ago), now, today, yesterday, a local 2026-11-29 or "
                + "2026-11-29 14:00, or 2026-11-29T14:00:00Z"
        )
    }

    /// `15m`, `1h30m`: whole numbers each followed by `s`, `m`, `h`, `d` or `w`, in nanoseconds.
    static func duration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var value: Int64 = 0
        var digits = 0
        var parts = 0
        for s in text.unicodeScalars {
            if QueryScanner.isDigit(s) {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int64(s.value - 0x30))
                guard !o1, !o2 else { return nil }
                value = sum
                digits += 1
                continue
            }
            let seconds: Int64
            switch s {
            case "s": seconds = 1
            case "m": seconds = 60
            case "h": seconds = 3_600
            case "d": seconds = 86_400
            case "w": seconds = 604_800
            default: return nil
            }
            guard digits > 0 else { return nil }
            let (part, o1) = value.multipliedReportingOverflow(by: seconds * 1_000_000_000)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return nil }
            total = sum
            value = 0
            digits = 0
            parts += 1
        }
        return parts > 0 && digits == 0 ? total : nil
    }

    /// Midnight local time `daysBack` days before the local day containing `now`.
    static func localMidnight(now: Int64, daysBack: Int64, zone: TimeZoneRules) -> Int64? {
        let seconds = now >= 0 ? now / 1_000_000_000 : (now + 1) / 1_000_000_000 - 1
        let local = seconds + Int64(zone.offset(atUTC: seconds))
        let day = (local >= 0 ? local / 86_400 : (local + 1) / 86_400 - 1) - daysBack
        let utc = zone.utcSeconds(fromLocal: day * 86_400)
        let (value, overflow) = utc.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? nil : value
    }

    /// ISO 8601 dates and times, with or without a zone, and Unix time.
    static func absolute(_ text: String, zone: TimeZoneRules) -> Int64? {
        var bytes = Array(text.utf8)
        guard bytes.count >= 10, bytes.count <= 40 else { return nil }
        if bytes.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) {
            guard let epoch = TimestampParser.parseEpoch(bytes.span, from: 0), epoch.end == bytes.count else {
                return nil
            }
            return epoch.value.nanoseconds
        }
        if bytes.count == 10 {
            bytes += Array("T00:00:00".utf8)  // a date alone is its midnight
        } else if bytes.count >= 16, bytes[13] == UInt8(ascii: ":"), bytes.count == 16 || bytes[16] != UInt8(ascii: ":")
        {
            bytes.insert(contentsOf: Array(":00".utf8), at: 16)  // hh:mm without seconds
        }
        guard let parsed = TimestampParser.parseISOLocal(bytes.span, from: 0, zone: zone), parsed.end == bytes.count
        else { return nil }
        return parsed.value.nanoseconds
    }
}
