/// `nginx_access.log`: nginx's `combined` format with `$request_time` appended.
///
/// `log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
/// "$http_referer" "$http_user_agent" $request_time';` on a web shop: returning browser, bot, app
/// and tool clients (some over IPv6), Kubernetes health checks every 30 s, scanners probing for
/// `.env` files, TLS handshakes sent to the plain-HTTP port, empty requests. Incidents: one request
/// flood (one 198.51.100.0/24 address, hundreds of logins within a minute, answered 429 once the rate
/// limit kicks in) and one window of a few minutes where about a third of requests fail with 5xx.
struct NginxAccessSample {
    struct Result {
        var file: SampleFile
        var truth: SampleTruth.Nginx
    }

    private struct Client {
        var ip: String
        var agent: Int
        var weight: Int
    }

    private struct Request {
        var method = "GET"
        var path = "/"
        var status = 200
        var bytes = 0
        var referrer = "-"
        var milliseconds = 0
        var raw: String?  // a request line that is not `METHOD PATH PROTOCOL`
    }

    private enum Flag {
        static let flood: UInt16 = 1 << 0
        static let healthCheck: UInt16 = 1 << 1
    }

    private enum AgentKind { case browser, bot, app, tool }

    private static let agents: [(agent: String, kind: AgentKind, weight: Int)] = [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/131.0.0.0 Safari/537.36",
            .browser, 30
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                + "Version/18.1 Safari/605.1.15",
            .browser, 14
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0", .browser, 6),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/131.0.6778.39 Mobile Safari/537.36",
            .browser, 16
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                + "Version/18.1 Mobile/15E148 Safari/604.1",
            .browser, 18
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            .browser, 6
        ),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", .bot, 3),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", .bot, 2),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", .bot, 1),
        ("ShopApp/3.14.2 (iPhone; iOS 18.1; Scale/3.00)", .app, 6),
        ("okhttp/4.12.0", .app, 5),
        ("curl/8.5.0", .tool, 1),
        ("Go-http-client/2.0", .tool, 1),
        ("Mozilla/5.0 \\x22compatible\\x22 (X11; Linux x86_64) feed-reader/2.1", .tool, 1),
        ("-", .tool, 1),
    ]
    private static let products = [
        "trail-running-shoes", "merino-wool-socks", "usb-c-cable-2m", "espresso-grinder", "winter-jacket",
        "noise-cancelling-headphones", "cast-iron-skillet", "yoga-mat", "led-desk-lamp", "mechanical-keyboard",
        "rain-poncho", "smart-thermostat",
    ]
    private static let categories = ["shoes", "kitchen", "electronics", "outdoor", "sale", "gifts"]
    private static let searches = [
        "shoes", "usb-c+cable", "winter+jacket", "k%C3%BChlschrank", "gift+card", "desk+lamp", "socks%20wool",
        "caf%C3%A9+grinder",
    ]
    private static let probes = [
        ("GET", "/.env"), ("GET", "/wp-login.php"), ("GET", "/.git/config"), ("GET", "/phpmyadmin/index.php"),
        ("GET", "/actuator/env"), ("POST", "/boaform/admin/formLogin"), ("GET", "/cgi-bin/luci/;stok=/locale"),
        ("GET", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php"), ("GET", "/server-status"),
    ]
    private static let probeAgents = [
        "Mozilla/5.0 zgrab/0.x", "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
        "masscan/1.3 (https://github.com/robertdavidgraham/masscan)", "-",
    ]
    private static let floodAgent = "python-requests/2.32.3"

    private var random: SeededRandom
    private var out: SampleLineWriter
    private let clock: SampleClock
    private var clients: [Client] = []
    private var totalWeight = 0
    private var burstWindow: ClosedRange<Int64>?  // whole seconds
    private var flood: SampleTruth.Flood?

    private init(options: SampleLogGenerator.Options, clock: SampleClock) {
        self.random = SeededRandom(seed: options.seed, stream: "nginx_access.log")
        self.out = SampleLineWriter(expectedLines: options.nginxLines, bytesPerLine: 230)
        self.clock = clock
        let agentWeights = Self.agents.map(\.weight)
        for rank in 0..<160 {
            let ip =
                self.random.chance(0.1)
                ? SampleNetwork.documentationIPv6(using: &self.random)
                : SampleNetwork.publicIPv4(using: &self.random)
            let weight = 20 + 200 / (rank + 1)
            self.clients.append(Client(ip: ip, agent: self.random.pickIndex(weights: agentWeights), weight: weight))
            self.totalWeight += weight
        }
    }

    static func generate(options: SampleLogGenerator.Options, clock: SampleClock) -> Result {
        var sample = NginxAccessSample(options: options, clock: clock)
        let lines = max(0, options.nginxLines)
        if lines >= 1000 {
            sample.requestFlood(requests: min(sample.random.int(in: 280...420), lines / 3))
            let start = SampleClock.wholeSecond(sample.clock.randomTime(perMille: 550, to: 700, using: &sample.random))
            let seconds = start / 1_000_000
            sample.burstWindow = seconds...(seconds + Int64(sample.random.int(in: 240...330)) - 1)
        }
        let checks = max(0, min(Int(sample.clock.span / 30_000_000), (lines - sample.out.lineCount) / 10))
        for check in 0..<checks {
            sample.healthCheck(at: sample.clock.start + Int64(check) * 30_000_000 + sample.millisRandom(0...400))
        }
        while sample.out.lineCount < lines {
            sample.backgroundRequest()
        }
        _ = sample.out.sortByTime()
        let assembled = SampleAssembler.assemble(name: "nginx_access.log", writer: sample.out, options: options)

        var truth = SampleTruth.Nginx(
            requests: 0,
            statusCounts: [:],
            serverErrors: 0,
            flood: sample.flood,
            serverErrorBurst: nil
        )
        var inWindow = 0
        var errorsInWindow = 0
        for (index, record) in sample.out.records.enumerated() where !assembled.replaced[index] {
            let status = Int(record.value)
            truth.requests += 1
            truth.statusCounts[status, default: 0] += 1
            if status >= 500 { truth.serverErrors += 1 }
            if let window = sample.burstWindow, window.contains(SampleLineWriter.floorDivide(record.time, 1_000_000)) {
                inWindow += 1
                if status >= 500 { errorsInWindow += 1 }
            }
        }
        if let window = sample.burstWindow {
            truth.serverErrorBurst = SampleTruth.ServerErrorBurst(
                start: window.lowerBound,
                end: window.upperBound,
                requests: inWindow,
                serverErrors: errorsInWindow
            )
        }
        return Result(file: assembled.file, truth: truth)
    }

    private mutating func millisRandom(_ range: ClosedRange<Int>) -> Int64 {
        Int64(self.random.int(in: range)) * 1000
    }

    // MARK: Lines

    private mutating func write(
        at time: Int64,
        ip: String,
        user: String = "-",
        request: Request,
        agent: String,
        http2: Bool,
        flags: UInt16 = 0,
        isProtected: Bool = false
    ) {
        let time = self.clock.clamp(time)
        self.out.beginLine(at: time, isProtected: isProtected, flags: flags, value: Int32(request.status))
        self.out.append(ip)
        self.out.append(" - ")
        self.out.append(user)
        self.out.append(" [")
        self.out.appendNginxDate(seconds: SampleLineWriter.floorDivide(time, 1_000_000))
        self.out.append("] \"")
        if let raw = request.raw {
            self.out.append(raw)
        } else {
            self.out.append(request.method)
            self.out.append(byte: UInt8(ascii: " "))
            self.out.append(request.path)
            self.out.append(http2 ? " HTTP/2.0" : " HTTP/1.1")
        }
        self.out.append("\" ")
        self.out.append(request.status)
        self.out.append(byte: UInt8(ascii: " "))
        self.out.append(request.bytes)
        self.out.append(" \"")
        self.out.append(request.referrer)
        self.out.append("\" \"")
        self.out.append(agent)
        self.out.append("\" ")
        self.out.appendSeconds(milliseconds: request.milliseconds)
        self.out.endLine()
    }

    // MARK: Incidents

    /// A credential-stuffing script: hundreds of logins within a minute from one address; the
    /// first few get 401, then nginx's `limit_req` answers 429 to nearly all of them.
    private mutating func requestFlood(requests: Int) {
        let ip = "198.51.100.\(self.random.int(in: 2...254))"
        let start = SampleClock.wholeSecond(self.clock.randomTime(perMille: 200, to: 350, using: &self.random))
        let allowed = self.random.int(in: 10...25)
        let step = Int64(59_000_000) / Int64(requests)
        var first = Int64.max
        var last = Int64.min
        var limited = 0
        for index in 0..<requests {
            let time = self.clock.clamp(start + step * Int64(index) + Int64(self.random.next(below: UInt64(step))))
            var request = Request(method: "POST", path: "/api/v1/login", referrer: "-")
            if index < allowed || index % 25 == 0 {
                request.status = 401
                request.bytes = 61
                request.milliseconds = self.random.int(in: 60...180)
            } else {
                request.status = 429
                request.bytes = 169
                limited += 1
            }
            self.write(
                at: time,
                ip: ip,
                request: request,
                agent: Self.floodAgent,
                http2: false,
                flags: Flag.flood,
                isProtected: true
            )
            let second = SampleLineWriter.floorDivide(time, 1_000_000)
            first = min(first, second)
            last = max(last, second)
        }
        self.flood = SampleTruth.Flood(
            ip: ip,
            first: first,
            last: last,
            requests: requests,
            tooManyRequests: limited,
            userAgent: Self.floodAgent
        )
    }

    // MARK: Background

    private mutating func healthCheck(at time: Int64) {
        let request = Request(path: "/healthz", bytes: 2, milliseconds: self.random.int(in: 0...2))
        self.write(
            at: time,
            ip: "10.0.0.2",
            request: request,
            agent: "kube-probe/1.31",
            http2: false,
            flags: Flag.healthCheck
        )
    }

    private mutating func backgroundRequest() {
        let time = self.clock.randomTime(using: &self.random)
        let roll = self.random.int(in: 0..<1000)
        if roll < 15 {
            let probe = self.random.pick(Self.probes)
            var request = Request(method: probe.0, path: probe.1, status: 404, bytes: 153)
            request.milliseconds = self.random.int(in: 0...3)
            let agent = self.random.pick(Self.probeAgents)
            self.write(
                at: time,
                ip: SampleNetwork.publicIPv4(using: &self.random),
                request: request,
                agent: agent,
                http2: false
            )
            return
        }
        if roll < 20 {
            var request = Request(status: 400, raw: "-")
            if self.random.chance(0.5) {
                var handshake = "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03"
                for _ in 0..<6 {
                    let byte = self.random.int(in: 0...255)
                    handshake += (byte < 16 ? "\\x0" : "\\x") + String(byte, radix: 16, uppercase: true)
                }
                request.raw = handshake
                request.bytes = 157
                request.milliseconds = self.random.int(in: 0...2)
            }
            self.write(
                at: time,
                ip: SampleNetwork.publicIPv4(using: &self.random),
                request: request,
                agent: "-",
                http2: false
            )
            return
        }
        if roll < 23 {
            let request = Request(path: "/nginx_status", bytes: self.random.int(in: 95...99), milliseconds: 0)
            self.write(
                at: time,
                ip: "10.20.1.\(self.random.int(in: 2...250))",
                user: "ops",
                request: request,
                agent: "curl/8.5.0",
                http2: false
            )
            return
        }
        let client = self.pickClient()
        let kind = Self.agents[client.agent].kind
        var request = self.makeRequest(for: kind)
        if let window = self.burstWindow, window.contains(SampleLineWriter.floorDivide(time, 1_000_000)),
            self.random.chance(0.35)
        {
            self.failUpstream(&request)
        } else if request.path.hasPrefix("/api/"), self.random.chance(0.004) {
            self.failUpstream(&request)
        }
        let http2 = kind == .browser ? self.random.chance(0.55) : false
        self.write(at: time, ip: client.ip, request: request, agent: Self.agents[client.agent].agent, http2: http2)
    }

    private mutating func pickClient() -> Client {
        var roll = Int(self.random.next(below: UInt64(self.totalWeight)))
        for client in self.clients {
            if roll < client.weight { return client }
            roll -= client.weight
        }
        return self.clients[self.clients.count - 1]
    }

    /// Turns a request into an upstream failure: 502 (app down), 503 (overloaded), 504 (timeout)
    /// or 500.
    private mutating func failUpstream(_ request: inout Request) {
        switch self.random.pickIndex(weights: [40, 25, 20, 15]) {
        case 0:
            request.status = 502
            request.bytes = 157
            request.milliseconds = self.random.int(in: 1...40)
        case 1:
            request.status = 503
            request.bytes = 197
            request.milliseconds = self.random.int(in: 0...2)
        case 2:
            request.status = 504
            request.bytes = 167
            request.milliseconds = 60_000 + self.random.int(in: 0...12)
        default:
            request.status = 500
            request.bytes = 177
            request.milliseconds = self.random.int(in: 8...300)
        }
    }

    private mutating func makeRequest(for kind: AgentKind) -> Request {
        switch kind {
        case .bot:
            return self.random.chance(0.1) ? self.crawlerFile() : self.page(crawler: true)
        case .app, .tool:
            return self.api()
        case .browser:
            switch self.random.int(in: 0..<100) {
            case 0..<38: return self.page(crawler: false)
            case 38..<70: return self.staticAsset()
            case 70..<96: return self.api()
            default: return self.random.chance(0.5) ? Request(path: "/shop", status: 301, bytes: 169) : self.head()
            }
        }
    }

    private mutating func page(crawler: Bool) -> Request {
        var request = Request()
        switch self.random.int(in: 0..<(crawler ? 7 : 10)) {
        case 0: request.path = "/"
        case 1, 2, 3: request.path = "/products/" + self.random.pick(Self.products)
        case 4, 5: request.path = "/category/" + self.random.pick(Self.categories)
        case 6: request.path = "/search?q=" + self.random.pick(Self.searches)
        case 7: request.path = "/cart"
        case 8: request.path = "/account/orders"
        default:
            request.path = "/checkout"
        }
        request.bytes = self.random.int(in: 8_000...64_000)
        request.milliseconds = self.random.int(in: 12...380)
        if request.path == "/checkout", self.random.chance(0.3) {
            request.status = 302
            request.bytes = 145
            request.milliseconds = self.random.int(in: 2...20)
        } else if request.path.hasPrefix("/products/"), self.random.chance(0.04) {
            request.status = 404
            request.bytes = 5_412
        }
        request.referrer = self.random.pick([
            "-", "-", "https://www.google.com/", "https://www.bing.com/", "https://shop.example.com/",
            "https://shop.example.com/cart", "https://shop.example.com/search?q=shoes",
            "android-app://com.google.android.gm/",
        ])
        return request
    }

    private mutating func staticAsset() -> Request {
        var request = Request(referrer: "https://shop.example.com/")
        switch self.random.int(in: 0..<10) {
        case 0, 1:
            request.path = "/static/js/app.3f9c2b1e.js"
            request.bytes = 184_233
        case 2:
            request.path = "/static/css/main.8a1d4e07.css"
            request.bytes = 41_870
        case 3:
            request.path = "/static/fonts/inter-var.woff2"
            request.bytes = 97_252
        case 4:
            request.path = "/favicon.ico"
            request.bytes = 15_086
        case 5:
            request.path = "/static/video/promo.mp4"
            request.status = 206
            request.bytes = self.random.int(in: 65_536...1_048_576)
        default:
            request.path = "/static/img/products/\(self.random.int(in: 1000...1400)).webp"
            request.bytes = self.random.int(in: 6_000...180_000)
        }
        request.milliseconds = self.random.int(in: 0...4)
        if request.status == 200, self.random.chance(0.3) {
            request.status = 304
            request.bytes = 0
        }
        return request
    }

    private mutating func api() -> Request {
        var request = Request(referrer: "https://shop.example.com/")
        request.milliseconds = self.random.int(in: 3...240)
        switch self.random.int(in: 0..<20) {
        case 0..<5:
            request.path = "/api/v1/products?page=\(self.random.int(in: 1...40))&limit=50"
            request.bytes = self.random.int(in: 9_000...24_000)
        case 5..<9:
            request.path = "/api/v1/products/\(self.random.int(in: 10_000...39_999))"
            request.bytes = self.random.int(in: 900...2_600)
            if self.random.chance(0.05) {
                request.status = 404
                request.bytes = 46
            }
        case 9, 10:
            request.path = "/api/v1/cart"
            request.bytes = self.random.int(in: 80...3_000)
        case 11, 12:
            request.method = "POST"
            request.path = "/api/v1/cart/items"
            request.status = self.random.chance(0.92) ? 201 : self.random.pick([400, 422])
            request.bytes = request.status == 201 ? self.random.int(in: 300...900) : 88
        case 13:
            request.method = "DELETE"
            request.path = "/api/v1/cart/items/\(self.random.int(in: 1...99))"
            request.status = 204
        case 14:
            request.method = "POST"
            request.path = "/api/v1/orders"
            request.status = self.random.pick([201, 201, 201, 201, 201, 402, 409])
            request.bytes = request.status == 201 ? self.random.int(in: 400...1_200) : 112
            request.milliseconds = self.random.int(in: 150...1_900)
        case 15:
            request.path = "/api/v1/orders/\(self.random.int(in: 100_000...199_999))"
            request.status = self.random.pick([200, 200, 200, 200, 401, 403])
            request.bytes = request.status == 200 ? self.random.int(in: 700...2_400) : 61
        case 16:
            request.method = "POST"
            request.path = "/api/v1/login"
            request.status = self.random.chance(0.85) ? 200 : 401
            request.bytes = request.status == 200 ? 412 : 61
            request.milliseconds = self.random.int(in: 60...200)
        case 17:
            request.method = "OPTIONS"
            request.path = "/api/v1/cart"
            request.status = 204
            request.milliseconds = 0
        case 18:
            request.path = "/api/v1/recommendations?user=u_\(padded: self.random.int(in: 1...999_999), width: 6)"
            request.bytes = self.random.int(in: 1_500...6_000)
            request.milliseconds = self.random.int(in: 40...900)
        default:
            request.path = "/api/v1/search?q=" + self.random.pick(Self.searches) + "&page=1"
            request.bytes = self.random.int(in: 2_000...30_000)
        }
        if self.random.chance(0.004) {
            request.status = 499
            request.bytes = 0
            request.milliseconds = self.random.int(in: 1_000...30_000)
        }
        return request
    }

    private mutating func crawlerFile() -> Request {
        self.random.chance(0.5)
            ? Request(path: "/robots.txt", bytes: 213, milliseconds: 0)
            : Request(path: "/sitemap.xml", bytes: 48_211, milliseconds: self.random.int(in: 1...9))
    }

    private mutating func head() -> Request {
        Request(method: "HEAD", path: "/", bytes: 0, milliseconds: self.random.int(in: 5...40))
    }
}
