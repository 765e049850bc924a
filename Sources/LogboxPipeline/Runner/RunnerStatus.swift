import Yams

/// What a running daemon reports over its control socket: per-source counters, the store, uptime.
///
/// Sent as one JSON object (snake_case keys); `logbox status` prints it as a table. Decoded with
/// Yams (JSON is YAML), so no JSON library is needed.
public struct RunnerStatus: Sendable, Codable, Equatable {
    public var pid: Int = 0
    public var config: String = ""
    public var dataDirectory: String = ""
    public var uptimeSeconds: Double = 0
    public var sources: [SourceStatus] = []
    public var store = StoreStatus()
    /// Events removed by `drop` and `sample` steps since start.
    public var enrichDropped: Int = 0
    /// Events written to `file`/`stdout` sinks, and write errors there.
    public var sinkEvents: Int = 0
    public var sinkErrors: Int = 0
    /// Successful config reloads, and the last reload that failed (the old config stayed).
    public var reloads: Int = 0
    public var lastReloadError: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case pid, config, sources, store, reloads
        case dataDirectory = "data_dir"
        case uptimeSeconds = "uptime_seconds"
        case enrichDropped = "enrich_dropped"
        case sinkEvents = "sink_events"
        case sinkErrors = "sink_errors"
        case lastReloadError = "last_reload_error"
    }

    /// Reads what `json()` wrote.
    public static func decode(_ text: String) throws -> RunnerStatus {
        try YAMLDecoder().decode(RunnerStatus.self, from: text)
    }

    /// One JSON object on one line.
    public func json() -> String {
        var out = JSONText()
        out.open()
        out.field("pid", self.pid)
        out.field("config", self.config)
        out.field("data_dir", self.dataDirectory)
        out.field("uptime_seconds", self.uptimeSeconds)
        out.key("sources")
        out.text += "["
        out.needsComma = false
        for source in self.sources { source.write(into: &out) }
        out.text += "]"
        out.needsComma = true
        out.key("store")
        self.store.write(into: &out)
        out.field("enrich_dropped", self.enrichDropped)
        out.field("sink_events", self.sinkEvents)
        out.field("sink_errors", self.sinkErrors)
        out.field("reloads", self.reloads)
        out.field("last_reload_error", self.lastReloadError)
        out.close()
        return out.text
    }
}

/// The counters of one source.
public struct SourceStatus: Sendable, Codable, Equatable {
    public var name: String
    /// `file`, `syslog_udp`, `syslog_tcp`, `stdin`.
    public var type: String
    /// Lines (messages) received, and their bytes.
    public var received: Int = 0
    public var bytes: Int = 0
    /// Lines parsed cleanly, and lines kept unparsed or flagged for bad bytes.
    public var parsed: Int = 0
    public var failed: Int = 0
    /// Messages lost before the pipeline: a full queue (UDP) or a sender not allowed.
    public var dropped: Int = 0
    /// Events written to the store.
    public var stored: Int = 0
    /// Messages waiting in queues.
    public var pending: Int = 0
    /// Files: bytes in the open files not read yet.
    public var lagBytes: Int = 0
    public var openFiles: Int?
    public var connections: Int?
    public var truncated: Int = 0
    public var errors: Int = 0
    public var lastError: String?
    /// `running`, or `ended` for an input that finished by itself (standard input at its end);
    /// nil from a daemon that predates the field.
    public var state: String?

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }

    enum CodingKeys: String, CodingKey {
        case name, type, received, bytes, parsed, failed, dropped, stored, pending, connections, truncated, errors
        case state
        case lagBytes = "lag_bytes"
        case openFiles = "open_files"
        case lastError = "last_error"
    }

    func write(into out: inout JSONText) {
        out.open()
        out.field("name", self.name)
        out.field("type", self.type)
        out.field("received", self.received)
        out.field("bytes", self.bytes)
        out.field("parsed", self.parsed)
        out.field("failed", self.failed)
        out.field("dropped", self.dropped)
        out.field("stored", self.stored)
        out.field("pending", self.pending)
        out.field("lag_bytes", self.lagBytes)
        out.field("open_files", self.openFiles)
        out.field("connections", self.connections)
        out.field("truncated", self.truncated)
        out.field("errors", self.errors)
        out.field("last_error", self.lastError)
        out.field("state", self.state)
        out.close()
    }
}

/// The store as the daemon's writer sees it.
public struct StoreStatus: Sendable, Codable, Equatable {
    /// Events in segments (queryable), and events appended but not flushed into one yet.
    public var events: Int = 0
    public var segments: Int = 0
    public var unflushed: Int = 0
    public var lastError: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case events, segments, unflushed
        case lastError = "last_error"
    }

    func write(into out: inout JSONText) {
        out.open()
        out.field("events", self.events)
        out.field("segments", self.segments)
        out.field("unflushed", self.unflushed)
        out.field("last_error", self.lastError)
        out.close()
    }
}

/// A tiny JSON object writer for the status report.
struct JSONText {
    var text = ""
    var needsComma = false

    mutating func open() {
        if self.needsComma { self.text += "," }
        self.text += "{"
        self.needsComma = false
    }

    mutating func close() {
        self.text += "}"
        self.needsComma = true
    }

    mutating func key(_ name: String) {
        if self.needsComma { self.text += "," }
        self.text += "\"\(name)\":"
        self.needsComma = false
    }

    mutating func field(_ name: String, _ value: Int) {
        self.key(name)
        self.text += String(value)
        self.needsComma = true
    }

    mutating func field(_ name: String, _ value: Int?) {
        self.key(name)
        self.text += value.map(String.init) ?? "null"
        self.needsComma = true
    }

    mutating func field(_ name: String, _ value: Double) {
        self.key(name)
        self.text += value.isFinite ? String(value) : "0"
        self.needsComma = true
    }

    mutating func field(_ name: String, _ value: String?) {
        self.key(name)
        if let value { Self.quote(value, into: &self.text) } else { self.text += "null" }
        self.needsComma = true
    }

    static func quote(_ value: String, into text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case let c where c.value < 0x20 || c.value == 0x7F:
                let hex = String(c.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
