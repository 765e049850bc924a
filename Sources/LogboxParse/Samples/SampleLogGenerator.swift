/// Logbox's own deterministic sample logs: five files in five formats with known incidents.
///
/// `logbox sample`, the default pipeline, the README tour and many tests read these files, so they
/// look like real logs (rsyslog's `auth.log`, nginx's access log, JSON lines, RFC 5424 syslog and
/// logfmt) and hide incidents an operator must find: an SSH brute force, an HTTP request flood, a
/// burst of 5xx answers, an application error burst and a few leaked secrets. `SampleTruth` gives
/// the exact counts. Output is a pure function of `Options`: the same options give the same bytes on
/// every platform, and each file draws from its own random stream so that changing one file's line
/// count leaves the others alone.
public struct SampleLogGenerator: Sendable {
    /// What to generate.
    public struct Options: Sendable, Hashable {
        /// The seed every random choice derives from.
        public var seed: UInt64
        /// The first instant the files cover, in seconds since the epoch (UTC).
        public var start: Int64
        /// How many seconds the files cover; at least 600 (smaller values are raised).
        public var duration: Int64
        /// Lines per file, malformed lines included.
        public var authLines: Int
        public var nginxLines: Int
        public var jsonLines: Int
        public var rfc5424Lines: Int
        public var logfmtLines: Int
        /// The fraction (0...1) of each file's lines replaced by malformed ones; at least one line
        /// per non-empty file when positive. Incident and secret lines are never replaced.
        public var malformedRate: Double
        /// When set (and `malformedRate` gives a file two or more malformed lines), one malformed
        /// line per file is exactly this many bytes long, newline excluded.
        public var hugeLineBytes: Int?

        /// 2026-11-01T00:00:00Z.
        public static let defaultStart: Int64 = 1_793_491_200

        public init(
            seed: UInt64 = 1,
            start: Int64 = Options.defaultStart,
            duration: Int64 = 7200,
            authLines: Int = 2000,
            nginxLines: Int = 3000,
            jsonLines: Int = 1500,
            rfc5424Lines: Int = 600,
            logfmtLines: Int = 800,
            malformedRate: Double = 0,
            hugeLineBytes: Int? = nil
        ) {
            self.seed = seed
            self.start = start
            self.duration = duration
            self.authLines = authLines
            self.nginxLines = nginxLines
            self.jsonLines = jsonLines
            self.rfc5424Lines = rfc5424Lines
            self.logfmtLines = logfmtLines
            self.malformedRate = malformedRate
            self.hugeLineBytes = hugeLineBytes
        }
    }

    /// The generated files and the truth about them.
    public struct Output: Sendable {
        /// One file per name in `SampleFile.names`, in that order.
        public var files: [SampleFile]
        public var truth: SampleTruth
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// The five sample files, in the order of `SampleFile.names`.
    public func generate() -> [SampleFile] {
        self.generateWithTruth().files
    }

    /// The five sample files and the counts of what they contain.
    public func generateWithTruth() -> Output {
        let clock = SampleClock(options: self.options)
        let auth = AuthLogSample.generate(options: self.options, clock: clock)
        let nginx = NginxAccessSample.generate(options: self.options, clock: clock)
        let json = JSONLinesSample.generate(options: self.options, clock: clock)
        let rfc5424 = RFC5424Sample.generate(options: self.options, clock: clock)
        let logfmt = LogfmtSample.generate(options: self.options, clock: clock)
        let files = [auth.file, nginx.file, json.file, rfc5424.file, logfmt.file]
        var malformed = 0
        for file in files { malformed += file.malformedLines.count }
        let truth = SampleTruth(
            auth: auth.truth,
            nginx: nginx.truth,
            jsonLines: json.truth,
            rfc5424: rfc5424.truth,
            logfmt: logfmt.truth,
            secrets: json.secrets + logfmt.secrets,
            malformedLines: malformed
        )
        return Output(files: files, truth: truth)
    }
}

/// The time range every sample file covers, in microseconds.
struct SampleClock {
    /// First instant, microseconds since the epoch.
    let start: Int64
    /// Length of the range in microseconds; the last usable instant is `start + span - 1`.
    let span: Int64

    init(options: SampleLogGenerator.Options) {
        self.start = options.start * 1_000_000
        self.span = max(options.duration, 600) * 1_000_000
    }

    var end: Int64 { self.start + self.span }

    /// A uniform instant in the range.
    func randomTime(using random: inout SeededRandom) -> Int64 {
        self.start + Int64(random.next(below: UInt64(self.span)))
    }

    /// A uniform instant between the fractions `from` and `to` (per mille) of the range.
    func randomTime(perMille from: Int, to: Int, using random: inout SeededRandom) -> Int64 {
        let low = self.span / 1000 * Int64(from)
        let high = self.span / 1000 * Int64(to)
        return self.start + low + Int64(random.next(below: UInt64(max(1, high - low))))
    }

    /// `time` moved into the range.
    func clamp(_ time: Int64) -> Int64 {
        min(max(time, self.start), self.end - 1)
    }

    /// `time` rounded down to a whole second.
    static func wholeSecond(_ time: Int64) -> Int64 {
        SampleLineWriter.floorDivide(time, 1_000_000) * 1_000_000
    }
}

/// Addresses and other values several formats share.
enum SampleNetwork {
    /// A public-looking IPv4 address whose first octet is never 192, 198 or 203 (those belong to
    /// the documentation ranges the attackers use) nor private, loopback or multicast.
    static func publicIPv4(using random: inout SeededRandom) -> String {
        var first = 0
        repeat {
            first = random.int(in: 1...223)
        } while [10, 100, 127, 169, 172, 192, 198, 203].contains(first)
        return "\(first).\(random.int(in: 0...255)).\(random.int(in: 0...255)).\(random.int(in: 1...254))"
    }

    /// An IPv6 address in 2001:db8::/32, the documentation prefix.
    static func documentationIPv6(using random: inout SeededRandom) -> String {
        let groups = (0..<3).map { _ in String(random.int(in: 0x1...0xffff), radix: 16) }
        return "2001:db8:\(groups[0]):\(groups[1])::\(groups[2])"
    }

    static let upperAlphanumerics: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    static let base64URL: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let base64: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let lowerAlphanumerics: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `count` characters of `alphabet`, as a `String` (for values the truth must report).
    static func randomString(from alphabet: [UInt8], count: Int, using random: inout SeededRandom) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for _ in 0..<count {
            bytes.append(alphabet[Int(random.next(below: UInt64(alphabet.count)))])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String.StringInterpolation {
    /// `\(padded: 42, width: 6)` is `000042`.
    mutating func appendInterpolation(padded value: Int, width: Int) {
        let digits = String(value)
        self.appendLiteral(String(repeating: "0", count: max(0, width - digits.utf8.count)) + digits)
    }
}
