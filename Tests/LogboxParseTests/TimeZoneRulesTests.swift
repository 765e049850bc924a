import Foundation
import LogboxParse
import Testing

/// Builds TZif files (RFC 8536) in memory, so the reader is tested without the system's tzdata.
private struct TZifBuilder {
    var version: UInt8 = UInt8(ascii: "2")
    var transitions: [(time: Int64, type: UInt8)] = []
    var types: [(offset: Int32, isDST: Bool)] = [(0, false)]
    var footer: String? = nil
    /// What the version 1 block holds; by default the transitions that fit in 32 bits.
    var v1Transitions: [(time: Int64, type: UInt8)]? = nil
    var v1Types: [(offset: Int32, isDST: Bool)]? = nil

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        let v1 =
            self.v1Transitions ?? self.transitions.filter { $0.time >= Int64(Int32.min) && $0.time <= Int64(Int32.max) }
        Self.block(into: &out, version: self.version, transitions: v1, types: self.v1Types ?? self.types, timeSize: 4)
        if self.version >= UInt8(ascii: "2") {
            Self.block(into: &out, version: self.version, transitions: self.transitions, types: self.types, timeSize: 8)
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: Array((self.footer ?? "").utf8))
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    static func block(
        into out: inout [UInt8],
        version: UInt8,
        transitions: [(time: Int64, type: UInt8)],
        types: [(offset: Int32, isDST: Bool)],
        timeSize: Int
    ) {
        func be(_ value: UInt64, _ size: Int) {
            for shift in stride(from: (size - 1) * 8, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            }
        }
        out.append(contentsOf: Array("TZif".utf8))
        out.append(version)
        out.append(contentsOf: [UInt8](repeating: 0, count: 15))
        for count in [0, 0, 0, transitions.count, types.count, 4] { be(UInt64(count), 4) }
        for t in transitions { be(UInt64(bitPattern: t.time), timeSize) }
        for t in transitions { out.append(t.type) }
        for type in types {
            be(UInt64(UInt32(bitPattern: type.offset)), 4)
            out.append(type.isDST ? 1 : 0)
            out.append(0)
        }
        out.append(contentsOf: Array("ABC\0".utf8))
    }
}

/// A temporary zoneinfo directory holding one file, removed after `body`.
@discardableResult
private func withZoneFile<T>(_ bytes: [UInt8], _ body: (_ directory: String, _ name: String) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logbox-tz-\(UUID().uuidString)")
    let zoneDirectory = directory.appendingPathComponent("Test")
    try FileManager.default.createDirectory(at: zoneDirectory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try Data(bytes).write(to: zoneDirectory.appendingPathComponent("Zone"))
    return try body(directory.path, "Test/Zone")
}

private let hasZoneinfo = FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/Europe/Berlin")

/// Expected values computed with Python's `zoneinfo` unless derived by hand in a comment.
@Suite("Time zone rules")
struct TimeZoneRulesTests {
    @Test(
        "UTC and fixed offsets",
        arguments: [
            ("UTC", 0), ("utc", 0), ("Z", 0), ("+05:30", 19800), ("-0800", -28800), ("+05", 18000), ("-00:00", 0),
            ("<+0530>-5:30", 19800), ("EST5", -18000), ("<-03>3", -10800),
        ] as [(String, Int32)]
    )
    func fixed(name: String, offset: Int32) throws {
        let zone = try TimeZoneRules(named: name, zoneinfoDirectory: "/nonexistent")
        #expect(zone.fixedOffset == offset)
        #expect(zone.offset(atUTC: 1_793_491_361) == offset)
        #expect(zone.utcSeconds(fromLocal: 1_793_491_361) == 1_793_491_361 - Int64(offset))
        #expect(TimeZoneRules.utc.offset(atUTC: -1) == 0)
    }

    @Test("Berlin's POSIX rule switches at 01:00 UTC on the last Sundays of March and October")
    func berlinTransitions() throws {
        let zone = try TimeZoneRules(posix: "CET-1CEST,M3.5.0,M10.5.0/3")
        #expect(zone.fixedOffset == nil)
        #expect(zone.offset(atUTC: 1_774_745_999) == 3600)  // 2026-03-29T00:59:59Z
        #expect(zone.offset(atUTC: 1_774_746_000) == 7200)  // 01:00:00Z
        #expect(zone.offset(atUTC: 1_792_889_999) == 7200)  // 2026-10-25T00:59:59Z
        #expect(zone.offset(atUTC: 1_792_890_000) == 3600)  // 01:00:00Z
        // Wall clock: the gap reads with the offset before it; the overlap takes the earlier instant.
        #expect(zone.utcSeconds(fromLocal: 1_774_751_400) == 1_774_747_800)  // Mar 29 02:30 -> 01:30Z
        #expect(zone.utcSeconds(fromLocal: 1_792_895_400) == 1_792_888_200)  // Oct 25 02:30 -> 00:30Z
    }

    @Test("a dst name without a rule takes the US rule, as glibc does")
    func defaultRule() throws {
        let zone = try TimeZoneRules(posix: "EST5EDT")
        let explicit = try TimeZoneRules(posix: "EST5EDT,M3.2.0,M11.1.0")
        for t in stride(from: Int64(1_704_067_200), to: 1_798_761_600, by: 3_600 * 7) {
            #expect(zone.offset(atUTC: t) == explicit.offset(atUTC: t))
        }
        #expect(zone.offset(atUTC: 1_783_180_800) == -14400)
    }

    @Test(
        "malformed POSIX strings are rejected with the zone in the message",
        arguments: [
            "", "CET", "CE-1", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,M10.5.0/",
            "CET-1CEST,J0,J10", "CET-1CEST,J366,J10", "CET-1CEST,366,10", "<+0530-5:30", "<>-5", "CET-25",
            "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,M3.5.0,M10.5.0/168", "CET-1:60",
            "CET-1CEST,M3.5.0,M10.5.0x", "CET1CEST,Q1,Q2",
        ]
    )
    func posixErrors(text: String) {
        #expect {
            try TimeZoneRules(posix: text)
        } throws: { error in
            guard let error = error as? TimeZoneError else { return false }
            return error.zone == text && (text.isEmpty || error.description.contains(text)) && !error.reason.isEmpty
        }
    }

    @Test("an unknown name is neither a file nor a POSIX string")
    func unknownName() {
        #expect {
            try TimeZoneRules(named: "Mars/Olympus_Mons")
        } throws: { error in
            (error as? TimeZoneError)?.description.contains("Mars/Olympus_Mons") == true
        }
        #expect(throws: TimeZoneError.self) { try TimeZoneRules(named: "../etc/passwd") }
        #expect(throws: TimeZoneError.self) { try TimeZoneRules(named: "/nonexistent/zone") }
    }

    @Test("`local` resolves to some zone")
    func local() throws {
        let zone = try TimeZoneRules(named: "local")
        #expect(abs(zone.offset(atUTC: 1_793_491_361)) < 26 * 3600)
    }

    @Test("a version 1 TZif file: transitions and types, the last type after the last transition")
    func tzifVersion1() throws {
        var builder = TZifBuilder(version: 0)
        builder.types = [(3600, false), (7200, true)]
        builder.transitions = [(1_000_000, 1), (2_000_000, 0)]
        try withZoneFile(builder.bytes()) { directory, name in
            let zone = try TimeZoneRules(named: name, zoneinfoDirectory: directory)
            #expect(zone.name == name)
            #expect(zone.offset(atUTC: -5_000_000_000) == 3600)
            #expect(zone.offset(atUTC: 999_999) == 3600)
            #expect(zone.offset(atUTC: 1_000_000) == 7200)
            #expect(zone.offset(atUTC: 1_999_999) == 7200)
            #expect(zone.offset(atUTC: 2_000_000) == 3600)
            #expect(zone.offset(atUTC: 5_000_000_000) == 3600)
            // Gap: local 1_003_600..<1_007_200 does not exist; read with the offset before it.
            #expect(zone.utcSeconds(fromLocal: 1_003_599) == 999_999)
            #expect(zone.utcSeconds(fromLocal: 1_005_000) == 1_001_400)
            #expect(zone.utcSeconds(fromLocal: 1_007_200) == 1_000_000)
            // Overlap: local 2_003_600..<2_007_200 happens twice; the earlier instant wins.
            #expect(zone.utcSeconds(fromLocal: 2_005_000) == 1_997_800)
            #expect(zone.utcSeconds(fromLocal: 2_007_200) == 2_003_600)
        }
    }

    @Test("a version 2 file is read from its 64-bit block, not the version 1 block")
    func tzifPrefersVersion2() throws {
        var builder = TZifBuilder()
        builder.types = [(-18000, false), (-14400, true)]
        builder.transitions = [(-3_000_000_000, 1), (5_000_000_000, 0)]
        builder.v1Transitions = []
        builder.v1Types = [(0, false)]
        try withZoneFile(builder.bytes()) { directory, name in
            let zone = try TimeZoneRules(named: name, zoneinfoDirectory: directory)
            #expect(zone.offset(atUTC: -3_000_000_001) == -18000)
            #expect(zone.offset(atUTC: 0) == -14400)
            #expect(zone.offset(atUTC: 5_000_000_000) == -18000)
        }
    }

    /// Like the "slim" Europe/Berlin: transitions stop in 1996 and the footer rule governs after.
    @Test("a slim file relies on its footer after the last transition")
    func tzifSlimFooter() throws {
        var builder = TZifBuilder()
        builder.types = [(3208, false), (3600, false), (7200, true)]
        builder.transitions = [(-2_422_054_408, 1), (828_234_000, 2), (846_378_000, 1)]  // 1893, Mar and Oct 1996
        builder.footer = "CET-1CEST,M3.5.0,M10.5.0/3"
        try withZoneFile(builder.bytes()) { directory, name in
            let zone = try TimeZoneRules(named: name, zoneinfoDirectory: directory)
            #expect(zone.offset(atUTC: -2_422_054_409) == 3208)  // before 1893: local mean time
            #expect(zone.offset(atUTC: 828_233_999) == 3600)
            #expect(zone.offset(atUTC: 828_234_000) == 7200)
            #expect(zone.offset(atUTC: 1_774_745_999) == 3600)  // 2026, from the footer
            #expect(zone.offset(atUTC: 1_774_746_000) == 7200)
            #expect(zone.offset(atUTC: 1_792_890_000) == 3600)
            #expect(zone.offset(atUTC: 5_688_147_600) == 7200)  // 2150-04-01T01:00Z, beyond the expanded years
            #expect(zone.utcSeconds(fromLocal: 1_774_747_800 + 3600) == 1_774_747_800)  // Mar 29 02:30 gap
            #expect(zone.utcSeconds(fromLocal: 1_792_888_200 + 7200) == 1_792_888_200)  // Oct 25 02:30 overlap
        }
    }

    @Test("a file without transitions takes its footer at all times")
    func tzifFooterOnly() throws {
        var builder = TZifBuilder()
        builder.types = [(19800, false)]
        builder.footer = "<+0530>-5:30"
        try withZoneFile(builder.bytes()) { directory, name in
            let zone = try TimeZoneRules(named: name, zoneinfoDirectory: directory)
            #expect(zone.fixedOffset == 19800)
        }
        builder.types = [(-18000, false)]
        builder.footer = "EST5EDT,M3.2.0,M11.1.0"
        try withZoneFile(builder.bytes()) { directory, name in
            let zone = try TimeZoneRules(named: name, zoneinfoDirectory: directory)
            #expect(zone.offset(atUTC: 1_783_180_800) == -14400)
            #expect(zone.offset(atUTC: 1_768_478_400) == -18000)
        }
    }

    @Test("an absolute path names a TZif file directly")
    func absolutePath() throws {
        var builder = TZifBuilder()
        builder.types = [(7200, false)]
        try withZoneFile(builder.bytes()) { directory, name in
            let zone = try TimeZoneRules(named: directory + "/" + name)
            #expect(zone.fixedOffset == 7200)
        }
    }

    static let brokenFiles: [(String, [UInt8])] = {
        var good = TZifBuilder()
        good.types = [(3600, false), (7200, true)]
        good.transitions = [(1_000, 1), (2_000, 0)]
        good.footer = "CET-1CEST,M3.5.0,M10.5.0/3"
        let bytes = good.bytes()
        var badMagic = bytes
        badMagic[0] = UInt8(ascii: "X")
        var badType = good
        badType.transitions = [(1_000, 5)]
        var descending = good
        descending.transitions = [(2_000, 1), (1_000, 0)]
        var badFooter = good
        badFooter.footer = "CET-1CEST,M3.5.0"
        var noTypes = good
        noTypes.types = []
        noTypes.transitions = []
        var hugeOffset = good
        hugeOffset.types = [(100_000, false)]
        hugeOffset.transitions = []
        return [
            ("empty", []),
            ("bad magic", badMagic),
            ("truncated header", Array(bytes[0..<30])),
            ("truncated data", Array(bytes[0..<(bytes.count - 40)])),
            ("type index out of range", badType.bytes()),
            ("descending transitions", descending.bytes()),
            ("bad footer", badFooter.bytes()),
            ("unterminated footer", Array(bytes.dropLast())),
            ("no types", noTypes.bytes()),
            ("offset beyond 26 hours", hugeOffset.bytes()),
            ("text", Array("Europe/Berlin\n".utf8)),
        ]
    }()

    @Test("broken TZif files are rejected with the zone in the message", arguments: Self.brokenFiles)
    func tzifErrors(label: String, bytes: [UInt8]) throws {
        try withZoneFile(bytes) { directory, name in
            #expect {
                try TimeZoneRules(named: name, zoneinfoDirectory: directory)
            } throws: { error in
                (error as? TimeZoneError)?.description.contains(name) == true
            }
        }
    }

    @Test("the system's Europe/Berlin", .enabled(if: hasZoneinfo, "/usr/share/zoneinfo lacks Europe/Berlin"))
    func systemBerlin() throws {
        let zone = try TimeZoneRules(named: "Europe/Berlin")
        #expect(zone.name == "Europe/Berlin")
        #expect(zone.offset(atUTC: 1_774_745_999) == 3600)
        #expect(zone.offset(atUTC: 1_774_746_000) == 7200)
        #expect(zone.utcSeconds(fromLocal: 1_774_747_800 + 3600) == 1_774_747_800)
        #expect(zone.utcSeconds(fromLocal: 1_792_888_200 + 7200) == 1_792_888_200)
    }
}
