/// A pipeline as a `Pipelines/*.yaml` file describes it: where data lives, what to read and how to
/// parse it, how to enrich events, where to send them and how long to keep them.
///
/// Every setting has a default (`PipelineConfig()` is a valid pipeline that stores nothing but
/// reads no source); `PipelineConfigLoader` fills one from YAML and reports every mistake at once.
public struct PipelineConfig: Sendable {
    /// The config file this came from (as named on the command line), for messages.
    public var file: String = ""
    /// Where the store lives: `--data-dir`, then `LOGBOX_DATA_DIR`, then this, then `./data`.
    public var dataDirectory: String = "data"
    /// The daemon's own log level (`LOGBOX_LOG_LEVEL` overrides it).
    public var logLevel: LogLevel = .info
    public var sources: [SourceConfig] = []
    /// Applied in order to every parsed batch.
    public var enrich: [EnrichStepConfig] = []
    /// Where events go; one `store` sink when the file names none.
    public var sinks: [SinkConfig] = [SinkConfig(name: "store", kind: .store)]
    public var store: StoreConfig = StoreConfig()
    /// Top-level sections accepted and kept for later features (`metrics`, `alerts`), by name.
    public var reservedSections: [String] = []
    /// The environment variables that changed a setting, for `logbox check` to show.
    public var environmentOverrides: [String] = []

    public init() {}

    /// The source named `name`.
    public func source(named name: String) -> SourceConfig? { self.sources.first { $0.name == name } }

    /// The daemon's log levels (swift-log's names).
    public enum LogLevel: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }
}

/// How one source's lines become events.
public struct ParserConfig: Sendable, Hashable {
    /// A `ParserRegistry` name: `auto`, `syslog`, `rfc3164`, `rfc5424`, `nginx`, `json`, `logfmt`, `kv`, `pattern`.
    public var name: String = "auto"
    /// The grok/PCRE2 pattern of the `pattern` parser.
    public var pattern: String?
    /// Zone of timestamps written without one (an IANA name, `UTC`, `local`).
    public var timezone: String = "UTC"

    public init(name: String = "auto", pattern: String? = nil, timezone: String = "UTC") {
        self.name = name
        self.pattern = pattern
        self.timezone = timezone
    }
}

/// One input: files, a syslog listener or standard input.
public struct SourceConfig: Sendable {
    /// Unique among the pipeline's sources; the `source` field of its events.
    public var name: String
    public var kind: Kind
    public var parser: ParserConfig
    /// The line of the source's entry, for messages about it at run time.
    public var line: Int = 0

    public init(name: String, kind: Kind, parser: ParserConfig = ParserConfig(), line: Int = 0) {
        self.name = name
        self.kind = kind
        self.parser = parser
        self.line = line
    }

    public enum Kind: Sendable {
        case file(FileSourceConfig)
        case syslogUDP(SyslogUDPConfig)
        case syslogTCP(SyslogTCPConfig)
        case stdin

        /// The name config files use (`file`, `syslog_udp`, `syslog_tcp`, `stdin`).
        public var typeName: String {
            switch self {
            case .file: "file"
            case .syslogUDP: "syslog_udp"
            case .syslogTCP: "syslog_tcp"
            case .stdin: "stdin"
            }
        }
    }

    public static let typeNames = ["file", "syslog_udp", "syslog_tcp", "stdin"]
}

/// Files tailed by glob.
public struct FileSourceConfig: Sendable {
    public var paths: [GlobPattern]
    /// Where a file seen for the first time is read from; files with a checkpoint resume at it.
    public var startAt: StartPosition = .end
    /// How often globs are listed again for new files.
    public var scanInterval: Duration = .seconds(5)
    public var multiline: MultilineConfig?
    /// Longer lines are cut to this many bytes, marked truncated and counted.
    public var maxLineLength: Int = 64 * 1024
    /// Read rotated `.gz` files matched by the globs once, from the start.
    public var readGzip: Bool = false
    /// Globs whose matches are skipped (`*.1`, say).
    public var exclude: [GlobPattern] = []

    public init(paths: [GlobPattern]) {
        self.paths = paths
    }

    public enum StartPosition: String, Sendable, CaseIterable {
        case beginning, end
    }
}

/// How physical lines join into one record (a Java stack trace, say).
public struct MultilineConfig: Sendable {
    public enum Mode: Sendable {
        /// A line matching the pattern starts a record; other lines continue the previous one.
        case startPattern(String)
        /// A line matching the pattern continues the previous record; others start one.
        case continuationPattern(String)
    }

    public var mode: Mode
    /// A record is complete once no line arrived for this long.
    public var timeout: Duration = .seconds(1)
    /// Records are cut after this many lines.
    public var maxLines: Int = 500

    public init(mode: Mode) {
        self.mode = mode
    }
}

/// A `HOST:PORT` to listen on.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}

/// Syslog over UDP: one message per datagram.
public struct SyslogUDPConfig: Sendable {
    public var listen = ListenAddress(host: "127.0.0.1", port: 5514)
    /// Senders allowed; empty allows everyone. Datagrams from others are dropped and counted.
    public var allow: [IPNetwork] = []
    /// SO_RCVBUF: a large buffer rides out bursts while the pipeline is busy.
    public var receiveBuffer: Int64 = 8 << 20
    /// Longer datagrams are cut and counted.
    public var maxMessageSize: Int = 64 * 1024

    public init() {}
}

/// Syslog over TCP (RFC 6587): newline or octet-counting framing.
public struct SyslogTCPConfig: Sendable {
    public enum Framing: String, Sendable, CaseIterable {
        /// Detected per connection from its first byte (a digit means octet counting).
        case auto
        case newline
        case octet
    }

    public var listen = ListenAddress(host: "127.0.0.1", port: 5514)
    public var allow: [IPNetwork] = []
    public var framing: Framing = .auto
    /// Longer messages are cut and counted; the connection stays open.
    public var maxMessageSize: Int = 64 * 1024
    /// A connection silent for this long is closed.
    public var idleTimeout: Duration = .seconds(300)
    public var maxConnections: Int = 1024

    public init() {}
}

/// Where events go, and which: a sink with `when`/`sources` is a route.
public struct SinkConfig: Sendable {
    public enum Kind: Sendable, Hashable {
        /// The pipeline's store in the data directory.
        case store
        /// JSON lines appended to a file.
        case file(path: String)
        /// JSON lines on standard output.
        case stdout
    }

    public var name: String
    public var kind: Kind
    /// Only events matching this query filter; nil for all.
    public var when: FilterText?
    /// Only events of these sources; empty for all.
    public var sources: [String] = []

    public init(name: String, kind: Kind, when: FilterText? = nil, sources: [String] = []) {
        self.name = name
        self.kind = kind
        self.when = when
        self.sources = sources
    }

    public static let typeNames = ["store", "file", "stdout"]
}

/// Store settings of the pipeline (the daemon's writer).
public struct StoreConfig: Sendable {
    /// How often the memtable is flushed to a segment, so new events are queryable quickly.
    public var flushInterval: Duration = .seconds(1)
    /// WAL group-commit interval.
    public var syncInterval: Duration = .milliseconds(100)
    /// Segments of one level merged into one.
    public var mergeFactor: Int = 4
    /// Segments whose newest event is older are deleted; nil keeps everything.
    public var retentionMaxAge: Duration? = .seconds(30 * 86_400)
    /// The oldest segments are deleted while the store is larger; nil for no limit.
    public var retentionMaxBytes: Int64?

    public init() {}
}

/// A query-language filter as written in the config, with where it was written.
public struct FilterText: Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var line: Int
    /// The key path (`enrich[2].when`).
    public var path: String

    public init(text: String, line: Int = 0, path: String = "") {
        self.text = text
        self.line = line
        self.path = path
    }

    public var description: String { self.text }
}
