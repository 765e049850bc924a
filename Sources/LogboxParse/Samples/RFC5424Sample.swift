/// `syslog5424.log`: RFC 5424 lines, `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]`.
///
/// Written to exercise a parser: the NILVALUE `-` in every header field now and then, several SD
/// elements in a row, `\"`, `\\` and `\]` escapes and non-ASCII text in SD values, a UTF-8 byte order
/// mark before some MSGs, lines without MSG, and timestamps in `Z` or with an offset (`+05:30`,
/// `-08:00`) with milliseconds, microseconds or no fraction. Instants never go back, whatever the
/// precision or offset a line prints.
struct RFC5424Sample {
    struct Result {
        var file: SampleFile
        var truth: SampleTruth.RFC5424
    }

    private enum Flag {
        static let bom: UInt16 = 1 << 0
        static let noMessage: UInt16 = 1 << 1
        static let nilTimestamp: UInt16 = 1 << 2
        static let offset: UInt16 = 1 << 3
    }

    private struct Template {
        var weight: Int
        var app: String
        var facility: Int
        var severity: Int
        var msgid: String
        var message: Int  // which message builder
    }

    private static let templates: [Template] = [
        Template(weight: 40, app: "nginx", facility: 23, severity: 6, msgid: "ACCESS", message: 0),
        Template(weight: 6, app: "nginx", facility: 23, severity: 3, msgid: "-", message: 1),
        Template(weight: 18, app: "postgres", facility: 16, severity: 6, msgid: "-", message: 2),
        Template(weight: 4, app: "postgres", facility: 16, severity: 3, msgid: "-", message: 3),
        Template(weight: 22, app: "kubelet", facility: 3, severity: 6, msgid: "-", message: 4),
        Template(weight: 6, app: "kubelet", facility: 3, severity: 4, msgid: "PROBE", message: 5),
        Template(weight: 14, app: "dockerd", facility: 3, severity: 6, msgid: "-", message: 6),
        Template(weight: 10, app: "haproxy", facility: 16, severity: 5, msgid: "-", message: 7),
        Template(weight: 1, app: "haproxy", facility: 16, severity: 1, msgid: "-", message: 8),
        Template(weight: 4, app: "kernel", facility: 0, severity: 4, msgid: "-", message: 9),
        Template(weight: 1, app: "kernel", facility: 0, severity: 2, msgid: "OOM", message: 10),
        Template(weight: 10, app: "systemd", facility: 3, severity: 6, msgid: "-", message: 11),
        Template(weight: 8, app: "sshd", facility: 10, severity: 6, msgid: "-", message: 12),
        Template(weight: 6, app: "CRON", facility: 9, severity: 6, msgid: "-", message: 13),
        Template(weight: 8, app: "shop-api", facility: 1, severity: 7, msgid: "TRACE", message: 14),
        Template(weight: 2, app: "shop-api", facility: 1, severity: 3, msgid: "EXC", message: 15),
        Template(weight: 4, app: "shop-api", facility: 1, severity: 6, msgid: "ORDER", message: 16),
        Template(weight: 5, app: "chronyd", facility: 3, severity: 6, msgid: "-", message: 17),
        Template(weight: 1, app: "kernel", facility: 0, severity: 0, msgid: "-", message: 18),
    ]
    private static let hosts = [
        "node-01.prod.example.net", "node-02.prod.example.net", "node-03.prod.example.net", "lb-01.prod.example.net",
        "db-01.prod.example.net", "10.1.0.17", "worker-7",
    ]
    private static let offsets = [330, -480, 60, 540]
    private static let escapedElements = [
        #"[audit@32473 cmd="grep \"ERROR\" /var/log/shop/app.log" pattern="^[A-Z\]+$" dir="C:\\ProgramData\\shop"]"#,
        #"[note@32473 text="closing bracket \] inside, a quote \" and a backslash \\"]"#,
    ]

    private var random: SeededRandom
    private var out: SampleLineWriter
    private let clock: SampleClock
    private var lastShown: Int64 = .min
    private var sequence = 0

    private init(options: SampleLogGenerator.Options, clock: SampleClock) {
        self.random = SeededRandom(seed: options.seed, stream: "syslog5424.log")
        self.out = SampleLineWriter(expectedLines: options.rfc5424Lines, bytesPerLine: 200)
        self.clock = clock
    }

    static func generate(options: SampleLogGenerator.Options, clock: SampleClock) -> Result {
        var sample = RFC5424Sample(options: options, clock: clock)
        let lines = max(0, options.rfc5424Lines)
        let weights = Self.templates.map(\.weight)
        for index in 0..<lines {
            // Evenly spread, jittered, increasing instants.
            let offset =
                (Int64(index) * clock.span + Int64(sample.random.next(below: UInt64(clock.span)))) / Int64(lines)
            sample.line(at: clock.start + offset, template: Self.templates[sample.random.pickIndex(weights: weights)])
        }
        let assembled = SampleAssembler.assemble(name: "syslog5424.log", writer: sample.out, options: options)

        var truth = SampleTruth.RFC5424(
            lines: 0,
            severityCounts: [Int](repeating: 0, count: 8),
            withBOM: 0,
            withoutMessage: 0,
            nilTimestamp: 0,
            withOffset: 0
        )
        for (index, record) in sample.out.records.enumerated() where !assembled.replaced[index] {
            truth.lines += 1
            truth.severityCounts[Int(record.value)] += 1
            if record.flags & Flag.bom != 0 { truth.withBOM += 1 }
            if record.flags & Flag.noMessage != 0 { truth.withoutMessage += 1 }
            if record.flags & Flag.nilTimestamp != 0 { truth.nilTimestamp += 1 }
            if record.flags & Flag.offset != 0 { truth.withOffset += 1 }
        }
        return Result(file: assembled.file, truth: truth)
    }

    private mutating func line(at time: Int64, template: Template) {
        var flags: UInt16 = 0
        // Decide the timestamp's form first: its flag goes into the record.
        var digits = 3
        var offsetMinutes: Int?
        let form = self.random.int(in: 0..<1000)
        if form < 5 {
            flags |= Flag.nilTimestamp
        } else {
            if form < 120 {
                offsetMinutes = self.random.pick(Self.offsets)
            } else if form < 300 {
                digits = 6
            } else if form < 400 {
                digits = 0
            }
            let shown = Self.truncate(time, digits: digits)
            if shown < self.lastShown {
                // A coarser precision would print an earlier instant than the line before.
                digits = 6
                offsetMinutes = nil
            }
            self.lastShown = Self.truncate(time, digits: digits)
            if offsetMinutes != nil { flags |= Flag.offset }
        }
        let messageForm = self.random.int(in: 0..<100)
        if messageForm < 3 {
            flags |= Flag.noMessage
        } else if messageForm < 11 {
            flags |= Flag.bom
        }

        self.out.beginLine(at: time, flags: flags, value: Int32(template.severity))
        self.out.append(byte: UInt8(ascii: "<"))
        self.out.append(template.facility * 8 + template.severity)
        self.out.append(">1 ")
        if flags & Flag.nilTimestamp != 0 {
            self.out.append(byte: UInt8(ascii: "-"))
        } else {
            self.out.appendRFC3339(micros: time, fractionDigits: digits, offsetMinutes: offsetMinutes)
        }
        self.out.append(byte: UInt8(ascii: " "))
        self.out.append(self.random.chance(0.02) ? "-" : self.random.pick(Self.hosts))
        self.out.append(byte: UInt8(ascii: " "))
        self.out.append(self.random.chance(0.01) ? "-" : template.app)
        self.out.append(byte: UInt8(ascii: " "))
        if template.app == "kernel" || template.app == "CRON" || self.random.chance(0.2) {
            self.out.append(byte: UInt8(ascii: "-"))
        } else {
            self.out.append(self.random.int(in: 100...65_000))
        }
        self.out.append(byte: UInt8(ascii: " "))
        self.out.append(template.msgid)
        self.out.append(byte: UInt8(ascii: " "))
        self.appendStructuredData()
        if flags & Flag.noMessage == 0 {
            self.out.append(byte: UInt8(ascii: " "))
            if flags & Flag.bom != 0 {
                self.out.append("\u{FEFF}")
            }
            self.out.append(self.message(template.message))
        }
        self.out.endLine()
    }

    /// `time` (microseconds) cut to the instant a timestamp with `digits` fraction digits shows.
    private static func truncate(_ time: Int64, digits: Int) -> Int64 {
        switch digits {
        case 0: SampleLineWriter.floorDivide(time, 1_000_000) * 1_000_000
        case 3: SampleLineWriter.floorDivide(time, 1000) * 1000
        default: time
        }
    }

    private mutating func appendStructuredData() {
        let roll = self.random.int(in: 0..<100)
        switch roll {
        case 0..<45:
            self.out.append(byte: UInt8(ascii: "-"))
        case 45..<53:
            self.out.append(
                "[origin ip=\"10.1.0.\(self.random.int(in: 2...250))\" software=\"rsyslogd\" swVersion=\"8.2312.0\"]"
            )
        case 53..<59:
            self.out.append(
                "[timeQuality tzKnown=\"1\" isSynced=\"1\" syncAccuracy=\"\(self.random.int(in: 100...90_000))\"]"
            )
        case 59..<68:
            self.out.append(
                "[req@32473 method=\"GET\" path=\"/api/v1/items/\(self.random.int(in: 1...99_999))\" status=\"200\" "
                    + "dur_ms=\"\(self.random.int(in: 1...900))\"]"
            )
        case 68..<73:
            let pod = SampleNetwork.randomString(from: SampleNetwork.lowerAlphanumerics, count: 5, using: &self.random)
            self.out.append("[k8s@53595 namespace=\"prod\" pod=\"api-7d9f8c6b5-\(pod)\" container=\"api\"]")
        case 73..<77:
            self.out.append(
                "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
                    + "eventID=\"\(self.random.int(in: 1000...1100))\"]"
            )
        case 77..<90:
            self.sequence += 1
            self.out.append("[timeQuality tzKnown=\"1\" isSynced=\"\(self.random.chance(0.9) ? 1 : 0)\"]")
            self.out.append(
                "[meta sequenceId=\"\(self.sequence)\" "
                    + "sysUpTime=\"\(self.random.int(in: 1000...9_999_999))\" language=\"en\"]"
            )
            if self.random.chance(0.3) {
                self.out.append(self.random.pick(Self.escapedElements))
            }
            if self.random.chance(0.4) {
                self.out.append("[origin ip=\"10.1.0.\(self.random.int(in: 2...250))\" enterpriseId=\"32473\"]")
            }
        case 90..<96:
            self.out.append(self.random.pick(Self.escapedElements))
        default:
            self.out.append(#"[customer@32473 name="Zoë Ångström" city="Zürich" note="naïve café"]"#)
        }
    }

    private mutating func message(_ kind: Int) -> String {
        switch kind {
        case 0:
            return "GET /api/v1/items/\(self.random.int(in: 1...99_999)) 200 \(self.random.int(in: 1...400))ms"
        case 1:
            return "upstream timed out (110: Connection timed out) while reading response header from upstream, "
                + "client: 10.0.0.\(self.random.int(in: 2...250)), server: shop.example.com, "
                + "request: \"GET /api/v1/cart HTTP/1.1\""
        case 2:
            return "LOG:  checkpoint complete: wrote \(self.random.int(in: 100...40_000)) buffers "
                + "(\(self.random.int(in: 0...9)).\(self.random.int(in: 0...9))%); 0 WAL file(s) added"
        case 3: return "ERROR:  duplicate key value violates unique constraint \"orders_pkey\""
        case 4:
            let pod = SampleNetwork.randomString(from: SampleNetwork.lowerAlphanumerics, count: 5, using: &self.random)
            return "Pod \"api-7d9f8c6b5-\(pod)\" container \"api\" started"
        case 5: return "Liveness probe failed: HTTP probe failed with statuscode: 500"
        case 6: return "level=info msg=\"ignoring event\" module=libcontainerd namespace=moby topic=/tasks/delete"
        case 7: return "Server shop/web-0\(self.random.int(in: 1...4)) is UP, reason: Layer7 check passed, code: 200"
        case 8: return "backend shop has no server available!"
        case 9: return "TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies."
        case 10:
            return "Out of memory: Killed process \(self.random.int(in: 1000...60_000)) (java) total-vm:8123456kB, "
                + "anon-rss:\(self.random.int(in: 2_000_000...6_000_000))kB"
        case 11: return "Started Session \(self.random.int(in: 100...9999)) of User deploy."
        case 12:
            return "Accepted publickey for deploy from 10.0.4.\(self.random.int(in: 2...250)) port "
                + "\(self.random.int(in: 30_000...60_000)) ssh2"
        case 13: return "(root) CMD (run-parts /etc/cron.hourly)"
        case 14: return "span finished name=db.query duration_us=\(self.random.int(in: 50...90_000))"
        case 15: return "unhandled exception [KeyError] in handler [/api/v1/cart]"
        case 16: return "Bestellung \(self.random.int(in: 1000...9999)) für Zoë bestätigt ✓"
        case 17: return "Selected source 10.1.0.1 (ntp.internal)"
        default: return "Kernel panic - not syncing: Fatal exception in interrupt"
        }
    }
}
