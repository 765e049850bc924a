import LogboxCore

/// One generated line before the file is assembled: when it happened and where its bytes are.
///
/// Format generators emit lines out of time order (a login's logout is written with the login),
/// so lines are kept as records into one byte arena and sorted by `time` at the end, `order`
/// breaking ties so lines of one event stay in the order they were written.
struct SampleRecord {
    /// Microseconds since the epoch.
    var time: Int64
    /// Creation order.
    var order: Int32
    /// Byte range of the line (without `\n`) in the writer's arena.
    var start: Int32
    var end: Int32
    /// Part of an incident or a leaked secret: never replaced by a malformed line, so the
    /// incidents the truth describes are always complete.
    var isProtected: Bool
    /// Format-specific facts used to count the truth (flags, a status code, a level).
    var flags: UInt16
    var value: Int32
}

/// Builds lines into one byte arena with no `String` per line, plus the time formats samples use.
struct SampleLineWriter {
    private(set) var arena: [UInt8] = []
    private(set) var records: [SampleRecord] = []
    private var lineStart = 0
    private var pending: (time: Int64, isProtected: Bool, flags: UInt16, value: Int32)?

    init(expectedLines: Int, bytesPerLine: Int) {
        self.arena.reserveCapacity(expectedLines * bytesPerLine)
        self.records.reserveCapacity(expectedLines)
    }

    var lineCount: Int { self.records.count + (self.pending == nil ? 0 : 1) }

    /// The time of the open line (0 when none is open).
    var pendingTime: Int64 { self.pending?.time ?? 0 }

    /// Starts a line at `time` (microseconds); the appends that follow fill it until `endLine()`.
    mutating func beginLine(at time: Int64, isProtected: Bool = false, flags: UInt16 = 0, value: Int32 = 0) {
        precondition(self.pending == nil, "beginLine(at:) while a line is open")
        self.pending = (time, isProtected, flags, value)
        self.lineStart = self.arena.count
    }

    /// Finishes the open line and returns its record index (its creation order).
    @discardableResult
    mutating func endLine() -> Int {
        guard let pending = self.pending else { preconditionFailure("endLine() without beginLine(at:)") }
        self.pending = nil
        let index = self.records.count
        self.records.append(
            SampleRecord(
                time: pending.time,
                order: Int32(index),
                start: Int32(self.lineStart),
                end: Int32(self.arena.count),
                isProtected: pending.isProtected,
                flags: pending.flags,
                value: pending.value
            )
        )
        return index
    }

    /// Sorts records by time, keeping creation order among equal times, and returns for each
    /// creation index its position in the sorted order.
    mutating func sortByTime() -> [Int] {
        self.records.sort { $0.time != $1.time ? $0.time < $1.time : $0.order < $1.order }
        var positions = [Int](repeating: 0, count: self.records.count)
        for (position, record) in self.records.enumerated() {
            positions[Int(record.order)] = position
        }
        return positions
    }

    /// The bytes of record `index` (in the current order).
    func lineBytes(_ index: Int) -> ArraySlice<UInt8> {
        let record = self.records[index]
        return self.arena[Int(record.start)..<Int(record.end)]
    }

    // MARK: Text

    mutating func append(_ text: String) {
        self.arena.append(contentsOf: text.utf8)
    }

    mutating func append(byte: UInt8) {
        self.arena.append(byte)
    }

    /// Appends `value` in decimal.
    mutating func append(_ value: Int) {
        if value < 0 {
            self.arena.append(UInt8(ascii: "-"))
            self.appendDigits(value.magnitude, width: 1, pad: UInt8(ascii: "0"))
        } else {
            self.appendDigits(UInt(value), width: 1, pad: UInt8(ascii: "0"))
        }
    }

    /// Appends a non-negative `value` padded on the left to `width` with `pad`.
    mutating func append(_ value: Int, width: Int, pad: UInt8 = UInt8(ascii: "0")) {
        self.appendDigits(UInt(max(0, value)), width: width, pad: pad)
    }

    /// Appends `milliseconds` as seconds with three decimals (`0.012`), as nginx prints `$request_time`.
    mutating func appendSeconds(milliseconds: Int) {
        self.append(milliseconds / 1000)
        self.arena.append(UInt8(ascii: "."))
        self.append(milliseconds % 1000, width: 3)
    }

    /// Appends `count` lowercase hex digits.
    mutating func appendHex(count: Int, using random: inout SeededRandom) {
        self.appendRandom(from: Self.hexDigits, count: count, using: &random)
    }

    /// Appends `count` bytes drawn from `alphabet`.
    mutating func appendRandom(from alphabet: [UInt8], count: Int, using random: inout SeededRandom) {
        for _ in 0..<count {
            self.arena.append(alphabet[Int(random.next(below: UInt64(alphabet.count)))])
        }
    }

    private mutating func appendDigits(_ value: UInt, width: Int, pad: UInt8) {
        var divisor: UInt = 1
        var count = 1
        while value / divisor >= 10 {
            divisor *= 10
            count += 1
        }
        if width > count {
            for _ in 0..<(width - count) { self.arena.append(pad) }
        }
        var rest = value
        while divisor > 0 {
            self.arena.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    // MARK: Time

    /// `Nov  1 00:02:41`: RFC 3164 as rsyslog writes it (no year, day padded with a space).
    mutating func appendSyslogDate(seconds: Int64) {
        let civil = Self.civil(seconds)
        self.append(Self.monthNames[civil.month - 1])
        self.append(byte: UInt8(ascii: " "))
        self.append(civil.day, width: 2, pad: UInt8(ascii: " "))
        self.append(byte: UInt8(ascii: " "))
        self.appendClock(civil)
    }

    /// `01/Nov/2026:00:02:41 +0000`: nginx `$time_local` on a UTC host.
    mutating func appendNginxDate(seconds: Int64) {
        let civil = Self.civil(seconds)
        self.append(civil.day, width: 2)
        self.append(byte: UInt8(ascii: "/"))
        self.append(Self.monthNames[civil.month - 1])
        self.append(byte: UInt8(ascii: "/"))
        self.append(Int(civil.year), width: 4)
        self.append(byte: UInt8(ascii: ":"))
        self.appendClock(civil)
        self.append(" +0000")
    }

    /// RFC 3339 with 0, 3 or 6 fraction digits, in UTC (`Z`) or at `offsetMinutes` east of UTC.
    ///
    /// The printed instant is `micros` truncated to the printed precision.
    mutating func appendRFC3339(micros: Int64, fractionDigits: Int, offsetMinutes: Int? = nil) {
        let local = micros + Int64(offsetMinutes ?? 0) * 60_000_000
        let seconds = Self.floorDivide(local, 1_000_000)
        let fraction = Int(local - seconds * 1_000_000)
        let civil = Self.civil(seconds)
        self.append(Int(civil.year), width: 4)
        self.append(byte: UInt8(ascii: "-"))
        self.append(civil.month, width: 2)
        self.append(byte: UInt8(ascii: "-"))
        self.append(civil.day, width: 2)
        self.append(byte: UInt8(ascii: "T"))
        self.appendClock(civil)
        if fractionDigits == 3 {
            self.append(byte: UInt8(ascii: "."))
            self.append(fraction / 1000, width: 3)
        } else if fractionDigits == 6 {
            self.append(byte: UInt8(ascii: "."))
            self.append(fraction, width: 6)
        }
        guard let offset = offsetMinutes else {
            self.append(byte: UInt8(ascii: "Z"))
            return
        }
        self.append(byte: offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        self.append(abs(offset) / 60, width: 2)
        self.append(byte: UInt8(ascii: ":"))
        self.append(abs(offset) % 60, width: 2)
    }

    private mutating func appendClock(_ civil: Civil) {
        self.append(civil.hour, width: 2)
        self.append(byte: UInt8(ascii: ":"))
        self.append(civil.minute, width: 2)
        self.append(byte: UInt8(ascii: ":"))
        self.append(civil.second, width: 2)
    }

    struct Civil {
        var year: Int64
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int
    }

    static func civil(_ seconds: Int64) -> Civil {
        let days = Self.floorDivide(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let date = civilFromDays(days)
        return Civil(
            year: date.year,
            month: date.month,
            day: date.day,
            hour: secondOfDay / 3600,
            minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60
        )
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
