public import LogboxCore

/// The timestamp notations Logbox reads.
public enum TimestampFormat: Sendable, Hashable, CaseIterable {
    /// RFC 3339 / ISO 8601 with a zone: `2026-11-01T00:02:41.123456+05:30`.
    case rfc3339
    /// ISO 8601 without a zone, read in a configured zone: `2026-11-01 00:02:41,123`.
    case isoLocal
    /// BSD syslog (RFC 3164): `Nov  1 00:02:41`, no year, no zone.
    case bsd
    /// The nginx/apache access log time, without its brackets: `10/Oct/2000:13:55:36 -0700`.
    case httpDate
    /// Unix time: 10 digits of seconds (optionally with a fraction), 13 of ms, 16 of µs, 19 of ns.
    case epoch
}

/// Byte-level timestamp parsers.
///
/// Each takes a span and the index where the timestamp should start, and returns the value and
/// the index just past it, or nil when the bytes there are not that format. They never allocate
/// and never trap, whatever the bytes; the caller decides what may follow the timestamp.
/// Dates are checked (month 1...12, day within its month, hour < 24, minute < 60, second <= 60
/// with a leap second read as :59) and values must fit `Int64` nanoseconds (years 1677...2262).
public enum TimestampParser {
    /// RFC 3339 / ISO 8601 with a zone.
    ///
    /// Accepts `T`, `t` or a space between date and time; a fraction of 1...9 digits after `.`
    /// or `,` (its length kept as `fractionDigits`); and `Z`, `z`, `+hh:mm`, `+hhmm` or `+hh`.
    /// Returns nil when there is no zone (see `parseISOLocal`).
    /// - Complexity: O(1), at most 35 bytes read.
    public static func parseRFC3339(_ span: Span<UInt8>, from index: Int) -> (value: TimestampValue, end: Int)? {
        guard let fields = Self.isoFields(span, index), fields.offset != nil,
            let value = Self.isoValue(fields, zone: .utc)
        else { return nil }
        return (value, fields.end)
    }

    /// ISO 8601 date and time without a zone (`2026-11-01 00:02:41,123`, `2026-11-01T00:02:41.123`),
    /// read as wall-clock time in `zone`.
    ///
    /// If the text does carry a zone, that zone wins. A time in a DST gap or overlap resolves as
    /// `TimeZoneRules.utcSeconds(fromLocal:)` documents (gap: offset before it; overlap: earlier).
    /// - Complexity: O(1) bytes read plus one zone lookup, O(log n) in the zone's transitions.
    public static func parseISOLocal(
        _ span: Span<UInt8>,
        from index: Int,
        zone: TimeZoneRules
    ) -> (value: TimestampValue, end: Int)? {
        guard let fields = Self.isoFields(span, index), let value = Self.isoValue(fields, zone: zone) else {
            return nil
        }
        return (value, fields.end)
    }

    /// The nginx/apache `$time_local`: `10/Oct/2000:13:55:36 -0700`, without brackets.
    ///
    /// The day has two digits, the month is `Oct`, `OCT` or `oct`, the offset `+hhmm` (also `+hh:mm`);
    /// a fraction after the seconds (`:36.123 -0700`) is accepted as some configurations log it.
    /// - Complexity: O(1), at most 36 bytes read.
    public static func parseHTTPDate(_ span: Span<UInt8>, from index: Int) -> (value: TimestampValue, end: Int)? {
        typealias B = TimestampBytes
        guard index >= 0, index < span.count else { return nil }  // so index + k cannot overflow
        let i = index
        let day = B.twoDigits(span, i)
        let month = B.month(span, i + 3)
        let year = B.fourDigits(span, i + 7)
        guard day >= 1, month != 0, year >= 0,
            B.byte(span, i + 2) == UInt8(ascii: "/"), B.byte(span, i + 6) == UInt8(ascii: "/"),
            B.byte(span, i + 11) == UInt8(ascii: ":"),
            day <= daysInMonth(year: Int64(year), month: month),
            let clock = B.clock(span, i + 12)
        else { return nil }
        var j = i + 20
        var nanoseconds: Int64 = 0
        var digits: Int8 = 0
        let separator = B.byte(span, j)
        if separator == UInt8(ascii: ".") || separator == UInt8(ascii: ",") {
            guard let fraction = B.fraction(span, j + 1) else { return nil }
            (nanoseconds, digits, j) = fraction
        }
        // The offset has four digits (`-0700`; `-07:00` also read), never `Z` or `-07` alone.
        guard B.byte(span, j) == UInt8(ascii: " "), let zone = B.zoneOffset(span, j + 1), zone.end - j >= 6
        else { return nil }
        let local = secondsFromCivil(
            year: Int64(year),
            month: month,
            day: day,
            hour: clock.hour,
            minute: clock.minute,
            second: clock.second
        )
        guard let value = B.value(seconds: local - Int64(zone.offset), nanoseconds: nanoseconds, digits: digits)
        else { return nil }
        return (value, zone.end)
    }

    /// Unix time as digits: 10 (seconds), 13 (milliseconds), 16 (microseconds) or 19 (nanoseconds),
    /// or 10 digits of seconds with a fraction of 1...9 digits (`1700000000.123`).
    ///
    /// Other digit counts are rejected: they are more likely ids or sizes than times.
    /// `fractionDigits` is 0, 3, 6 or 9 for the plain forms and the fraction's length otherwise.
    /// - Complexity: O(1), at most 30 bytes read.
    public static func parseEpoch(_ span: Span<UInt8>, from index: Int) -> (value: TimestampValue, end: Int)? {
        typealias B = TimestampBytes
        guard index >= 0, index < span.count else { return nil }  // so index + k cannot overflow
        var value: UInt64 = 0
        var j = index
        while true {
            let d = B.digit(span, j)
            if d < 0 { break }
            guard j - index < 19 else { return nil }
            value = value * 10 + UInt64(d)
            j += 1
        }
        let count = j - index
        switch count {
        case 10:
            let separator = B.byte(span, j)
            if separator == UInt8(ascii: "."), B.digit(span, j + 1) >= 0 {
                guard let fraction = B.fraction(span, j + 1),
                    let result = B.value(
                        seconds: Int64(value),
                        nanoseconds: fraction.nanoseconds,
                        digits: fraction.digits
                    )
                else { return nil }
                return (result, fraction.end)
            }
            guard let result = B.value(seconds: Int64(value), nanoseconds: 0, digits: 0) else { return nil }
            return (result, j)
        case 13, 16, 19:
            // At most 19 digits: fits UInt64; the scaled value must fit Int64 nanoseconds.
            let scale: UInt64 = count == 13 ? 1_000_000 : count == 16 ? 1_000 : 1
            let (nanoseconds, overflow) = value.multipliedReportingOverflow(by: scale)
            guard !overflow, nanoseconds <= UInt64(Int64.max) else { return nil }
            return (TimestampValue(nanoseconds: Int64(nanoseconds), fractionDigits: Int8(count - 10)), j)
        default:
            return nil
        }
    }

    /// Parses one given format; `inference` supplies the year for `.bsd` and the zone for `.isoLocal`.
    public static func parse(
        _ format: TimestampFormat,
        _ span: Span<UInt8>,
        from index: Int,
        inference: inout YearInference
    ) -> (value: TimestampValue, end: Int)? {
        switch format {
        case .rfc3339: Self.parseRFC3339(span, from: index)
        case .isoLocal: Self.parseISOLocal(span, from: index, zone: inference.zone)
        case .bsd: Self.parseBSD(span, from: index, inference: &inference)
        case .httpDate: Self.parseHTTPDate(span, from: index)
        case .epoch: Self.parseEpoch(span, from: index)
        }
    }

    /// Recognizes any supported format by its first bytes, for values of keys like `ts` and `time`.
    ///
    /// Four digits and `-` mean ISO 8601 (with a zone `.rfc3339`, else `.isoLocal` in
    /// `inference.zone`); two digits and `/` an HTTP date; other digits Unix time; a letter a BSD
    /// syslog time whose year `inference` supplies. Only one parser runs per call.
    /// - Complexity: O(1).
    public static func parseAny(
        _ span: Span<UInt8>,
        from index: Int,
        inference: inout YearInference
    ) -> (value: TimestampValue, format: TimestampFormat, end: Int)? {
        typealias B = TimestampBytes
        guard index >= 0, index < span.count else { return nil }  // so index + k cannot overflow
        let first = B.byte(span, index)
        if B.digit(span, index) >= 0 {
            if B.byte(span, index + 4) == UInt8(ascii: "-") {
                guard let fields = Self.isoFields(span, index),
                    let value = Self.isoValue(fields, zone: inference.zone)
                else { return nil }
                return (value, fields.offset == nil ? .isoLocal : .rfc3339, fields.end)
            }
            if B.byte(span, index + 2) == UInt8(ascii: "/") {
                return Self.parseHTTPDate(span, from: index).map { ($0.value, .httpDate, $0.end) }
            }
            return Self.parseEpoch(span, from: index).map { ($0.value, .epoch, $0.end) }
        }
        if (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z") {
            return Self.parseBSD(span, from: index, inference: &inference).map { ($0.value, .bsd, $0.end) }
        }
        return nil
    }

    // MARK: ISO 8601 fields

    struct ISOFields {
        var year: Int64
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int
        var nanoseconds: Int64
        var digits: Int8
        /// Seconds east of UTC when the text has a zone.
        var offset: Int32?
        var end: Int
    }

    /// The instant of validated fields: with their own offset when they have one, else in `zone`.
    static func isoValue(_ fields: ISOFields, zone: TimeZoneRules) -> TimestampValue? {
        let local = secondsFromCivil(
            year: fields.year,
            month: fields.month,
            day: fields.day,
            hour: fields.hour,
            minute: fields.minute,
            second: fields.second
        )
        let utc = fields.offset.map { local - Int64($0) } ?? zone.utcSeconds(fromLocal: local)
        return TimestampBytes.value(seconds: utc, nanoseconds: fields.nanoseconds, digits: fields.digits)
    }

    /// `YYYY-MM-DD[Tt ]hh:mm:ss[(.|,)f{1,9}][zone]`, validated.
    static func isoFields(_ span: Span<UInt8>, _ index: Int) -> ISOFields? {
        typealias B = TimestampBytes
        guard index >= 0, index < span.count else { return nil }  // so index + k cannot overflow
        let i = index
        let year = B.fourDigits(span, i)
        let month = B.twoDigits(span, i + 5)
        let day = B.twoDigits(span, i + 8)
        let separator = B.byte(span, i + 10)
        guard year >= 0, month >= 1, month <= 12, day >= 1,
            B.byte(span, i + 4) == UInt8(ascii: "-"), B.byte(span, i + 7) == UInt8(ascii: "-"),
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " "),
            day <= daysInMonth(year: Int64(year), month: month),
            let clock = B.clock(span, i + 11)
        else { return nil }
        var fields = ISOFields(
            year: Int64(year),
            month: month,
            day: day,
            hour: clock.hour,
            minute: clock.minute,
            second: clock.second,
            nanoseconds: 0,
            digits: 0,
            offset: nil,
            end: i + 19
        )
        let next = B.byte(span, fields.end)
        if next == UInt8(ascii: ".") || next == UInt8(ascii: ",") {
            guard let fraction = B.fraction(span, fields.end + 1) else { return nil }
            (fields.nanoseconds, fields.digits, fields.end) = fraction
        }
        let zoneStart = B.byte(span, fields.end)
        if zoneStart == UInt8(ascii: "Z") || zoneStart == UInt8(ascii: "z") || zoneStart == UInt8(ascii: "+")
            || zoneStart == UInt8(ascii: "-")
        {
            guard let zone = B.zoneOffset(span, fields.end) else { return nil }
            fields.offset = zone.offset
            fields.end = zone.end
        }
        return fields
    }
}
