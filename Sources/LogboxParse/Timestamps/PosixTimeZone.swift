import LogboxCore

/// A parsed POSIX `TZ` string: a standard offset and, optionally, a daylight-saving rule.
///
/// Grammar (POSIX.1-2017 §8.3 with the RFC 8536 extension of rule times to -167...167 hours):
/// `std offset [dst [offset] [,start[/time],end[/time]]]`, names either 3+ letters or `<...>`
/// holding letters, digits, `+` and `-`; offsets are hours WEST of UTC (`EST5`); dates are `Jn`
/// (1...365, February 29 never counted), `n` (0...365, counting February 29) or `Mm.w.d`
/// (weekday `d`, 0 = Sunday, of week `w` 1...5 of month `m`, 5 meaning the last). A `dst` name
/// without a rule takes the US rule `M3.2.0,M11.1.0`, as glibc does.
struct PosixTimeZone: Sendable, Hashable {
    /// Standard time, seconds east of UTC.
    var standardOffset: Int32
    var daylight: DaylightRule?

    struct DaylightRule: Sendable, Hashable {
        /// Daylight-saving time, seconds east of UTC.
        var offset: Int32
        var start: RuleDate
        /// Seconds after local midnight (standard time) of the start date.
        var startTime: Int32
        var end: RuleDate
        /// Seconds after local midnight (daylight time) of the end date.
        var endTime: Int32
    }

    enum RuleDate: Sendable, Hashable {
        case julianNoLeap(Int)  // Jn, 1...365
        case zeroBased(Int)  // n, 0...365
        case monthWeekDay(month: Int, week: Int, day: Int)

        /// Day number (days since 1970-01-01) of this date in `year`.
        func dayNumber(in year: Int64) -> Int64 {
            switch self {
            case .julianNoLeap(let n):
                let jan1 = daysFromCivil(year: year, month: 1, day: 1)
                return jan1 + Int64(n - 1) + (isLeapYear(year) && n >= 60 ? 1 : 0)
            case .zeroBased(let n):
                return daysFromCivil(year: year, month: 1, day: 1) + Int64(n)
            case .monthWeekDay(let month, let week, let day):
                let first = daysFromCivil(year: year, month: month, day: 1)
                let delta = (day - weekday(days: first) + 7) % 7
                var result = first + Int64(delta + (week - 1) * 7)
                let monthEnd = first + Int64(daysInMonth(year: year, month: month))
                while result >= monthEnd { result -= 7 }
                return result
            }
        }
    }

    /// The larger of the two offsets: a transition at UTC `t` moves wall clocks at local `t + this`.
    var maximumOffset: Int32 {
        max(self.standardOffset, self.daylight?.offset ?? self.standardOffset)
    }

    /// UTC instants at which daylight time starts and ends in `year`.
    func transitions(inYear year: Int64) -> (start: Int64, end: Int64)? {
        guard let rule = self.daylight else { return nil }
        let start = rule.start.dayNumber(in: year) * 86_400 + Int64(rule.startTime) - Int64(self.standardOffset)
        let end = rule.end.dayNumber(in: year) * 86_400 + Int64(rule.endTime) - Int64(rule.offset)
        return (start, end)
    }

    /// Year of the standard-time calendar at UTC `t`; the year whose rule dates are nearest.
    private func year(aroundUTC t: Int64) -> Int64 {
        let local = t + Int64(self.standardOffset)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return civilFromDays(days).year
    }

    /// Offset in effect at UTC `t` (|t| at most 2^60).
    ///
    /// Looks at the rule's transitions of the neighbouring years too, so rules whose times spill
    /// over a new year (`J365/25`) still resolve; on equal instants the later year's wins.
    func offset(atUTC t: Int64) -> Int32 {
        guard let rule = self.daylight else { return self.standardOffset }
        var bestTime = Int64.min
        var best = self.standardOffset
        let year = self.year(aroundUTC: t)
        for y in (year - 1)...(year + 1) {
            guard let (start, end) = self.transitions(inYear: y) else { break }
            if start <= t && start >= bestTime {
                bestTime = start
                best = rule.offset
            }
            if end <= t && end >= bestTime {
                bestTime = end
                best = self.standardOffset
            }
        }
        return best
    }

    /// Offset to subtract from local wall-clock `local` (|local| at most 2^60) to get UTC, and the
    /// wall-clock interval around it over which that offset holds.
    ///
    /// A transition at UTC `t` takes effect on the wall clock at `t + maximumOffset`: before it
    /// the old offset applies, so a time in a gap is read with the offset before the gap and an
    /// ambiguous time resolves to the earlier instant.
    func resolve(local: Int64) -> (offset: Int32, from: Int64, until: Int64) {
        guard let rule = self.daylight else { return (self.standardOffset, Int64.min, Int64.max) }
        let shift = Int64(self.maximumOffset)
        var bestBoundary = Int64.min
        var nextBoundary = Int64.max
        var best = self.standardOffset
        var foundBest = false
        let year = self.year(aroundUTC: local - Int64(self.standardOffset))
        for y in (year - 1)...(year + 1) {
            guard let (start, end) = self.transitions(inYear: y) else { break }
            let startBoundary = start + shift
            let endBoundary = end + shift
            if startBoundary <= local {
                if startBoundary >= bestBoundary {
                    bestBoundary = startBoundary
                    best = rule.offset
                    foundBest = true
                }
            } else {
                nextBoundary = min(nextBoundary, startBoundary)
            }
            if endBoundary <= local {
                if endBoundary >= bestBoundary {
                    bestBoundary = endBoundary
                    best = self.standardOffset
                    foundBest = true
                }
            } else {
                nextBoundary = min(nextBoundary, endBoundary)
            }
        }
        guard foundBest, nextBoundary != Int64.max else { return (best, local, local + 1) }
        return (best, bestBoundary, nextBoundary)
    }
}

// MARK: - Parsing

extension PosixTimeZone {
    /// Parses a POSIX `TZ` string; `zone` names it in errors.
    init(parsing text: String, zone: String) throws(TimeZoneError) {
        var parser = PosixParser(bytes: Array(text.utf8), zone: zone)
        self = try parser.parse()
    }
}

private struct PosixParser {
    let bytes: [UInt8]
    let zone: String
    var index = 0

    init(bytes: [UInt8], zone: String) {
        self.bytes = bytes
        self.zone = zone
    }

    var atEnd: Bool { self.index >= self.bytes.count }
    var current: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

    func fail(_ what: String) -> TimeZoneError {
        TimeZoneError(zone: self.zone, reason: "\(what) at byte \(self.index + 1) of the POSIX TZ string")
    }

    mutating func parse() throws(TimeZoneError) -> PosixTimeZone {
        try self.name("standard time name")
        let standardWest = try self.signedTime(maxHours: 24, what: "standard offset")
        let standard = Int32(-standardWest)
        if self.atEnd { return PosixTimeZone(standardOffset: standard, daylight: nil) }
        try self.name("daylight time name")
        var daylight = standard + 3600
        if let byte = self.current, byte != UInt8(ascii: ",") {
            daylight = Int32(-(try self.signedTime(maxHours: 24, what: "daylight offset")))
        }
        var start = PosixTimeZone.RuleDate.monthWeekDay(month: 3, week: 2, day: 0)
        var end = PosixTimeZone.RuleDate.monthWeekDay(month: 11, week: 1, day: 0)
        var startTime: Int32 = 7200
        var endTime: Int32 = 7200
        if !self.atEnd {
            try self.expect(UInt8(ascii: ","), "expected ',' before the start rule")
            start = try self.ruleDate()
            if self.current == UInt8(ascii: "/") {
                self.index += 1
                startTime = Int32(try self.signedTime(maxHours: 167, what: "start time"))
            }
            try self.expect(UInt8(ascii: ","), "expected ',' before the end rule")
            end = try self.ruleDate()
            if self.current == UInt8(ascii: "/") {
                self.index += 1
                endTime = Int32(try self.signedTime(maxHours: 167, what: "end time"))
            }
            guard self.atEnd else { throw self.fail("unexpected text after the end rule") }
        }
        let rule = PosixTimeZone.DaylightRule(
            offset: daylight,
            start: start,
            startTime: startTime,
            end: end,
            endTime: endTime
        )
        return PosixTimeZone(standardOffset: standard, daylight: rule)
    }

    mutating func expect(_ byte: UInt8, _ message: String) throws(TimeZoneError) {
        guard self.current == byte else { throw self.fail(message) }
        self.index += 1
    }

    /// A zone abbreviation: `<...>` or three or more ASCII letters.
    mutating func name(_ what: String) throws(TimeZoneError) {
        if self.current == UInt8(ascii: "<") {
            self.index += 1
            let start = self.index
            while let byte = self.current, byte != UInt8(ascii: ">") {
                guard
                    Self.isLetter(byte) || Self.isDigit(byte) || byte == UInt8(ascii: "+")
                        || byte == UInt8(ascii: "-")
                else { throw self.fail("bad character in quoted \(what)") }
                self.index += 1
            }
            guard self.current == UInt8(ascii: ">") else { throw self.fail("unterminated quoted \(what)") }
            guard self.index - start >= 1 else { throw self.fail("empty \(what)") }
            self.index += 1
            return
        }
        let start = self.index
        while let byte = self.current, Self.isLetter(byte) { self.index += 1 }
        guard self.index - start >= 3 else { throw self.fail("expected a \(what) of three or more letters") }
    }

    /// `[+-]hh[:mm[:ss]]` in seconds; hours up to `maxHours`.
    mutating func signedTime(maxHours: Int, what: String) throws(TimeZoneError) -> Int {
        var sign = 1
        if self.current == UInt8(ascii: "+") {
            self.index += 1
        } else if self.current == UInt8(ascii: "-") {
            sign = -1
            self.index += 1
        }
        guard let hours = self.number(maxDigits: 3), hours <= maxHours else {
            throw self.fail("bad hours in \(what)")
        }
        var seconds = hours * 3600
        if self.current == UInt8(ascii: ":") {
            self.index += 1
            guard let minutes = self.number(maxDigits: 2), minutes < 60 else {
                throw self.fail("bad minutes in \(what)")
            }
            seconds += minutes * 60
            if self.current == UInt8(ascii: ":") {
                self.index += 1
                guard let secs = self.number(maxDigits: 2), secs < 60 else {
                    throw self.fail("bad seconds in \(what)")
                }
                seconds += secs
            }
        }
        return sign * seconds
    }

    mutating func ruleDate() throws(TimeZoneError) -> PosixTimeZone.RuleDate {
        switch self.current {
        case UInt8(ascii: "J"):
            self.index += 1
            guard let n = self.number(maxDigits: 3), (1...365).contains(n) else {
                throw self.fail("Jn day must be 1...365")
            }
            return .julianNoLeap(n)
        case UInt8(ascii: "M"):
            self.index += 1
            guard let month = self.number(maxDigits: 2), (1...12).contains(month) else {
                throw self.fail("Mm.w.d month must be 1...12")
            }
            try self.expect(UInt8(ascii: "."), "expected '.' after the month")
            guard let week = self.number(maxDigits: 1), (1...5).contains(week) else {
                throw self.fail("Mm.w.d week must be 1...5")
            }
            try self.expect(UInt8(ascii: "."), "expected '.' after the week")
            guard let day = self.number(maxDigits: 1), (0...6).contains(day) else {
                throw self.fail("Mm.w.d weekday must be 0...6")
            }
            return .monthWeekDay(month: month, week: week, day: day)
        case let byte? where Self.isDigit(byte):
            guard let n = self.number(maxDigits: 3), n <= 365 else { throw self.fail("n day must be 0...365") }
            return .zeroBased(n)
        default:
            throw self.fail("expected a rule date (Jn, n or Mm.w.d)")
        }
    }

    /// One to `maxDigits` decimal digits; nil when there are none or more.
    mutating func number(maxDigits: Int) -> Int? {
        var value = 0
        var count = 0
        while let byte = self.current, Self.isDigit(byte) {
            count += 1
            if count > maxDigits { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            self.index += 1
        }
        return count == 0 ? nil : value
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }
}
