/// `app.logfmt`: logfmt lines as Go services write them (`ts=... level=... service=... caller=...
/// msg="..." key=value ... duration_ms=...`).
///
/// Written to exercise a parser: quoted values holding spaces, `=` and escaped quotes, empty values
/// (`error=`), bare keys (`dry_run`), non-ASCII values quoted and unquoted. Incident: one leaked
/// database `password=`.
struct LogfmtSample {
    struct Result {
        var file: SampleFile
        var truth: SampleTruth.Logfmt
        var secrets: [SampleTruth.Secret]
    }

    private static let levels = ["debug", "info", "warn", "error"]

    private var random: SeededRandom
    private var out: SampleLineWriter
    private let clock: SampleClock
    private var secretLines: [(record: Int, kind: String, value: String)] = []

    private init(options: SampleLogGenerator.Options, clock: SampleClock) {
        self.random = SeededRandom(seed: options.seed, stream: "app.logfmt")
        self.out = SampleLineWriter(expectedLines: options.logfmtLines, bytesPerLine: 190)
        self.clock = clock
    }

    static func generate(options: SampleLogGenerator.Options, clock: SampleClock) -> Result {
        var sample = LogfmtSample(options: options, clock: clock)
        let lines = max(0, options.logfmtLines)
        if lines >= 50 {
            sample.leakPassword()
        }
        while sample.out.lineCount < lines {
            sample.backgroundLine()
        }
        let positions = sample.out.sortByTime()
        let assembled = SampleAssembler.assemble(name: "app.logfmt", writer: sample.out, options: options)

        var truth = SampleTruth.Logfmt(lines: 0, levelCounts: [:])
        for (index, record) in sample.out.records.enumerated() where !assembled.replaced[index] {
            truth.lines += 1
            truth.levelCounts[Self.levels[Int(record.value)], default: 0] += 1
        }
        let secrets = sample.secretLines.map {
            SampleTruth.Secret(file: "app.logfmt", line: positions[$0.record] + 1, kind: $0.kind, value: $0.value)
        }
        return Result(file: assembled.file, truth: truth, secrets: secrets)
    }

    /// Writes `ts=... level=... service=... caller=... <fields> duration_ms=N[ trace_id=...]`.
    @discardableResult
    private mutating func write(
        at time: Int64,
        level: Int,
        service: String,
        caller: String,
        fields: String,
        duration: Int,
        trace: Bool = true,
        isProtected: Bool = false
    ) -> Int {
        self.out.beginLine(at: self.clock.clamp(time), isProtected: isProtected, value: Int32(level))
        self.out.append("ts=")
        self.out.appendRFC3339(micros: self.clock.clamp(time), fractionDigits: 3)
        self.out.append(" level=")
        self.out.append(Self.levels[level])
        self.out.append(" service=")
        self.out.append(service)
        self.out.append(" caller=")
        self.out.append(caller)
        self.out.append(byte: UInt8(ascii: " "))
        self.out.append(fields)
        self.out.append(" duration_ms=")
        self.out.append(duration)
        if trace {
            self.out.append(" trace_id=")
            self.out.appendHex(count: 16, using: &self.random)
        }
        return self.out.endLine()
    }

    private mutating func user() -> String {
        "u_\(padded: self.random.int(in: 1...2400), width: 6)"
    }

    private mutating func leakPassword() {
        let password =
            "Pg-" + SampleNetwork.randomString(from: SampleNetwork.base64URL, count: 18, using: &self.random)
        let record = self.write(
            at: self.clock.randomTime(perMille: 100, to: 900, using: &self.random),
            level: 0,
            service: "billing",
            caller: "db.go:41",
            fields: "msg=\"connecting to database\" host=db-01.internal port=5432 user=billing password=\(password) "
                + "sslmode=require",
            duration: 0,
            trace: false,
            isProtected: true
        )
        self.secretLines.append((record, "password", password))
    }

    private mutating func backgroundLine() {
        let time = self.clock.randomTime(using: &self.random)
        switch self.random.pickIndex(weights: [34, 4, 12, 6, 6, 8, 6, 5, 5, 4, 3, 3]) {
        case 0:
            let post = self.random.chance(0.2)
            let path = post ? "/api/v1/items" : "/api/v1/items/\(self.random.int(in: 10_000...99_999))"
            self.write(
                at: time,
                level: 1,
                service: "api",
                caller: "server.go:88",
                fields: "msg=request method=\(post ? "POST" : "GET") path=\(path) status=\(post ? 201 : 200) "
                    + "bytes=\(self.random.int(in: 40...60_000)) user=\(self.user())",
                duration: self.random.int(in: 0...400)
            )
        case 1:
            self.write(
                at: time,
                level: 3,
                service: "api",
                caller: "server.go:97",
                fields: "msg=\"request failed\" method=POST path=/api/v1/orders status=500 "
                    + "err=\"pq: duplicate key value violates unique constraint \\\"orders_pkey\\\"\" "
                    + "user=\(self.user())",
                duration: self.random.int(in: 2...60)
            )
        case 2:
            let job = self.random.pick(["send_email", "resize_image", "sync_stock", "export_orders"])
            self.write(
                at: time,
                level: 1,
                service: "worker",
                caller: "worker.go:142",
                fields: "msg=\"job finished\" job=\(job) job_id=\(self.random.int(in: 10_000...99_999)) queue=default "
                    + "attempt=\(self.random.int(in: 1...3))",
                duration: self.random.int(in: 3...9000)
            )
        case 3:
            self.write(
                at: time,
                level: 1,
                service: "scheduler",
                caller: "cron.go:57",
                fields: "msg=\"job scheduled\" job=\(self.random.pick(["cleanup", "reindex", "digest"])) "
                    + "next_run=\"in \(self.random.int(in: 1...59))m\"",
                duration: 0,
                trace: false
            )
        case 4:
            self.write(
                at: time,
                level: 0,
                service: "api",
                caller: "cache.go:64",
                fields: "msg=\"cache miss\" key=user:\(self.random.int(in: 1...2400)) error=",
                duration: self.random.int(in: 0...3)
            )
        case 5:
            self.write(
                at: time,
                level: 0,
                service: "api",
                caller: "middleware.go:40",
                fields: "msg=\"auth ok\" scope=read:items dry_run user=\(self.user())",
                duration: self.random.int(in: 0...20)
            )
        case 6:
            let place = self.random.pick([
                "city=\"Zürich\" country=CH", "city=\"São Paulo\" country=BR", "city=Kraków country=PL",
                "city=東京 country=JP", "city=\"Malmö\" country=SE",
            ])
            self.write(
                at: time,
                level: 1,
                service: "api",
                caller: "geo.go:31",
                fields: "msg=\"lookup done\" \(place) user=\(self.user())",
                duration: self.random.int(in: 0...5)
            )
        case 7:
            self.write(
                at: time,
                level: 1,
                service: "api",
                caller: "config.go:112",
                fields: "msg=\"config reloaded\" file=/etc/shop/api.yaml changes=\"timeout=30s retries=3\" "
                    + "selector=\"env=prod,tier=web\"",
                duration: self.random.int(in: 1...40),
                trace: false
            )
        case 8:
            self.write(
                at: time,
                level: 2,
                service: "api",
                caller: "db.go:210",
                fields: "msg=\"slow query\" query=\"SELECT * FROM orders WHERE user_id = $1 AND status = 'open'\" "
                    + "rows=\(self.random.int(in: 0...500))",
                duration: self.random.int(in: 1000...4000)
            )
        case 9:
            self.write(
                at: time,
                level: 2,
                service: "worker",
                caller: "retry.go:25",
                fields: "msg=retrying err=\"dial tcp 10.0.3.7:5432: connect: connection refused\" "
                    + "attempt=\(self.random.int(in: 2...5)) backoff=\(self.random.int(in: 1...30))s",
                duration: self.random.int(in: 0...10)
            )
        case 10:
            self.write(
                at: time,
                level: 1,
                service: "billing",
                caller: "invoice.go:77",
                fields: "msg=\"invoice sent\" invoice=INV-2026-\(padded: self.random.int(in: 1...99_999), width: 5) "
                    + "amount=\(self.random.int(in: 5...900)).\(padded: self.random.int(in: 0...99), width: 2) "
                    + "currency=EUR "
                    + "customer=\"Zoë \\\"ZZ\\\" Müller\"",
                duration: self.random.int(in: 40...900)
            )
        default:
            self.write(
                at: time,
                level: 3,
                service: "billing",
                caller: "webhook.go:58",
                fields: "msg=\"webhook rejected\" reason=\"signature mismatch: expected v1=... got v1=\" "
                    + "source_ip=10.0.9.\(self.random.int(in: 2...250)) error=",
                duration: self.random.int(in: 0...5)
            )
        }
    }
}
