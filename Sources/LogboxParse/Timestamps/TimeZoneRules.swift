import Glibc
import LogboxCore

/// A time zone problem: which zone, and what was wrong with it.
public struct TimeZoneError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The zone as the caller named it (`Europe/Berlin`, a POSIX string, `local`).
    public var zone: String
    public var reason: String

    public init(zone: String, reason: String) {
        self.zone = zone
        self.reason = reason
    }

    public var description: String { "time zone '\(self.zone)': \(self.reason)" }
}

/// The UTC offsets of one time zone over time: from a TZif file, a POSIX `TZ` string or a fixed offset.
///
/// Used to read timestamps that carry no zone (BSD syslog, ISO 8601 without an offset) in the
/// zone of the host that wrote them. Lookups allocate nothing: a fixed zone is one subtraction,
/// others a binary search over the transitions. Rules given as a POSIX string (a TZif footer or
/// `init(posix:)`) are expanded into explicit transitions for the years up to 2100 when the zone
/// is built, and evaluated directly beyond.
///
/// Converting wall-clock time to UTC (`utcSeconds(fromLocal:)`) has two awkward cases, resolved
/// as most log tools and `date -d` do:
/// - A time in a gap (clocks spring forward, 02:30 does not exist) is read with the offset in
///   effect before the gap, which lands after the transition: 02:30 becomes 03:30 local.
/// - An ambiguous time (clocks fall back, 02:30 happens twice) takes the EARLIER instant, still
///   on the offset before the transition.
///
/// Leap seconds in `right/` zone files are ignored; times are Unix time as everywhere in Logbox.
public struct TimeZoneRules: Sendable, CustomStringConvertible {
    /// The zone as it was named: `UTC`, `Europe/Berlin`, `+05:30`, or the POSIX string.
    public let name: String

    /// UTC instants of offset changes, strictly ascending; adjacent offsets always differ.
    private var transitions: [Int64]
    /// `offsets[i]` holds before `transitions[i]`; `offsets[transitions.count]` after the last one.
    private var offsets: [Int32]
    /// Wall-clock instants where the local-to-UTC mapping switches offsets:
    /// `transitions[i] + max(offsets[i], offsets[i + 1])`, made non-decreasing.
    private var localBoundaries: [Int64]
    /// A rule evaluated directly for times after the last transition (and, when `ruleBefore`,
    /// before the first one).
    private var rule: PosixTimeZone?
    private var ruleBefore: Bool

    /// UTC, offset 0.
    public static let utc = TimeZoneRules(name: "UTC", fixedOffset: 0)

    /// A zone that is always `seconds` east of UTC.
    public init(name: String, fixedOffset seconds: Int32) {
        self.name = name
        self.transitions = []
        self.offsets = [seconds]
        self.localBoundaries = []
        self.rule = nil
        self.ruleBefore = false
    }

    /// The single offset of a zone without transitions, nil when the offset changes over time.
    public var fixedOffset: Int32? {
        self.transitions.isEmpty && self.rule == nil ? self.offsets[0] : nil
    }

    public var description: String { self.name }

    // MARK: Lookups

    /// Seconds east of UTC in effect at the UTC instant `seconds` since the epoch.
    /// - Complexity: O(log n) in the number of transitions; O(1) for a fixed zone.
    public func offset(atUTC seconds: Int64) -> Int32 {
        let t = Self.clamp(seconds)
        if let rule = self.rule {
            guard let first = self.transitions.first, let last = self.transitions.last else {
                return rule.offset(atUTC: t)
            }
            if t >= last || (self.ruleBefore && t < first) { return rule.offset(atUTC: t) }
        }
        return self.offsets[Self.countNotAbove(t, in: self.transitions)]
    }

    /// The UTC instant of the wall-clock time `seconds` (local seconds since the epoch) in this zone.
    ///
    /// In a gap (spring forward) the missing time is read with the offset before the gap, so
    /// 02:30 on the morning clocks jump from 02:00 to 03:00 is 03:30 local; an ambiguous time
    /// (fall back) resolves to the earlier of its two instants.
    /// - Complexity: O(log n) in the number of transitions; O(1) for a fixed zone.
    public func utcSeconds(fromLocal seconds: Int64) -> Int64 {
        let local = Self.clamp(seconds)
        return local - Int64(self.resolve(local: local).offset)
    }

    /// The offset to subtract from `local` and the wall-clock interval `from..<until` around it over
    /// which that offset holds, so callers converting many nearby times can skip the lookup.
    func resolve(local: Int64) -> (offset: Int32, from: Int64, until: Int64) {
        let local = Self.clamp(local)
        if let rule = self.rule {
            guard let first = self.localBoundaries.first, let last = self.localBoundaries.last else {
                return rule.resolve(local: local)
            }
            if local >= last || (self.ruleBefore && local < first) { return rule.resolve(local: local) }
        }
        let index = Self.countNotAbove(local, in: self.localBoundaries)
        let from = index > 0 ? self.localBoundaries[index - 1] : Int64.min
        let until = index < self.localBoundaries.count ? self.localBoundaries[index] : Int64.max
        return (self.offsets[index], from, until)
    }

    /// Keeps arithmetic with offsets far from overflow; no real time is near 2^60 seconds.
    @inline(__always)
    private static func clamp(_ seconds: Int64) -> Int64 {
        min(max(seconds, -(1 << 60)), 1 << 60)
    }

    /// Number of elements of the ascending `values` that are `<= key`.
    private static func countNotAbove(_ key: Int64, in values: [Int64]) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] <= key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: Building

    /// Years whose rule transitions are expanded into the table when a zone is built.
    private static let expandedYears: ClosedRange<Int64> = 1900...2100

    /// Builds the tables from explicit transitions followed by a rule.
    ///
    /// - Parameters:
    ///   - explicit: ascending UTC instants with the offset that starts at each.
    ///   - initialOffset: the offset before the first explicit transition.
    ///   - footer: the rule after the last explicit transition; with no explicit transitions it
    ///     applies at all times.
    private init(name: String, explicit: [(time: Int64, offset: Int32)], initialOffset: Int32, footer: PosixTimeZone?) {
        var transitions: [Int64] = []
        var offsets: [Int32] = [initialOffset]
        func add(_ time: Int64, _ offset: Int32) {
            if let last = transitions.last, time <= last {
                // Only equal instants get here (explicit times ascend; rule years follow each other),
                // as when a permanent-DST rule ends one year where the next begins: the later wins.
                offsets[offsets.count - 1] = offset
            } else {
                transitions.append(time)
                offsets.append(offset)
            }
            // Drop transitions that change nothing (abbreviation or isdst changes, merged instants).
            while !transitions.isEmpty && offsets[offsets.count - 1] == offsets[offsets.count - 2] {
                transitions.removeLast()
                offsets.removeLast()
            }
        }
        for entry in explicit { add(entry.time, entry.offset) }

        var rule = footer
        var ruleBefore = false
        if let footer, let daylight = footer.daylight {
            // Expand the rule over the years most logs fall in; beyond them it is evaluated directly.
            var year = Self.expandedYears.lowerBound
            if let last = explicit.last {
                let days = last.time >= 0 ? last.time / 86_400 : (last.time - 86_399) / 86_400
                year = max(civilFromDays(days).year - 1, Self.expandedYears.lowerBound)
            } else {
                ruleBefore = true
                offsets = [footer.standardOffset]
            }
            let floor = explicit.last?.time ?? Int64.min
            while year <= Self.expandedYears.upperBound {
                if let (start, end) = footer.transitions(inYear: year) {
                    let startFirst = start <= end
                    for step in 0..<2 {
                        let isStart = (step == 0) == startFirst
                        let time = isStart ? start : end
                        guard time > floor else { continue }
                        if transitions.isEmpty && ruleBefore { offsets[0] = footer.offset(atUTC: time - 1) }
                        add(time, isStart ? daylight.offset : footer.standardOffset)
                    }
                }
                year += 1
            }
        } else if let footer {
            // A fixed footer: it holds at all times without transitions, else after the last one.
            if let last = explicit.last {
                if footer.standardOffset != offsets[offsets.count - 1] { add(last.time + 1, footer.standardOffset) }
            } else {
                offsets = [footer.standardOffset]
            }
            rule = nil
        }

        var boundaries: [Int64] = []
        boundaries.reserveCapacity(transitions.count)
        for (i, time) in transitions.enumerated() {
            let boundary = time + Int64(max(offsets[i], offsets[i + 1]))
            boundaries.append(max(boundary, boundaries.last ?? Int64.min))
        }
        self.name = name
        self.transitions = transitions
        self.offsets = offsets
        self.localBoundaries = boundaries
        self.rule = rule
        self.ruleBefore = ruleBefore
    }

    /// A zone from a POSIX `TZ` string: `CET-1CEST,M3.5.0,M10.5.0/3`, `EST5EDT,M3.2.0,M11.1.0`,
    /// `<+0530>-5:30`; dates as `Jn`, `n` or `Mm.w.d`, optional `/time` (-167...167 hours).
    ///
    /// Offsets in the string count hours WEST of UTC (`EST5` is UTC-5), as POSIX defines them.
    /// The rule applies to every year, before 1970 too.
    public init(posix: String) throws(TimeZoneError) {
        let zone = try PosixTimeZone(parsing: posix, zone: posix)
        self.init(name: posix, explicit: [], initialOffset: zone.standardOffset, footer: zone)
    }

    /// A zone by name.
    ///
    /// Accepts, in this order: `UTC`/`utc`/`Z`/`z`; `local` (the `TZ` environment variable as
    /// the C library reads it, else `/etc/localtime`, else UTC); a fixed offset east of UTC
    /// (`+05:30`, `-0800`, `+05`); an absolute path to a TZif file; a TZif file under
    /// `zoneinfoDirectory` (`Europe/Berlin`); and finally a POSIX `TZ` string.
    public init(named name: String, zoneinfoDirectory: String = "/usr/share/zoneinfo") throws(TimeZoneError) {
        switch name {
        case "UTC", "utc", "Z", "z":
            self = Self.utc
            return
        case "local":
            self = try Self.local(zoneinfoDirectory: zoneinfoDirectory)
            return
        default:
            break
        }
        if let offset = Self.fixedOffset(Array(name.utf8)) {
            self.init(name: name, fixedOffset: offset)
            return
        }
        guard !name.isEmpty, !name.utf8.contains(0) else {
            throw TimeZoneError(zone: name, reason: "empty or invalid zone name")
        }
        if name.hasPrefix("/") {
            self = try Self.tzif(path: name, zone: name)
            return
        }
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        if !components.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) {
            let path = zoneinfoDirectory.hasSuffix("/") ? zoneinfoDirectory + name : zoneinfoDirectory + "/" + name
            if let bytes = try Self.readFileIfPresent(path, zone: name) {
                self = try Self(tzif: bytes, name: name, path: path)
                return
            }
        }
        do {
            self = try Self(posix: name)
        } catch {
            throw TimeZoneError(
                zone: name,
                reason: "not a zone under \(zoneinfoDirectory), nor a POSIX TZ string (\(error.reason))"
            )
        }
    }

    /// The zone of this machine: `TZ` as the C library reads it, else `/etc/localtime`, else UTC.
    private static func local(zoneinfoDirectory: String) throws(TimeZoneError) -> TimeZoneRules {
        if let pointer = getenv("TZ") {
            var value = String(cString: pointer)
            if value.hasPrefix(":") { value.removeFirst() }
            // An empty TZ means UTC to the C library; `TZ=local` would otherwise recurse.
            if value.isEmpty || value == "local" { return TimeZoneRules(name: "local", fixedOffset: 0) }
            if value.hasPrefix("/") { return try Self.tzif(path: value, zone: "local (TZ=\(value))") }
            do {
                return try TimeZoneRules(named: value, zoneinfoDirectory: zoneinfoDirectory)
            } catch {
                throw TimeZoneError(zone: "local (TZ=\(value))", reason: error.reason)
            }
        }
        guard let bytes = try Self.readFileIfPresent("/etc/localtime", zone: "local") else {
            return TimeZoneRules(name: "local", fixedOffset: 0)
        }
        return try TimeZoneRules(tzif: bytes, name: "local", path: "/etc/localtime")
    }

    private static func tzif(path: String, zone: String) throws(TimeZoneError) -> TimeZoneRules {
        guard let bytes = try Self.readFileIfPresent(path, zone: zone) else {
            throw TimeZoneError(zone: zone, reason: "no such file \(path)")
        }
        return try TimeZoneRules(tzif: bytes, name: zone, path: path)
    }

    /// `±hh`, `±hhmm` or `±hh:mm` east of UTC, hours up to 23; nil for anything else.
    private static func fixedOffset(_ bytes: [UInt8]) -> Int32? {
        guard bytes.count == 3 || bytes.count == 5 || bytes.count == 6 else { return nil }
        let sign: Int32
        switch bytes[0] {
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        func digit(_ i: Int) -> Int32? {
            let d = bytes[i] &- UInt8(ascii: "0")
            return d < 10 ? Int32(d) : nil
        }
        guard let h1 = digit(1), let h2 = digit(2) else { return nil }
        let hours = h1 * 10 + h2
        var minutes: Int32 = 0
        if bytes.count > 3 {
            let m = bytes.count == 6 ? 4 : 3
            if bytes.count == 6 && bytes[3] != UInt8(ascii: ":") { return nil }
            guard let m1 = digit(m), let m2 = digit(m + 1) else { return nil }
            minutes = m1 * 10 + m2
        }
        guard hours < 24, minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// Reads a whole file of at most 4 MiB; nil when it does not exist.
    private static func readFileIfPresent(_ path: String, zone: String) throws(TimeZoneError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw TimeZoneError(zone: zone, reason: "cannot open \(path): \(Self.errorText(code))")
        }
        defer { close(fd) }
        let limit = 4 << 20
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw TimeZoneError(zone: zone, reason: "cannot read \(path): \(Self.errorText(code))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit {
                throw TimeZoneError(zone: zone, reason: "\(path) is larger than 4 MiB, not a TZif file")
            }
        }
        return bytes
    }

    private static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

// MARK: - TZif

extension TimeZoneRules {
    /// Parses TZif data (RFC 8536, versions 1 to 4).
    ///
    /// Layout: a 44-byte header (`TZif`, version byte, 15 reserved bytes, six big-endian UInt32
    /// counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt) and a data block with
    /// 32-bit times; version 2+ repeats header and block with 64-bit times, then a footer
    /// `\n<POSIX TZ string>\n` that governs times after the last transition ("slim" files carry
    /// few transitions and rely on it). Version 1 data is used only when there is nothing else.
    init(tzif bytes: [UInt8], name: String, path: String) throws(TimeZoneError) {
        func fail(_ reason: String) -> TimeZoneError {
            TimeZoneError(zone: name, reason: "\(path): \(reason)")
        }
        func uint32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
        }
        func int64(_ at: Int) -> Int64 {
            Int64(bitPattern: UInt64(uint32(at)) << 32 | UInt64(uint32(at + 4)))
        }
        struct Header {
            var version: UInt8
            var isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt: Int
            func blockSize(timeSize: Int) -> Int {
                self.timecnt * timeSize + self.timecnt + self.typecnt * 6 + self.charcnt
                    + self.leapcnt * (timeSize + 4) + self.isstdcnt + self.isutcnt
            }
        }
        func header(at offset: Int) throws(TimeZoneError) -> Header {
            guard bytes.count >= offset + 44 else { throw fail("truncated header (not a TZif file)") }
            guard bytes[offset] == 0x54, bytes[offset + 1] == 0x5A, bytes[offset + 2] == 0x69,
                bytes[offset + 3] == 0x66
            else { throw fail("missing TZif magic (not a TZif file)") }
            func count(_ i: Int) throws(TimeZoneError) -> Int {
                let value = uint32(offset + 20 + 4 * i)
                guard value <= 1 << 20 else { throw fail("implausible count \(value) in header") }
                return Int(value)
            }
            return Header(
                version: bytes[offset + 4],
                isutcnt: try count(0),
                isstdcnt: try count(1),
                leapcnt: try count(2),
                timecnt: try count(3),
                typecnt: try count(4),
                charcnt: try count(5)
            )
        }

        let first = try header(at: 0)
        var h = first
        var blockStart = 44
        var timeSize = 4
        if first.version >= UInt8(ascii: "2") {
            let second = 44 + first.blockSize(timeSize: 4)
            h = try header(at: second)
            blockStart = second + 44
            timeSize = 8
        }
        let blockEnd = blockStart + h.blockSize(timeSize: timeSize)
        guard bytes.count >= blockEnd else { throw fail("truncated data block") }
        guard h.typecnt >= 1 else { throw fail("no local time types") }

        var types: [Int32] = []
        let typesStart = blockStart + h.timecnt * timeSize + h.timecnt
        for i in 0..<h.typecnt {
            let raw = Int32(bitPattern: uint32(typesStart + 6 * i))
            guard raw > -25 * 3600, raw < 26 * 3600 else { throw fail("UT offset \(raw) out of range") }
            types.append(raw)
        }
        var explicit: [(time: Int64, offset: Int32)] = []
        explicit.reserveCapacity(h.timecnt)
        for i in 0..<h.timecnt {
            let at = blockStart + i * timeSize
            let time = timeSize == 8 ? int64(at) : Int64(Int32(bitPattern: uint32(at)))
            guard time >= -(1 << 60), time <= 1 << 60 else { throw fail("transition time out of range") }
            if let previous = explicit.last, time <= previous.time {
                throw fail("transition times are not ascending")
            }
            let typeIndex = Int(bytes[blockStart + h.timecnt * timeSize + i])
            guard typeIndex < types.count else { throw fail("transition type \(typeIndex) out of range") }
            explicit.append((time, types[typeIndex]))
        }

        var footer: PosixTimeZone?
        if timeSize == 8, blockEnd < bytes.count, bytes[blockEnd] == UInt8(ascii: "\n") {
            var end = blockEnd + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            guard end < bytes.count else { throw fail("unterminated footer") }
            if end > blockEnd + 1 {
                let text = String(decoding: bytes[(blockEnd + 1)..<end], as: UTF8.self)
                do {
                    footer = try PosixTimeZone(parsing: text, zone: name)
                } catch {
                    throw fail("footer '\(text)': \(error.reason)")
                }
            }
        }
        self.init(name: name, explicit: explicit, initialOffset: types[0], footer: footer)
    }
}
