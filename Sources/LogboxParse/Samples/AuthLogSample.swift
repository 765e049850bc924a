/// `auth.log`: RFC 3164 lines as rsyslog writes `/var/log/auth.log` on Debian and Ubuntu.
///
/// No PRI, no year, the day padded with a space (`Nov  1 00:02:41 web-02 sshd[28022]: ...`).
/// Background: SSH logins with their PAM and systemd-logind lines, internet scanners (one or two
/// failures per address), pre-authentication noise, sudo and cron sessions, and two rsyslog
/// `last message repeated 3 times` lines. Incident: one SSH brute force, 40+ `Failed password`
/// lines from one 203.0.113.0/24 address against one host within two minutes.
struct AuthLogSample {
    struct Result {
        var file: SampleFile
        var truth: SampleTruth.Auth
    }

    private enum Flag {
        static let failedPassword: UInt16 = 1 << 0
        static let acceptedPassword: UInt16 = 1 << 1
        static let acceptedPublickey: UInt16 = 1 << 2
        static let invalidUser: UInt16 = 1 << 3
        static let sudoCommand: UInt16 = 1 << 4
        static let repeated: UInt16 = 1 << 5
    }

    private static let hosts = ["web-01", "web-02", "api-01", "db-01", "bastion-01"]
    private static let loginWeights = [14, 14, 14, 8, 50]
    private static let users: [(name: String, uid: Int)] = [
        ("alice", 1001), ("bob", 1002), ("carol", 1003), ("dmitri", 1004), ("erin", 1005), ("farah", 1006),
        ("deploy", 1100), ("ansible", 1101), ("backup", 1102),
    ]
    private static let sudoers = [0, 1, 2, 6, 7]
    private static let scannedNames = [
        "admin", "test", "user", "oracle", "guest", "ftpuser", "pi", "support", "ubnt", "nagios", "hadoop",
        "git", "postgres", "mysql", "jenkins", "ubuntu", "centos", "ec2-user", "vagrant", "minecraft", "steam",
        "teamspeak", "odoo", "sysadmin", "deployer", "www-data", "tomcat", "elastic", "zabbix", "student",
        "dev", "operator", "backup1", "webmaster", "sshuser", "user1", "test2", "administrator", "server",
        "docker", "kafka", "redis", "solana", "sol", "validator", "node", "ts3", "anonymous",
    ]
    private static let sudoCommands = [
        "/usr/bin/systemctl restart nginx", "/usr/bin/apt update", "/usr/bin/journalctl -u app -n 200",
        "/usr/bin/tail -n 100 /var/log/syslog", "/usr/bin/docker ps -a", "/usr/bin/cat /etc/nginx/nginx.conf",
        "/usr/bin/systemctl status postgresql", "/usr/bin/vim /etc/hosts", "/usr/bin/du -sh /var/lib/docker",
        "/usr/bin/systemctl reload nginx", "/usr/sbin/ufw status verbose",
    ]
    private static let kexOffer =
        "diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1"

    private var random: SeededRandom
    private var out: SampleLineWriter
    private let clock: SampleClock
    private var logindPIDs: [Int] = []
    private var sessionBases: [Int] = []
    private var brute: (ip: String, host: String, first: Int64, last: Int64, failures: Int, users: Int, lines: Int)?

    private init(options: SampleLogGenerator.Options, clock: SampleClock) {
        self.random = SeededRandom(seed: options.seed, stream: "auth.log")
        self.out = SampleLineWriter(expectedLines: options.authLines, bytesPerLine: 110)
        self.clock = clock
        for _ in Self.hosts {
            self.logindPIDs.append(self.random.int(in: 600...990))
            self.sessionBases.append(self.random.int(in: 80...4000))
        }
    }

    static func generate(options: SampleLogGenerator.Options, clock: SampleClock) -> Result {
        var sample = AuthLogSample(options: options, clock: clock)
        let lines = max(0, options.authLines)
        if lines >= 400 {
            sample.bruteForce()
        }
        if lines >= 100 {
            sample.repeatedMessage()
            sample.repeatedMessage()
        }
        while sample.out.lineCount < lines {
            sample.backgroundEvent(remaining: lines - sample.out.lineCount)
        }
        _ = sample.out.sortByTime()
        let assembled = SampleAssembler.assemble(name: "auth.log", writer: sample.out, options: options)

        var truth = SampleTruth.Auth(
            hosts: Self.hosts.sorted(),
            lines: 0,
            failedPassword: 0,
            acceptedPassword: 0,
            acceptedPublickey: 0,
            invalidUser: 0,
            sudoCommands: 0,
            lastMessageRepeated: 0,
            bruteForce: nil
        )
        for (index, record) in sample.out.records.enumerated() where !assembled.replaced[index] {
            truth.lines += 1
            let flags = record.flags
            if flags & Flag.failedPassword != 0 { truth.failedPassword += 1 }
            if flags & Flag.acceptedPassword != 0 { truth.acceptedPassword += 1 }
            if flags & Flag.acceptedPublickey != 0 { truth.acceptedPublickey += 1 }
            if flags & Flag.invalidUser != 0 { truth.invalidUser += 1 }
            if flags & Flag.sudoCommand != 0 { truth.sudoCommands += 1 }
            if flags & Flag.repeated != 0 { truth.lastMessageRepeated += 1 }
        }
        if let brute = sample.brute {
            truth.bruteForce = SampleTruth.BruteForce(
                ip: brute.ip,
                host: brute.host,
                first: brute.first,
                last: brute.last,
                failures: brute.failures,
                usersTried: brute.users,
                lines: brute.lines
            )
        }
        return Result(file: assembled.file, truth: truth)
    }

    // MARK: Lines

    /// Opens a line: `Nov  1 00:02:41 host program[pid]: `.
    private mutating func begin(
        _ time: Int64,
        host: Int,
        program: String,
        pid: Int? = nil,
        flags: UInt16 = 0,
        isProtected: Bool = false
    ) {
        let time = self.clock.clamp(time)
        self.out.beginLine(at: time, isProtected: isProtected, flags: flags)
        self.out.appendSyslogDate(seconds: SampleLineWriter.floorDivide(time, 1_000_000))
        self.out.append(byte: UInt8(ascii: " "))
        self.out.append(Self.hosts[host])
        self.out.append(byte: UInt8(ascii: " "))
        self.out.append(program)
        if let pid {
            self.out.append(byte: UInt8(ascii: "["))
            self.out.append(pid)
            self.out.append(byte: UInt8(ascii: "]"))
        }
        self.out.append(": ")
    }

    private mutating func line(
        _ time: Int64,
        host: Int,
        program: String,
        pid: Int? = nil,
        flags: UInt16 = 0,
        isProtected: Bool = false,
        _ message: String
    ) {
        self.begin(time, host: host, program: program, pid: pid, flags: flags, isProtected: isProtected)
        self.out.append(message)
        self.out.endLine()
    }

    private mutating func millis(_ range: ClosedRange<Int>) -> Int64 {
        Int64(self.random.int(in: range)) * 1000
    }

    // MARK: Incidents

    /// One address tries many user names against one host: each attempt is an `Invalid user`
    /// notice and a `Failed password` line (or a PAM failure and `Failed password for root`),
    /// sometimes followed by the connection closing.
    private mutating func bruteForce() {
        let ip = "203.0.113.\(self.random.int(in: 10...250))"
        let host = self.random.int(in: 0..<Self.hosts.count)
        let failures = self.random.int(in: 42...58)
        let window = Int64(self.random.int(in: 70...105)) * 1_000_000
        let start = SampleClock.wholeSecond(self.clock.randomTime(perMille: 350, to: 650, using: &self.random))
        var names = Self.scannedNames
        self.random.shuffle(&names)
        var tried = Set<String>()
        var first = Int64.max
        var last = Int64.min
        let before = self.out.lineCount
        for attempt in 0..<failures {
            let time = start + window * Int64(attempt) / Int64(failures - 1)
            let user = attempt % 6 == 0 ? "root" : names[attempt % names.count]
            tried.insert(user)
            let pid = self.random.int(in: 20_000...65_000)
            let port = self.random.int(in: 32_768...60_999)
            let failedAt = time + self.millis(1500...2400)
            if user == "root" {
                self.line(
                    time,
                    host: host,
                    program: "sshd",
                    pid: pid,
                    isProtected: true,
                    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
                        + "rhost=\(ip)  user=root"
                )
                self.line(
                    failedAt,
                    host: host,
                    program: "sshd",
                    pid: pid,
                    flags: Flag.failedPassword,
                    isProtected: true,
                    "Failed password for root from \(ip) port \(port) ssh2"
                )
            } else {
                self.line(
                    time,
                    host: host,
                    program: "sshd",
                    pid: pid,
                    flags: Flag.invalidUser,
                    isProtected: true,
                    "Invalid user \(user) from \(ip) port \(port)"
                )
                self.line(
                    failedAt,
                    host: host,
                    program: "sshd",
                    pid: pid,
                    flags: Flag.failedPassword,
                    isProtected: true,
                    "Failed password for invalid user \(user) from \(ip) port \(port) ssh2"
                )
            }
            if self.random.chance(0.4) {
                let who = user == "root" ? "authenticating user root" : "invalid user \(user)"
                self.line(
                    failedAt + self.millis(200...600),
                    host: host,
                    program: "sshd",
                    pid: pid,
                    isProtected: true,
                    "Connection closed by \(who) \(ip) port \(port) [preauth]"
                )
            }
            let second = SampleLineWriter.floorDivide(self.clock.clamp(failedAt), 1_000_000)
            first = min(first, second)
            last = max(last, second)
        }
        self.brute = (ip, Self.hosts[host], first, last, failures, tried.count, self.out.lineCount - before)
    }

    /// An automation job runs sudo without a password source again and again; rsyslog collapses
    /// the identical lines into `last message repeated 3 times` (host, no tag).
    private mutating func repeatedMessage() {
        let host = self.random.pickIndex(weights: Self.loginWeights)
        let time = self.clock.randomTime(perMille: 50, to: 950, using: &self.random)
        self.line(
            time,
            host: host,
            program: "sudo",
            isProtected: true,
            "pam_unix(sudo:auth): auth could not identify password for [deploy]"
        )
        self.out.beginLine(
            at: self.clock.clamp(time + self.millis(2000...8000)),
            isProtected: true,
            flags: Flag.repeated
        )
        self.out.appendSyslogDate(seconds: SampleLineWriter.floorDivide(self.out.pendingTime, 1_000_000))
        self.out.append(" \(Self.hosts[host]) last message repeated 3 times")
        self.out.endLine()
    }

    // MARK: Background

    private mutating func backgroundEvent(remaining: Int) {
        let time = self.clock.randomTime(using: &self.random)
        switch self.random.pickIndex(weights: [7, 18, 9, 22, 10, 1, 24]) {
        case 0 where remaining >= 8: self.login(at: time)
        case 1 where remaining >= 6: self.scanInvalidUsers(at: time, attempts: self.random.chance(0.2) ? 2 : 1)
        case 1 where remaining >= 3: self.scanInvalidUsers(at: time, attempts: 1)
        case 2 where remaining >= 3: self.scanRoot(at: time)
        case 4 where remaining >= 3: self.sudo(at: time)
        case 5 where remaining >= 2: self.sudoFailure(at: time)
        case 6 where remaining >= 2: self.cron(at: time)
        default: self.preauthNoise(at: time, remaining: remaining)
        }
    }

    /// A successful login and, later, its logout: sshd, PAM and systemd-logind lines.
    private mutating func login(at time: Int64) {
        let host = self.random.pickIndex(weights: Self.loginWeights)
        let user = self.random.pick(Self.users)
        let ip =
            user.name == "deploy" || user.name == "backup"
            ? "10.30.0.\(self.random.int(in: 5...9))"
            : "10.20.\(self.random.int(in: 0...3)).\(self.random.int(in: 2...250))"
        let pid = self.random.int(in: 2000...65_000)
        let port = self.random.int(in: 40_000...65_000)
        let logind = self.logindPIDs[host]
        let session = self.sessionBases[host] + Int((time - self.clock.start) / 5_000_000)
        if self.random.chance(0.75) {
            let keyType = self.random.chance(0.7) ? "ED25519" : "RSA"
            let fingerprint = SampleNetwork.randomString(from: SampleNetwork.base64, count: 43, using: &self.random)
            self.line(
                time,
                host: host,
                program: "sshd",
                pid: pid,
                flags: Flag.acceptedPublickey,
                "Accepted publickey for \(user.name) from \(ip) port \(port) ssh2: \(keyType) SHA256:\(fingerprint)"
            )
        } else {
            self.line(
                time,
                host: host,
                program: "sshd",
                pid: pid,
                flags: Flag.acceptedPassword,
                "Accepted password for \(user.name) from \(ip) port \(port) ssh2"
            )
        }
        self.line(
            time + 12_000,
            host: host,
            program: "sshd",
            pid: pid,
            "pam_unix(sshd:session): session opened for user \(user.name)(uid=\(user.uid)) by (uid=0)"
        )
        self.line(
            time + 25_000,
            host: host,
            program: "systemd-logind",
            pid: logind,
            "New session \(session) of user \(user.name)."
        )
        let end = time + self.millis(20_000...3_000_000)
        self.line(
            end,
            host: host,
            program: "sshd",
            pid: pid,
            "Received disconnect from \(ip) port \(port):11: disconnected by user"
        )
        self.line(end, host: host, program: "sshd", pid: pid, "Disconnected from user \(user.name) \(ip) port \(port)")
        self.line(
            end + 4_000,
            host: host,
            program: "sshd",
            pid: pid,
            "pam_unix(sshd:session): session closed for user \(user.name)"
        )
        self.line(
            end + 9_000,
            host: host,
            program: "systemd-logind",
            pid: logind,
            "Session \(session) logged out. Waiting for processes to exit."
        )
        self.line(end + 21_000, host: host, program: "systemd-logind", pid: logind, "Removed session \(session).")
    }

    /// An internet scanner trying a name that does not exist (three lines per attempt).
    private mutating func scanInvalidUsers(at time: Int64, attempts: Int) {
        let ip = SampleNetwork.publicIPv4(using: &self.random)
        let host = self.random.int(in: 0..<Self.hosts.count)
        var time = time
        for _ in 0..<attempts {
            let user = self.random.pick(Self.scannedNames)
            let pid = self.random.int(in: 2000...65_000)
            let port = self.random.int(in: 1024...65_000)
            self.line(
                time,
                host: host,
                program: "sshd",
                pid: pid,
                flags: Flag.invalidUser,
                "Invalid user \(user) from \(ip) port \(port)"
            )
            let failedAt = time + self.millis(1800...3200)
            self.line(
                failedAt,
                host: host,
                program: "sshd",
                pid: pid,
                flags: Flag.failedPassword,
                "Failed password for invalid user \(user) from \(ip) port \(port) ssh2"
            )
            self.line(
                failedAt + self.millis(150...500),
                host: host,
                program: "sshd",
                pid: pid,
                "Connection closed by invalid user \(user) \(ip) port \(port) [preauth]"
            )
            time = failedAt + self.millis(1000...9000)
        }
    }

    /// An internet scanner guessing root's password (three lines).
    private mutating func scanRoot(at time: Int64) {
        let ip = SampleNetwork.publicIPv4(using: &self.random)
        let host = self.random.int(in: 0..<Self.hosts.count)
        let pid = self.random.int(in: 2000...65_000)
        let port = self.random.int(in: 1024...65_000)
        self.line(
            time,
            host: host,
            program: "sshd",
            pid: pid,
            "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=\(ip)  user=root"
        )
        let failedAt = time + self.millis(1800...3000)
        self.line(
            failedAt,
            host: host,
            program: "sshd",
            pid: pid,
            flags: Flag.failedPassword,
            "Failed password for root from \(ip) port \(port) ssh2"
        )
        self.line(
            failedAt + self.millis(150...500),
            host: host,
            program: "sshd",
            pid: pid,
            "Connection closed by authenticating user root \(ip) port \(port) [preauth]"
        )
    }

    /// Connections that never reach authentication (one or two lines).
    private mutating func preauthNoise(at time: Int64, remaining: Int) {
        let ip = SampleNetwork.publicIPv4(using: &self.random)
        let host = self.random.int(in: 0..<Self.hosts.count)
        let pid = self.random.int(in: 2000...65_000)
        let port = self.random.int(in: 1024...65_000)
        let variant = remaining >= 2 ? self.random.int(in: 0...6) : self.random.int(in: 0...4)
        switch variant {
        case 0:
            self.line(time, host: host, program: "sshd", pid: pid, "Connection closed by \(ip) port \(port) [preauth]")
        case 1:
            self.line(time, host: host, program: "sshd", pid: pid, "Connection reset by \(ip) port \(port) [preauth]")
        case 2:
            self.line(
                time,
                host: host,
                program: "sshd",
                pid: pid,
                "Unable to negotiate with \(ip) port \(port): no matching key exchange method found. "
                    + "Their offer: \(Self.kexOffer) [preauth]"
            )
        case 3:
            self.line(
                time,
                host: host,
                program: "sshd",
                pid: pid,
                "banner exchange: Connection from \(ip) port \(port): invalid format"
            )
        case 4:
            self.line(
                time,
                host: host,
                program: "sshd",
                pid: pid,
                "fatal: Timeout before authentication for \(ip) port \(port)"
            )
        case 5:
            self.line(
                time,
                host: host,
                program: "sshd",
                pid: pid,
                "Received disconnect from \(ip) port \(port):11: Bye Bye [preauth]"
            )
            self.line(time, host: host, program: "sshd", pid: pid, "Disconnected from \(ip) port \(port) [preauth]")
        default:
            self.line(
                time,
                host: host,
                program: "sshd",
                pid: pid,
                "error: kex_exchange_identification: Connection closed by remote host"
            )
            self.line(time, host: host, program: "sshd", pid: pid, "Connection closed by \(ip) port \(port)")
        }
    }

    /// A sudo command with its PAM session (three lines). Interactive users have a TTY; the
    /// automation accounts run commands through Ansible's become wrapper without one.
    private mutating func sudo(at time: Int64) {
        let host = self.random.pickIndex(weights: Self.loginWeights)
        let user = Self.users[self.random.pick(Self.sudoers)]
        let padded = String(repeating: " ", count: max(0, 8 - user.name.utf8.count)) + user.name
        if user.name == "ansible" {
            let marker = SampleNetwork.randomString(
                from: SampleNetwork.lowerAlphanumerics,
                count: 32,
                using: &self.random
            )
            let tmp = "ansible-tmp-\(time / 1_000_000).\(self.random.int(in: 100_000...999_999))"
            let module = self.random.pick(["apt", "systemd", "copy", "file", "command"])
            self.line(
                time,
                host: host,
                program: "sudo",
                flags: Flag.sudoCommand,
                "\(padded) : PWD=/home/ansible ; USER=root ; COMMAND=/bin/sh -c echo BECOME-SUCCESS-\(marker) ; "
                    + "/usr/bin/python3 /home/ansible/.ansible/tmp/\(tmp)/AnsiballZ_\(module).py"
            )
        } else {
            let tty = self.random.int(in: 0...3)
            let directory = user.name == "deploy" ? "/srv/shop" : "/home/\(user.name)"
            self.line(
                time,
                host: host,
                program: "sudo",
                flags: Flag.sudoCommand,
                "\(padded) : TTY=pts/\(tty) ; PWD=\(directory) ; USER=root ; "
                    + "COMMAND=\(self.random.pick(Self.sudoCommands))"
            )
        }
        self.line(
            time + 3_000,
            host: host,
            program: "sudo",
            "pam_unix(sudo:session): session opened for user root(uid=0) by \(user.name)(uid=\(user.uid))"
        )
        self.line(
            time + self.millis(40...90_000),
            host: host,
            program: "sudo",
            "pam_unix(sudo:session): session closed for user root"
        )
    }

    /// A mistyped sudo password three times (two lines).
    private mutating func sudoFailure(at time: Int64) {
        let host = self.random.pickIndex(weights: Self.loginWeights)
        let user = Self.users[self.random.int(in: 0...2)]
        let padded = String(repeating: " ", count: max(0, 8 - user.name.utf8.count)) + user.name
        let tty = self.random.int(in: 0...3)
        self.line(
            time,
            host: host,
            program: "sudo",
            "pam_unix(sudo:auth): authentication failure; logname=\(user.name) uid=\(user.uid) euid=0 "
                + "tty=/dev/pts/\(tty) ruser=\(user.name) rhost=  user=\(user.name)"
        )
        self.line(
            time + self.millis(6000...15_000),
            host: host,
            program: "sudo",
            flags: Flag.sudoCommand,
            "\(padded) : 3 incorrect password attempts ; TTY=pts/\(tty) ; PWD=/home/\(user.name) ; USER=root ; "
                + "COMMAND=\(self.random.pick(Self.sudoCommands))"
        )
    }

    /// A cron job's PAM session (two lines), started on a whole minute.
    private mutating func cron(at time: Int64) {
        let host = self.random.int(in: 0..<Self.hosts.count)
        let minute = SampleLineWriter.floorDivide(time, 60_000_000) * 60_000_000
        let start = max(minute, self.clock.start) + self.millis(5...900)
        let pid = self.random.int(in: 2000...65_000)
        let user: (name: String, uid: Int) = self.random.chance(0.12) ? ("www-data", 33) : ("root", 0)
        self.line(
            start,
            host: host,
            program: "CRON",
            pid: pid,
            "pam_unix(cron:session): session opened for user \(user.name)(uid=\(user.uid)) by (uid=0)"
        )
        let duration = self.random.chance(0.1) ? self.millis(60_000...600_000) : self.millis(20...2500)
        self.line(
            start + duration,
            host: host,
            program: "CRON",
            pid: pid,
            "pam_unix(cron:session): session closed for user \(user.name)"
        )
    }
}
