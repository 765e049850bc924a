import Foundation
import LogboxParse
import Testing

/// One generated file split into physical lines, with its recorded malformed lines set aside.
private struct SampleText: Sendable {
    var name: String
    /// Physical lines without their `\n`.
    var lines: [[UInt8]]
    var endsWithNewline: Bool
    var malformed: [Int: MalformedKind]
    /// Lines not recorded as malformed, as 1-based number and text.
    var wellFormed: [(number: Int, text: String)]

    init(_ file: SampleFile) {
        self.name = file.name
        self.endsWithNewline = file.bytes.last == UInt8(ascii: "\n")
        var pieces = file.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if self.endsWithNewline || file.bytes.isEmpty {
            pieces.removeLast()
        }
        self.lines = pieces.map { Array($0) }
        self.malformed = [:]
        for entry in file.malformedLines {
            self.malformed[entry.line] = entry.kind
        }
        self.wellFormed = []
        for (index, line) in self.lines.enumerated() where self.malformed[index + 1] == nil {
            self.wellFormed.append((index + 1, String(decoding: line, as: UTF8.self)))
        }
    }

    func count(containing needles: String...) -> Int {
        self.wellFormed.filter { line in needles.allSatisfy { contains(line.text, $0) } }.count
    }
}

/// Whether `needle` occurs in `text`: a plain byte search, much faster than the generic
/// collection algorithms in an unoptimized build.
private func contains(_ text: String, _ needle: String) -> Bool {
    var text = text
    var needle = needle
    return text.withUTF8 { haystack in
        needle.withUTF8 { pattern in
            guard let first = pattern.first else { return true }
            guard haystack.count >= pattern.count else { return false }
            var start = 0
            let last = haystack.count - pattern.count
            while start <= last {
                if haystack[start] == first {
                    var matched = 1
                    while matched < pattern.count, haystack[start + matched] == pattern[matched] {
                        matched += 1
                    }
                    if matched == pattern.count { return true }
                }
                start += 1
            }
            return false
        }
    }
}

/// Date arithmetic written out here so the tests do not trust the code they check.
private enum TestTime {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func days(year: Int, month: Int, day: Int) -> Int {
        var total = 0
        for y in 1970..<year {
            total += (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365
        }
        let lengths = [
            31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
            31,
        ]
        for m in 1..<month { total += lengths[m - 1] }
        return total + day - 1
    }

    static func number(_ text: Substring) -> Int? {
        Int(text.trimmingPrefix(" "))
    }

    static func clock(_ text: Substring) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let h = Int(parts[0]), let m = Int(parts[1]), let s = Int(parts[2]) else { return nil }
        return h * 3600 + m * 60 + s
    }

    /// `Nov  1 00:02:41` in `year`, as seconds.
    static func syslog(_ text: String, year: Int) -> Int64? {
        let chars = Array(text.utf8)
        guard chars.count >= 15, let month = months.firstIndex(of: String(decoding: chars[0..<3], as: UTF8.self)),
            let day = number(Substring(String(decoding: chars[4..<6], as: UTF8.self))),
            let time = clock(Substring(String(decoding: chars[7..<15], as: UTF8.self)))
        else { return nil }
        return Int64(days(year: year, month: month + 1, day: day) * 86_400 + time)
    }

    /// `01/Nov/2026:00:00:00 +0000` as seconds.
    static func nginx(_ text: Substring) -> Int64? {
        let parts = text.split(separator: "/", maxSplits: 2)
        guard parts.count == 3, let day = Int(parts[0]), let month = months.firstIndex(of: String(parts[1])) else {
            return nil
        }
        let rest = parts[2].split(separator: ":", maxSplits: 1)
        guard rest.count == 2, let year = Int(rest[0]), rest[1].hasSuffix(" +0000"),
            let time = clock(rest[1].dropLast(6))
        else { return nil }
        return Int64(days(year: year, month: month + 1, day: day) * 86_400 + time)
    }

    /// RFC 3339 (`2026-11-01T05:30:00.123456+05:30`) as microseconds.
    static func rfc3339(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T") else { return nil }
        func digits(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10),
            let hour = digits(11..<13), let minute = digits(14..<16), let second = digits(17..<19)
        else { return nil }
        var index = 19
        var micros = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100_000
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                micros += Int(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "Z") {
            index += 1
        } else if index + 6 == bytes.count, let hours = digits((index + 1)..<(index + 3)),
            let minutes = digits((index + 4)..<(index + 6))
        {
            offset = (hours * 60 + minutes) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds =
            days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset * 60
        return Int64(seconds) * 1_000_000 + Int64(micros)
    }
}

private func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    return hash
}

@Suite("Sample log generator")
struct SampleLogGeneratorTests {
    typealias Options = SampleLogGenerator.Options

    /// The option sets most tests check, each generated once: the default set, and a smaller
    /// one with another seed and malformed lines.
    enum Variant: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case standard, broken

        var options: Options {
            switch self {
            case .standard: Options()
            case .broken:
                Options(
                    seed: 7,
                    authLines: 900,
                    nginxLines: 1400,
                    jsonLines: 700,
                    rfc5424Lines: 300,
                    logfmtLines: 300,
                    malformedRate: 0.05
                )
            }
        }

        fileprivate var generated: Generated {
            switch self {
            case .standard: Self.standardOutput
            case .broken: Self.brokenOutput
            }
        }

        var testDescription: String { self.rawValue }

        private static let standardOutput = Generated(Variant.standard.options)
        private static let brokenOutput = Generated(Variant.broken.options)
    }

    fileprivate struct Generated: Sendable {
        var texts: [String: SampleText] = [:]
        var truth: SampleTruth

        init(_ options: Options) {
            let output = SampleLogGenerator(options: options).generateWithTruth()
            self.truth = output.truth
            for file in output.files {
                self.texts[file.name] = SampleText(file)
            }
        }
    }

    @Test("the same seed gives the same bytes")
    func sameSeedSameBytes() {
        for options in Variant.allCases.map(\.options) {
            let first = SampleLogGenerator(options: options).generate()
            let second = SampleLogGenerator(options: options).generate()
            #expect(first.map(\.bytes) == second.map(\.bytes))
            #expect(first.map { $0.malformedLines.map(\.line) } == second.map { $0.malformedLines.map(\.line) })
        }
    }

    @Test("another seed gives other bytes in every file")
    func differentSeedDifferentBytes() {
        let first = SampleLogGenerator(options: Options(seed: 1)).generate()
        let second = SampleLogGenerator(options: Options(seed: 2)).generate()
        for (a, b) in zip(first, second) {
            #expect(a.bytes != b.bytes, "\(a.name)")
        }
    }

    @Test(
        "files have the documented names and the requested line counts",
        arguments: [
            Options(),
            Options(authLines: 0, nginxLines: 1, jsonLines: 10, rfc5424Lines: 2, logfmtLines: 49),
            Options(
                seed: 3,
                authLines: 450,
                nginxLines: 1000,
                jsonLines: 500,
                rfc5424Lines: 50,
                logfmtLines: 50,
                malformedRate: 0.1
            ),
            Options(
                seed: 4,
                authLines: 30,
                nginxLines: 30,
                jsonLines: 30,
                rfc5424Lines: 30,
                logfmtLines: 30,
                malformedRate: 1
            ),
        ]
    )
    func lineCounts(options: Options) {
        let files = SampleLogGenerator(options: options).generate()
        #expect(files.map(\.name) == ["auth.log", "nginx_access.log", "app.jsonl", "syslog5424.log", "app.logfmt"])
        #expect(files.map(\.name) == SampleFile.names)
        let wanted = [
            options.authLines, options.nginxLines, options.jsonLines, options.rfc5424Lines, options.logfmtLines,
        ]
        for (file, count) in zip(files, wanted) {
            let text = SampleText(file)
            #expect(text.lines.count == count, "\(file.name)")
            let unterminated = file.malformedLines.contains { $0.kind == .noFinalNewline }
            #expect(text.endsWithNewline == (count > 0 && !unterminated), "\(file.name)")
        }
    }

    @Test("timestamps never decrease within a file", arguments: Variant.allCases)
    func timestampsNeverDecrease(variant: Variant) throws {
        let texts = variant.generated.texts
        func check(_ name: String, _ extract: (String) -> Int64?) throws {
            let text = try #require(texts[name])
            var last = Int64.min
            var parsed = 0
            for line in text.wellFormed {
                guard let time = extract(line.text) else { continue }
                #expect(time >= last, "\(name):\(line.number)")
                last = max(last, time)
                parsed += 1
            }
            #expect(parsed >= text.wellFormed.count * 99 / 100, "\(name): most lines carry a timestamp")
        }
        try check("auth.log") { TestTime.syslog($0, year: 2026) }
        try check("nginx_access.log") { line in
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
            return TestTime.nginx(line[line.index(after: open)..<close])
        }
        try check("app.jsonl") { line in
            guard line.hasPrefix(#"{"ts":""#) else { return nil }
            let value = line.dropFirst(7).prefix { $0 != "\"" }
            return TestTime.rfc3339(value)
        }
        try check("syslog5424.log") { line in
            guard let start = line.firstIndex(of: " ") else { return nil }
            let value = line[line.index(after: start)...].prefix { $0 != " " }
            return value == "-" ? nil : TestTime.rfc3339(value)
        }
        try check("app.logfmt") { line in
            guard line.hasPrefix("ts=") else { return nil }
            return TestTime.rfc3339(line.dropFirst(3).prefix { $0 != " " })
        }
    }

    @Test("the SSH brute force is where the truth says", arguments: Variant.allCases)
    func bruteForce(variant: Variant) throws {
        let (texts, truth) = (variant.generated.texts, variant.generated.truth)
        let auth = try #require(texts["auth.log"])
        let attack = try #require(truth.auth.bruteForce)
        #expect(attack.ip.hasPrefix("203.0.113."))
        #expect(attack.failures >= 40)
        #expect(attack.last - attack.first <= 120)
        #expect(attack.usersTried >= 20)
        let failed = auth.wellFormed.filter {
            $0.text.contains("Failed password ") && $0.text.contains(" \(attack.ip) ")
        }
        #expect(failed.count == attack.failures)
        #expect(auth.count(containing: attack.ip) == attack.lines)
        var users = Set<String>()
        for line in failed {
            #expect(line.text.dropFirst(16).hasPrefix(attack.host + " sshd["))
            let time = try #require(TestTime.syslog(line.text, year: 2026))
            #expect(time >= attack.first && time <= attack.last)
            let after = try #require(line.text.split(separator: "Failed password for ").last)
            let user = after.hasPrefix("invalid user ") ? after.dropFirst(13) : after
            users.insert(String(user.prefix { $0 != " " }))
        }
        #expect(users.count == attack.usersTried)
        // Nobody else comes close: no other address has more than a handful of failures.
        var perAddress: [Substring: Int] = [:]
        for line in auth.wellFormed where line.text.contains("Failed password ") {
            if let from = line.text.split(separator: " from ").last, let address = from.split(separator: " ").first {
                perAddress[address, default: 0] += 1
            }
        }
        #expect(perAddress.filter { $0.key != attack.ip && $0.value > 5 }.isEmpty)
    }

    @Test("auth.log counts match the truth", arguments: Variant.allCases)
    func authCounts(variant: Variant) throws {
        let (texts, truth) = (variant.generated.texts, variant.generated.truth)
        let auth = try #require(texts["auth.log"])
        #expect(auth.wellFormed.count == truth.auth.lines)
        #expect(auth.count(containing: "Failed password ") == truth.auth.failedPassword)
        #expect(auth.count(containing: "Accepted password for ") == truth.auth.acceptedPassword)
        #expect(auth.count(containing: "Accepted publickey for ") == truth.auth.acceptedPublickey)
        #expect(auth.count(containing: "Invalid user ") == truth.auth.invalidUser)
        #expect(auth.count(containing: "COMMAND=") == truth.auth.sudoCommands)
        #expect(auth.count(containing: "last message repeated 3 times") == truth.auth.lastMessageRepeated)
        #expect(truth.auth.lastMessageRepeated == 2)
        #expect((4...6).contains(truth.auth.hosts.count))
        for program in [" sshd[", " sudo: ", " CRON[", " systemd-logind["] {
            #expect(auth.count(containing: program) > 0, "\(program)")
        }
        let hosts = Set(auth.wellFormed.map { String($0.text.dropFirst(16).prefix { $0 != " " }) })
        #expect(hosts == Set(truth.auth.hosts))
    }

    @Test("the request flood is where the truth says", arguments: Variant.allCases)
    func requestFlood(variant: Variant) throws {
        let (texts, truth) = (variant.generated.texts, variant.generated.truth)
        let nginx = try #require(texts["nginx_access.log"])
        let flood = try #require(truth.nginx.flood)
        #expect(flood.ip.hasPrefix("198.51.100."))
        #expect(flood.requests >= 200)
        #expect(flood.last - flood.first < 60)
        let lines = nginx.wellFormed.filter { $0.text.hasPrefix(flood.ip + " ") }
        #expect(lines.count == flood.requests)
        #expect(lines.filter { $0.text.contains("\" 429 ") }.count == flood.tooManyRequests)
        #expect(flood.tooManyRequests * 10 >= flood.requests * 8)
        #expect(nginx.count(containing: flood.ip) == flood.requests)
        #expect(lines.allSatisfy { $0.text.contains("\"\(flood.userAgent)\"") })
    }

    @Test("the 5xx burst is where the truth says", arguments: Variant.allCases)
    func serverErrorBurst(variant: Variant) throws {
        let (texts, truth) = (variant.generated.texts, variant.generated.truth)
        let nginx = try #require(texts["nginx_access.log"])
        let burst = try #require(truth.nginx.serverErrorBurst)
        #expect(burst.end - burst.start >= 120)
        var inWindow = 0
        var errorsInWindow = 0
        var errorsOutside = 0
        var statusCounts: [Int: Int] = [:]
        for line in nginx.wellFormed {
            let open = try #require(line.text.firstIndex(of: "["))
            let close = try #require(line.text.firstIndex(of: "]"))
            let time = try #require(TestTime.nginx(line.text[line.text.index(after: open)..<close]))
            // The request is the first quoted field; nginx escapes quotes inside it.
            let afterRequest = line.text[close...].split(
                separator: "\"",
                maxSplits: 2,
                omittingEmptySubsequences: false
            )
            let status = try #require(Int(afterRequest[2].dropFirst().prefix(3)), "\(line.number)")
            statusCounts[status, default: 0] += 1
            if time >= burst.start && time <= burst.end {
                inWindow += 1
                if status >= 500 { errorsInWindow += 1 }
            } else if status >= 500 {
                errorsOutside += 1
            }
        }
        #expect(inWindow == burst.requests)
        #expect(errorsInWindow == burst.serverErrors)
        #expect(burst.serverErrors * 100 >= burst.requests * 20 && burst.serverErrors * 100 <= burst.requests * 50)
        #expect(errorsOutside * 2 < errorsInWindow)
        #expect(statusCounts == truth.nginx.statusCounts)
        #expect(nginx.wellFormed.count == truth.nginx.requests)
        #expect(errorsInWindow + errorsOutside == truth.nginx.serverErrors)
    }

    @Test("app.jsonl's error burst and counts match the truth", arguments: Variant.allCases)
    func jsonLines(variant: Variant) throws {
        let (texts, truth) = (variant.generated.texts, variant.generated.truth)
        let json = try #require(texts["app.jsonl"])
        let burst = try #require(truth.jsonLines.errorBurst)
        #expect(json.count(containing: "\"msg\":\"\(burst.message)\"") == burst.injected)
        #expect(burst.injected >= 40)
        #expect(burst.last - burst.first <= 90_000)
        var inWindow = 0
        for line in json.wellFormed where line.text.contains("\"level\":\"error\",\"service\":\"\(burst.service)\"") {
            let time = try #require(TestTime.rfc3339(line.text.dropFirst(7).prefix { $0 != "\"" }))
            if time / 1000 >= burst.first && time / 1000 <= burst.last { inWindow += 1 }
        }
        #expect(inWindow == burst.errorsInWindow)
        #expect(json.count(containing: "\"user_id\":null") == truth.jsonLines.nullUserIDs)
        for (level, count) in truth.jsonLines.levelCounts {
            #expect(json.count(containing: "\"level\":\"\(level)\"") == count, "\(level)")
        }
        #expect(json.wellFormed.count == truth.jsonLines.lines)
        for needle in [#"\""#, #"\\"#, #"\u00"#, #"\n\t"#, "\"http\":{", "\"tags\":[", "ü", "🚀"] {
            #expect(json.count(containing: needle) > 0, "\(needle)")
        }
    }

    @Test("syslog5424.log counts match the truth", arguments: Variant.allCases)
    func rfc5424(variant: Variant) throws {
        let (texts, truth) = (variant.generated.texts, variant.generated.truth)
        let syslog = try #require(texts["syslog5424.log"])
        var severities = [Int](repeating: 0, count: 8)
        var offsets = 0
        for line in syslog.wellFormed {
            let pri = try #require(Int(line.text.dropFirst().prefix { $0 != ">" }))
            severities[pri % 8] += 1
            let stamp = line.text.split(separator: " ")[1]
            if stamp.hasSuffix("+05:30") || stamp.hasSuffix("-08:00") || stamp.hasSuffix("+01:00")
                || stamp.hasSuffix("+09:00")
            {
                offsets += 1
            }
        }
        #expect(severities == truth.rfc5424.severityCounts)
        #expect(offsets == truth.rfc5424.withOffset)
        #expect(syslog.count(containing: "\u{FEFF}") == truth.rfc5424.withBOM)
        #expect(
            syslog.wellFormed.filter { $0.text.split(separator: " ")[1] == "-" }.count == truth.rfc5424.nilTimestamp
        )
        #expect(truth.rfc5424.withBOM > 0 && truth.rfc5424.withoutMessage > 0 && truth.rfc5424.withOffset > 0)
        for needle in [#"\""#, #"\\"#, #"\]"#, "][", " - - ", "Zürich", "Z ", "+05:30 ", "-08:00 "] {
            #expect(syslog.count(containing: needle) > 0, "\(needle)")
        }
        #expect(syslog.wellFormed.count == truth.rfc5424.lines)
    }

    @Test("app.logfmt counts match the truth", arguments: Variant.allCases)
    func logfmt(variant: Variant) throws {
        let (texts, truth) = (variant.generated.texts, variant.generated.truth)
        let logfmt = try #require(texts["app.logfmt"])
        for (level, count) in truth.logfmt.levelCounts {
            #expect(logfmt.count(containing: " level=\(level) ") == count, "\(level)")
        }
        #expect(logfmt.wellFormed.count == truth.logfmt.lines)
        for needle in [
            "msg=\"", #"\""#, " error= ", " dry_run ", "=\"timeout=30s", "Zürich", " caller=", " duration_ms=",
        ] {
            #expect(logfmt.count(containing: needle) > 0, "\(needle)")
        }
    }

    @Test("each leaked secret appears once, on the line the truth gives", arguments: Variant.allCases)
    func secrets(variant: Variant) throws {
        let (texts, truth) = (variant.generated.texts, variant.generated.truth)
        #expect(Set(truth.secrets.map(\.kind)) == ["api_key", "aws_access_key_id", "bearer_token", "password"])
        for secret in truth.secrets {
            let text = try #require(texts[secret.file])
            let line = try #require(text.wellFormed.first { $0.number == secret.line })
            #expect(line.text.contains(secret.value))
            let everywhere = texts.values.reduce(0) { $0 + $1.count(containing: secret.value) }
            #expect(everywhere == 1, "\(secret.kind)")
        }
        let aws = try #require(truth.secrets.first { $0.kind == "aws_access_key_id" })
        #expect(aws.value.hasPrefix("AKIA") && aws.value.utf8.count == 20)
        let password = try #require(truth.secrets.first { $0.kind == "password" })
        let line = try #require(texts["app.logfmt"]?.wellFormed.first { $0.number == password.line })
        #expect(line.text.contains("password=" + password.value))
    }

    @Test("malformed lines are exactly where malformedLines says")
    func malformedLines() throws {
        let broken = Options(seed: 11, malformedRate: 0.03, hugeLineBytes: 70_000)
        var clean = broken
        clean.malformedRate = 0
        clean.hugeLineBytes = nil
        let brokenFiles = SampleLogGenerator(options: broken).generate()
        let cleanFiles = SampleLogGenerator(options: clean).generate()
        for (brokenFile, cleanFile) in zip(brokenFiles, cleanFiles) {
            let damaged = SampleText(brokenFile)
            let intact = SampleText(cleanFile)
            #expect(damaged.lines.count == intact.lines.count)
            let expected = Int((0.03 * Double(intact.lines.count)).rounded())
            #expect(brokenFile.malformedLines.count == expected, "\(brokenFile.name)")
            #expect(brokenFile.malformedLines.map(\.line) == brokenFile.malformedLines.map(\.line).sorted())
            var kinds = Set<MalformedKind>()
            for (index, (line, original)) in zip(damaged.lines, intact.lines).enumerated() {
                guard let kind = damaged.malformed[index + 1] else {
                    #expect(line == original, "\(brokenFile.name):\(index + 1)")
                    continue
                }
                kinds.insert(kind)
                #expect(line != original, "\(brokenFile.name):\(index + 1)")
                switch kind {
                case .truncated, .noFinalNewline:
                    #expect(line.count <= 40 && original.starts(with: line))
                case .invalidUTF8:
                    #expect(String(validating: line, as: UTF8.self) == nil)
                case .nulBytes:
                    #expect(line.first == 0)
                case .binaryGarbage:
                    #expect(!line.isEmpty)
                case .hugeLine:
                    #expect(line.count == 70_000)
                }
            }
            #expect(damaged.malformed[damaged.lines.count] == .noFinalNewline)
            #expect(!damaged.endsWithNewline)
            #expect(kinds.contains(.hugeLine))
            #expect(brokenFile.malformedLines.filter { $0.kind == .hugeLine }.count == 1)
        }
    }

    @Test(
        "no line holds NUL or invalid UTF-8 unless it is recorded as malformed",
        arguments: [
            Options(), Options(seed: 12, malformedRate: 0.05),
        ]
    )
    func cleanLines(options: Options) {
        for file in SampleLogGenerator(options: options).generate() {
            let text = SampleText(file)
            for (index, line) in text.lines.enumerated() where text.malformed[index + 1] == nil {
                #expect(!line.contains(0), "\(file.name):\(index + 1)")
                #expect(String(validating: line, as: UTF8.self) != nil, "\(file.name):\(index + 1)")
                #expect(!line.isEmpty, "\(file.name):\(index + 1)")
            }
            #expect(!file.malformedLines.contains { $0.kind == .hugeLine })
        }
    }

    /// Pins the default output. A change here means every sample, README number and test built on
    /// `Samples/` changes too: update the hashes only on purpose, together with `Samples/`.
    @Test("the default output is byte-stable")
    func byteStability() {
        let files = SampleLogGenerator().generate()
        var hashes: [String: UInt64] = [:]
        for file in files {
            hashes[file.name] = fnv1a(file.bytes)
        }
        #expect(hashes == Self.pinnedHashes)
    }

    static let pinnedHashes: [String: UInt64] = [
        "auth.log": 9_890_699_492_071_073_657,
        "nginx_access.log": 13_231_836_516_739_702_247,
        "app.jsonl": 12_201_116_233_305_120_359,
        "syslog5424.log": 9_292_211_324_897_693_624,
        "app.logfmt": 10_229_071_280_145_929_369,
    ]

    /// The repository's `Samples/` folder.
    static let samplesDirectory: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/LogboxParseTests/<this file>
        return parts.joined(separator: "/") + "/Samples"
    }()

    /// `Samples/` is `logbox sample --seed 1`: when the generator changes on purpose, regenerate it.
    @Test("Samples/ holds the default output")
    func committedSamples() throws {
        for file in SampleLogGenerator().generate() {
            let path = Self.samplesDirectory + "/" + file.name
            let data = try #require(FileManager.default.contents(atPath: path), "\(path) is missing")
            #expect([UInt8](data) == file.bytes, "\(path) differs from the generator's output")
        }
    }

    @Test("the truth's summary names the incidents")
    func summary() {
        let truth = SampleLogGenerator().generateWithTruth().truth
        let text = truth.description
        #expect(text.contains(truth.auth.bruteForce?.ip ?? "?"))
        #expect(text.contains(truth.nginx.flood?.ip ?? "?"))
        #expect(text.contains("5xx burst"))
        #expect(text.contains("error burst"))
        #expect(truth.malformedLines == 0)
    }

    @Test("files too small for incidents have none, and nothing crashes")
    func smallFiles() {
        let options = Options(
            authLines: 100,
            nginxLines: 100,
            jsonLines: 40,
            rfc5424Lines: 5,
            logfmtLines: 20,
            malformedRate: 0.5
        )
        let output = SampleLogGenerator(options: options).generateWithTruth()
        #expect(output.truth.auth.bruteForce == nil)
        #expect(output.truth.nginx.flood == nil)
        #expect(output.truth.nginx.serverErrorBurst == nil)
        #expect(output.truth.jsonLines.errorBurst == nil)
        #expect(output.truth.secrets.isEmpty)
        #expect(output.files.map { SampleText($0).lines.count } == [100, 100, 40, 5, 20])
    }
}
