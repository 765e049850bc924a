/// `app.jsonl`: one JSON object per line from a shop's services.
///
/// Keys come in a fixed order (`ts`, `level`, `service`, `msg`, `user_id`, `latency_ms`, then optional
/// nested objects and arrays, then `trace_id`), as structured loggers write them. `msg` holds escaped
/// quotes, backslashes, `\/`, `\n\t`, `\u` escapes, raw UTF-8 and emoji; `user_id` is sometimes `null`.
/// Incidents: one service logging the same error many times within about a minute, and three leaked
/// secrets (an `api_key=` in a URL, an `AKIA` access key id and a bearer token).
struct JSONLinesSample {
    struct Result {
        var file: SampleFile
        var truth: SampleTruth.JSONLines
        var secrets: [SampleTruth.Secret]
    }

    private enum Flag {
        static let nullUser: UInt16 = 1 << 0
    }

    private static let services = ["auth", "api-gateway", "payments", "search", "inventory", "notifications", "worker"]
    private static let serviceWeights = [14, 30, 8, 14, 12, 8, 14]
    private static let levels = ["debug", "info", "warn", "error", "fatal"]
    private static let burstMessages = [
        "payments": "charge failed: payments-provider timed out after 5000ms",
        "inventory": "stock sync failed: dial tcp 10.0.5.12:5432: connect: connection refused",
        "search": "query failed: cluster_block_exception [FORBIDDEN/12/index read-only / allow delete (api)]",
    ]
    private static let searchTerms = [#"\"winter jacket\""#, #"\"usb-c cable\""#, "shoes", #"\"café grinder\""#]

    /// A line's content before it is written.
    private struct Entry {
        var level = 1
        var message = ""
        var latency = 0
        var extras = ""  // `,"key":value` pairs, already JSON
    }

    private var random: SeededRandom
    private var out: SampleLineWriter
    private let clock: SampleClock
    private var burst: (service: String, message: String, first: Int64, last: Int64, count: Int)?
    private var secretLines: [(record: Int, kind: String, value: String)] = []

    private init(options: SampleLogGenerator.Options, clock: SampleClock) {
        self.random = SeededRandom(seed: options.seed, stream: "app.jsonl")
        self.out = SampleLineWriter(expectedLines: options.jsonLines, bytesPerLine: 240)
        self.clock = clock
    }

    static func generate(options: SampleLogGenerator.Options, clock: SampleClock) -> Result {
        var sample = JSONLinesSample(options: options, clock: clock)
        let lines = max(0, options.jsonLines)
        if lines >= 500 {
            sample.errorBurst()
        }
        if lines >= 50 {
            sample.leakSecrets()
        }
        while sample.out.lineCount < lines {
            sample.backgroundLine()
        }
        let positions = sample.out.sortByTime()
        let assembled = SampleAssembler.assemble(name: "app.jsonl", writer: sample.out, options: options)

        var truth = SampleTruth.JSONLines(lines: 0, levelCounts: [:], nullUserIDs: 0, errorBurst: nil)
        var errorsInWindow = 0
        let burstService = sample.burst.flatMap { Self.services.firstIndex(of: $0.service) }
        for (index, record) in sample.out.records.enumerated() where !assembled.replaced[index] {
            truth.lines += 1
            let level = Int(record.value) & 0xF
            truth.levelCounts[Self.levels[level], default: 0] += 1
            if record.flags & Flag.nullUser != 0 { truth.nullUserIDs += 1 }
            if let burst = sample.burst, let burstService, level == 3, Int(record.value) >> 4 == burstService {
                let millis = SampleLineWriter.floorDivide(record.time, 1000)
                if millis >= burst.first, millis <= burst.last { errorsInWindow += 1 }
            }
        }
        if let burst = sample.burst {
            truth.errorBurst = SampleTruth.ErrorBurst(
                service: burst.service,
                message: burst.message,
                first: burst.first,
                last: burst.last,
                injected: burst.count,
                errorsInWindow: errorsInWindow
            )
        }
        let secrets = sample.secretLines.map {
            SampleTruth.Secret(file: "app.jsonl", line: positions[$0.record] + 1, kind: $0.kind, value: $0.value)
        }.sorted { $0.line < $1.line }
        return Result(file: assembled.file, truth: truth, secrets: secrets)
    }

    // MARK: Lines

    @discardableResult
    private mutating func write(
        at time: Int64,
        service: Int,
        entry: Entry,
        isProtected: Bool = false
    ) -> Int {
        let time = self.clock.clamp(time)
        let nullUser = self.random.chance(0.12)
        self.out.beginLine(
            at: time,
            isProtected: isProtected,
            flags: nullUser ? Flag.nullUser : 0,
            value: Int32(service << 4 | entry.level)
        )
        self.out.append("{\"ts\":\"")
        self.out.appendRFC3339(micros: time, fractionDigits: 3)
        self.out.append("\",\"level\":\"")
        self.out.append(Self.levels[entry.level])
        self.out.append("\",\"service\":\"")
        self.out.append(Self.services[service])
        self.out.append("\",\"msg\":\"")
        self.out.append(entry.message)
        if nullUser {
            self.out.append("\",\"user_id\":null")
        } else {
            self.out.append("\",\"user_id\":\"u_")
            self.out.append(self.random.int(in: 1...2400), width: 6)
            self.out.append(byte: UInt8(ascii: "\""))
        }
        self.out.append(",\"latency_ms\":")
        self.out.append(entry.latency)
        self.out.append(entry.extras)
        self.out.append(",\"trace_id\":\"")
        self.out.appendHex(count: 32, using: &self.random)
        self.out.append("\"}")
        return self.out.endLine()
    }

    // MARK: Incidents

    /// One service failing the same way again and again for about a minute.
    private mutating func errorBurst() {
        let name = self.random.pick(["payments", "inventory", "search"])
        let service = Self.services.firstIndex(of: name) ?? 0
        let message = Self.burstMessages[name] ?? "upstream failed"
        let count = self.random.int(in: 45...70)
        let window = Int64(self.random.int(in: 40_000...75_000)) * 1000
        let start = self.clock.randomTime(perMille: 450, to: 800, using: &self.random)
        var first = Int64.max
        var last = Int64.min
        for index in 0..<count {
            let time = self.clock.clamp(
                start + window * Int64(index) / Int64(count) + Int64(self.random.int(in: 0...400)) * 1000
            )
            let entry = Entry(level: 3, message: message, latency: 5000 + self.random.int(in: 0...40))
            self.write(at: time, service: service, entry: entry, isProtected: true)
            let millis = SampleLineWriter.floorDivide(time, 1000)
            first = min(first, millis)
            last = max(last, millis)
        }
        self.burst = (name, message, first, last, count)
    }

    /// Three credentials that should never have been logged.
    private mutating func leakSecrets() {
        let apiKey = SampleNetwork.randomString(from: SampleLineWriter.hexDigits, count: 32, using: &self.random)
        var entry = Entry(
            level: 0,
            message: #"billing client configured url=https:\/\/api.billing.example.com\/v2\/charges?api_key="#
                + apiKey,
            latency: 0
        )
        var record = self.write(
            at: self.clock.randomTime(perMille: 50, to: 300, using: &self.random),
            service: Self.services.firstIndex(of: "payments") ?? 0,
            entry: entry,
            isProtected: true
        )
        self.secretLines.append((record, "api_key", apiKey))

        let accessKey =
            "AKIA" + SampleNetwork.randomString(from: SampleNetwork.upperAlphanumerics, count: 16, using: &self.random)
        entry = Entry(
            level: 2,
            message: "s3 upload to bucket shop-exports retried with access key " + accessKey,
            latency: self.random.int(in: 200...900),
            extras: #","retry":{"attempt":2,"max":5}"#
        )
        record = self.write(
            at: self.clock.randomTime(perMille: 300, to: 600, using: &self.random),
            service: Self.services.firstIndex(of: "worker") ?? 0,
            entry: entry,
            isProtected: true
        )
        self.secretLines.append((record, "aws_access_key_id", accessKey))

        let token =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ"
            + SampleNetwork.randomString(from: SampleNetwork.base64URL, count: 57, using: &self.random) + "."
            + SampleNetwork.randomString(from: SampleNetwork.base64URL, count: 43, using: &self.random)
        entry = Entry(
            level: 0,
            message: "forwarding upstream request headers Authorization: Bearer " + token,
            latency: self.random.int(in: 1...20)
        )
        record = self.write(
            at: self.clock.randomTime(perMille: 600, to: 950, using: &self.random),
            service: Self.services.firstIndex(of: "api-gateway") ?? 0,
            entry: entry,
            isProtected: true
        )
        self.secretLines.append((record, "bearer_token", token))
    }

    // MARK: Background

    private mutating func backgroundLine() {
        let time = self.clock.randomTime(using: &self.random)
        let service = self.random.pickIndex(weights: Self.serviceWeights)
        let entry: Entry
        switch Self.services[service] {
        case "auth": entry = self.auth()
        case "api-gateway": entry = self.gateway()
        case "payments": entry = self.payments()
        case "search": entry = self.search()
        case "inventory": entry = self.inventory()
        case "notifications": entry = self.notifications()
        default: entry = self.worker()
        }
        self.write(at: time, service: service, entry: entry)
    }

    private mutating func auth() -> Entry {
        switch self.random.pickIndex(weights: [30, 30, 10, 5, 20, 2]) {
        case 0:
            return Entry(
                message: "user logged in",
                latency: self.random.int(in: 20...140),
                extras: #","method":"password""#
            )
        case 1: return Entry(message: "session refreshed", latency: self.random.int(in: 0...8))
        case 2:
            return Entry(level: 2, message: "login failed: invalid password", latency: self.random.int(in: 60...200))
        case 3: return Entry(message: "password reset requested", latency: self.random.int(in: 5...30))
        case 4:
            return Entry(level: 0, message: "token validated scope=read:orders", latency: self.random.int(in: 0...3))
        default:
            return Entry(
                level: 3,
                message: "ldap bind failed: connection reset by peer",
                latency: self.random.int(in: 1000...3000)
            )
        }
    }

    private mutating func gateway() -> Entry {
        switch self.random.pickIndex(weights: [60, 8, 20, 4]) {
        case 0, 1:
            let (method, path) = self.random.pick([
                ("GET", "/api/v1/products/\(self.random.int(in: 10_000...39_999))"), ("GET", "/api/v1/cart"),
                ("GET", "/api/v1/search?q=shoes&page=2"), ("GET", "/api/v1/orders"), ("POST", "/api/v1/cart/items"),
                ("POST", "/api/v1/orders"), ("PUT", "/api/v1/cart/items/\(self.random.int(in: 1...99))"),
                ("DELETE", "/api/v1/cart/items/\(self.random.int(in: 1...99))"),
            ])
            let failed = self.random.chance(0.1)
            let success = method == "POST" ? 201 : (method == "DELETE" ? 204 : 200)
            let status = failed ? self.random.pick([400, 401, 404, 409, 429]) : success
            var extras = #","http":{"method":""# + method + #"","path":""# + path + #"","status":\#(status)}"#
            if self.random.chance(0.3) {
                extras += self.random.pick([
                    #","tags":["mobile","ios"]"#, #","tags":["web"]"#, #","tags":[]"#,
                    #","tags":["checkout","beta-ui","eu-west-1"]"#,
                ])
            }
            return Entry(
                level: failed ? 2 : 1,
                message: "request completed",
                latency: self.random.int(in: 2...400),
                extras: extras
            )
        case 2:
            return Entry(
                level: 0,
                message: "upstream selected host=10.0.3.\(self.random.int(in: 2...99)):8080",
                latency: 0
            )
        default:
            return Entry(message: #"redirect to https:\/\/shop.example.com\/cart?ref=email"#, latency: 1)
        }
    }

    private mutating func payments() -> Entry {
        switch self.random.pickIndex(weights: [50, 20, 10, 15]) {
        case 0:
            let cents = self.random.int(in: 499...49_999)
            let amount = "\(cents / 100).\(padded: cents % 100, width: 2)"
            return Entry(
                message: "charge succeeded",
                latency: self.random.int(in: 180...900),
                extras: #","amount":\#(amount),"currency":"EUR","card":{"brand":"visa","last4":""#
                    + "\(padded: self.random.int(in: 0...9999), width: 4)\"}"
            )
        case 1:
            return Entry(
                level: 2,
                message: "retrying request to payments-provider (attempt 2\\/3)",
                latency: self.random.int(in: 1000...3000),
                extras: #","retry":{"attempt":2,"max":3,"backoff_ms":500}"#
            )
        case 2:
            return Entry(
                level: 3,
                message: "card declined: insufficient_funds",
                latency: self.random.int(in: 200...700),
                extras: #","decline":{"code":"insufficient_funds","retryable":false}"#
            )
        default:
            return Entry(
                level: 0,
                message: "webhook verified event=charge.succeeded",
                latency: self.random.int(in: 0...5)
            )
        }
    }

    private mutating func search() -> Entry {
        switch self.random.pickIndex(weights: [45, 25, 10, 10, 1]) {
        case 0:
            return Entry(
                message: "search query \(self.random.pick(Self.searchTerms)) returned "
                    + "\(self.random.int(in: 0...5000)) results",
                latency: self.random.int(in: 5...300),
                extras: self.random.chance(0.3) ? #","tags":["search","mobile"]"# : ""
            )
        case 1:
            return Entry(
                level: 0,
                message: "cache lookup key=search:\(self.random.int(in: 1000...9999)) hit=\(self.random.chance(0.7))",
                latency: 0,
                extras: #","cache":{"hit":true,"ttl_s":300}"#
            )
        case 2:
            return Entry(
                level: 2,
                message: "slow query detected duration=\(self.random.int(in: 1000...4000))ms",
                latency: self.random.int(in: 1000...4000)
            )
        case 3:
            return Entry(
                message: "Suche nach „Kühlschrank“ ergab \(self.random.int(in: 0...400)) Treffer",
                latency: self.random.int(in: 5...200)
            )
        default:
            return Entry(
                level: 3,
                message: "index refresh failed: shard 3 unavailable",
                latency: self.random.int(in: 50...500)
            )
        }
    }

    private mutating func inventory() -> Entry {
        switch self.random.pickIndex(weights: [20, 40, 15, 25]) {
        case 0:
            return Entry(
                level: 2,
                message: "stock low for sku=SKU-\(self.random.int(in: 10_000...99_999)) "
                    + "remaining=\(self.random.int(in: 0...9))",
                latency: self.random.int(in: 1...30)
            )
        case 1:
            let first = (self.random.int(in: 10_000...99_999), self.random.int(in: 1...5))
            let second = (self.random.int(in: 10_000...99_999), self.random.int(in: 1...5))
            let items =
                #","items":[{"sku":"SKU-\#(first.0)","qty":\#(first.1)},"#
                + #"{"sku":"SKU-\#(second.0)","qty":\#(second.1)}]"#
            return Entry(message: "stock reserved", latency: self.random.int(in: 3...60), extras: items)
        case 2:
            return Entry(message: "Lager Zürich synchronisiert ✓", latency: self.random.int(in: 100...900))
        default:
            return Entry(
                level: 0,
                message: "cache lookup key=product:\(self.random.int(in: 100_000...999_999)) hit=true",
                latency: 0
            )
        }
    }

    private mutating func notifications() -> Entry {
        switch self.random.pickIndex(weights: [30, 20, 20, 10, 10]) {
        case 0:
            return Entry(
                message: #"email sent to \u00c9milie Dupont <emilie@example.com>"#,
                latency: self.random.int(in: 80...600)
            )
        case 1:
            return Entry(
                message: #"push sent 🚀 title=\"Your order has shipped\""#,
                latency: self.random.int(in: 20...200),
                extras: #","tags":["push","ios"]"#
            )
        case 2: return Entry(message: "SMS 送信完了 (+81 90-xxxx-1234)", latency: self.random.int(in: 100...900))
        case 3:
            return Entry(
                level: 3,
                message: "smtp send failed: 421 4.7.0 Try again later",
                latency: self.random.int(in: 1000...5000)
            )
        default: return Entry(level: 0, message: "template rendered name=order_shipped locale=de-CH", latency: 2)
        }
    }

    private mutating func worker() -> Entry {
        switch self.random.pickIndex(weights: [50, 15, 4, 12, 1]) {
        case 0:
            return Entry(
                message: "job finished job="
                    + self.random.pick(["send_email", "resize_image", "sync_stock", "export_orders"]),
                latency: self.random.int(in: 10...4000),
                extras: #","job":{"queue":"default","attempt":1}"#
            )
        case 1:
            return Entry(
                message: #"export written to C:\\exports\\orders-\#(self.random.int(in: 1000...9999)).csv"#,
                latency: self.random.int(in: 300...3000)
            )
        case 2:
            return Entry(
                level: 3,
                message: #"job failed: panic: runtime error: index out of range [3] with length 3\n\tat worker.go:142"#,
                latency: self.random.int(in: 5...50),
                extras: #","error":{"type":"panic","stack":["worker.go:142","queue.go:77","main.go:31"]}"#
            )
        case 3:
            return Entry(
                level: 0,
                message: #"raw payload \u001b[31mred\u001b[0m bytes=\#(self.random.int(in: 10...999))"#,
                latency: 0
            )
        default:
            return Entry(level: 4, message: "worker pool exhausted, shutting down", latency: 0)
        }
    }
}
