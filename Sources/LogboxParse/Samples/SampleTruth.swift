/// Exact counts of what the sample files contain, so tests and the README can assert on them.
///
/// Every count covers well-formed lines only (malformed lines are listed in each `SampleFile`).
/// Counts named after a phrase count the lines containing it, so that a plain substring search
/// over the file reproduces them. An incident is `nil` when its file is too small to hold it.
public struct SampleTruth: Sendable, Hashable, CustomStringConvertible {
    public var auth: Auth
    public var nginx: Nginx
    public var jsonLines: JSONLines
    public var rfc5424: RFC5424
    public var logfmt: Logfmt
    /// Leaked secrets in `app.jsonl` and `app.logfmt`; each value appears nowhere else.
    public var secrets: [Secret]
    /// Malformed lines over all files.
    public var malformedLines: Int

    /// `auth.log`.
    public struct Auth: Sendable, Hashable {
        /// The hosts that appear, sorted.
        public var hosts: [String]
        public var lines: Int
        /// Lines containing `Failed password ` (brute force included).
        public var failedPassword: Int
        /// Lines containing `Accepted password for `.
        public var acceptedPassword: Int
        /// Lines containing `Accepted publickey for `.
        public var acceptedPublickey: Int
        /// Lines containing `Invalid user ` (capital I: sshd's pre-authentication notice).
        public var invalidUser: Int
        /// Lines containing `COMMAND=` (sudo).
        public var sudoCommands: Int
        /// Lines containing `last message repeated`.
        public var lastMessageRepeated: Int
        public var bruteForce: BruteForce?
    }

    /// The SSH brute force: many `Failed password` lines from one address against one host.
    public struct BruteForce: Sendable, Hashable {
        /// The attacker, in 203.0.113.0/24; it appears on no other line of `auth.log`.
        public var ip: String
        public var host: String
        /// Seconds since the epoch of its first and last `Failed password` line (inclusive).
        public var first: Int64
        public var last: Int64
        /// Lines containing `Failed password ` and `ip`.
        public var failures: Int
        /// Distinct user names tried.
        public var usersTried: Int
        /// All lines containing `ip`.
        public var lines: Int
    }

    /// `nginx_access.log`.
    public struct Nginx: Sendable, Hashable {
        /// Well-formed request lines.
        public var requests: Int
        /// Lines per status code.
        public var statusCounts: [Int: Int]
        /// Lines with a 5xx status, in the whole file.
        public var serverErrors: Int
        public var flood: Flood?
        public var serverErrorBurst: ServerErrorBurst?
    }

    /// The request flood: hundreds of requests from one address within a minute.
    public struct Flood: Sendable, Hashable {
        /// The client, in 198.51.100.0/24; it appears on no other line.
        public var ip: String
        /// Seconds since the epoch of its first and last request (inclusive).
        public var first: Int64
        public var last: Int64
        /// Lines starting with `ip` and a space.
        public var requests: Int
        /// Of those, lines with status 429.
        public var tooManyRequests: Int
        public var userAgent: String
    }

    /// The window of failing upstreams, when about a third of all requests get 500/502/503/504.
    public struct ServerErrorBurst: Sendable, Hashable {
        /// Seconds since the epoch; the window is `start...end`.
        public var start: Int64
        public var end: Int64
        /// Lines with a timestamp in the window.
        public var requests: Int
        /// Of those, lines with a 5xx status.
        public var serverErrors: Int
    }

    /// `app.jsonl`.
    public struct JSONLines: Sendable, Hashable {
        public var lines: Int
        /// Lines per `level` value (`debug`, `info`, `warn`, `error`, `fatal`).
        public var levelCounts: [String: Int]
        /// Lines containing `"user_id":null`.
        public var nullUserIDs: Int
        public var errorBurst: ErrorBurst?
    }

    /// One service logging the same error many times within a minute or so.
    public struct ErrorBurst: Sendable, Hashable {
        public var service: String
        /// The `msg` of every burst line; no other line has it.
        public var message: String
        /// Milliseconds since the epoch of the first and last burst line (inclusive).
        public var first: Int64
        public var last: Int64
        /// Lines with `message`.
        public var injected: Int
        /// Lines containing `"level":"error","service":"<service>"` with `ts` in `first...last`.
        public var errorsInWindow: Int
    }

    /// `syslog5424.log`.
    public struct RFC5424: Sendable, Hashable {
        public var lines: Int
        /// Lines per severity, index 0 (emergency) to 7 (debug).
        public var severityCounts: [Int]
        /// Lines whose MSG starts with a UTF-8 byte order mark.
        public var withBOM: Int
        /// Lines that end after STRUCTURED-DATA (no MSG).
        public var withoutMessage: Int
        /// Lines whose TIMESTAMP is the NILVALUE `-`.
        public var nilTimestamp: Int
        /// Lines whose TIMESTAMP has a numeric offset instead of `Z`.
        public var withOffset: Int
    }

    /// `app.logfmt`.
    public struct Logfmt: Sendable, Hashable {
        public var lines: Int
        /// Lines per `level` value (`debug`, `info`, `warn`, `error`).
        public var levelCounts: [String: Int]
    }

    /// A leaked credential.
    public struct Secret: Sendable, Hashable {
        public var file: String
        /// 1-based line number.
        public var line: Int
        /// `api_key`, `aws_access_key_id`, `bearer_token` or `password`.
        public var kind: String
        /// The secret itself, exactly as written.
        public var value: String
    }

    /// A short human-readable summary (what `logbox sample` can print).
    public var description: String {
        var lines: [String] = []
        lines.append(
            "auth.log: \(self.auth.lines) lines from \(self.auth.hosts.count) hosts, "
                + "\(self.auth.failedPassword) 'Failed password'"
        )
        if let attack = self.auth.bruteForce {
            lines.append(
                "  SSH brute force: \(attack.failures) failed passwords from \(attack.ip) against \(attack.host) "
                    + "in \(attack.last - attack.first + 1) s, \(attack.usersTried) user names"
            )
        }
        lines.append(
            "nginx_access.log: \(self.nginx.requests) requests, \(self.nginx.serverErrors) with status 5xx"
        )
        if let flood = self.nginx.flood {
            lines.append(
                "  request flood: \(flood.requests) requests from \(flood.ip) in \(flood.last - flood.first + 1) s, "
                    + "\(flood.tooManyRequests) answered 429"
            )
        }
        if let burst = self.nginx.serverErrorBurst {
            lines.append(
                "  5xx burst: \(burst.serverErrors) of \(burst.requests) requests in \(burst.end - burst.start + 1) s"
            )
        }
        lines.append("app.jsonl: \(self.jsonLines.lines) lines, \(self.jsonLines.levelCounts["error"] ?? 0) errors")
        if let burst = self.jsonLines.errorBurst {
            lines.append(
                "  error burst: \(burst.injected) x '\(burst.message)' from \(burst.service) "
                    + "in \((burst.last - burst.first) / 1000 + 1) s"
            )
        }
        lines.append("syslog5424.log: \(self.rfc5424.lines) lines")
        lines.append("app.logfmt: \(self.logfmt.lines) lines")
        for secret in self.secrets {
            lines.append("leaked \(secret.kind): \(secret.file) line \(secret.line)")
        }
        if self.malformedLines > 0 {
            lines.append("malformed lines: \(self.malformedLines)")
        }
        return lines.joined(separator: "\n")
    }
}
