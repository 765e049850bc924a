import Synchronization

/// One running incarnation of a pipeline source: its config and its live counters.
///
/// A source changed by a reload gets a new handle (a new `id`), so the writer parses the old
/// incarnation's queued lines with the old parser and counts them where they belong. Counters are
/// atomics: inputs and the writer bump them, the control socket reads them.
final class InputHandle: Sendable {
    let id: Int
    let source: SourceConfig
    /// Tells whether a reloaded source is the same: its config as text.
    let fingerprint: String
    let startedAt: Int64

    /// Lines (messages) delivered into the ingest queue, and their bytes.
    let received = Atomic<Int>(0)
    let bytes = Atomic<Int>(0)
    /// Lines the writer parsed cleanly, and lines kept unparsed (or with bad bytes).
    let parsed = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    /// Events written to the store.
    let stored = Atomic<Int>(0)
    /// Lines waiting in the ingest queue.
    let queued = Atomic<Int>(0)
    /// Files: bytes written to the open files and not read yet.
    let lagBytes = Atomic<Int>(0)
    /// Files: how many are open.
    let openFiles = Atomic<Int>(0)
    /// Lines cut to the maximum length.
    let truncated = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    /// Set when the input ended by itself (standard input closed); the daemon goes on.
    let ended = Atomic<Bool>(false)
    let lastError = Mutex<String?>(nil)
    /// The syslog input's own counters (received, dropped, connections), once it listens.
    let network = Mutex<(@Sendable () -> NetworkInputStatus)?>(nil)

    init(id: Int, source: SourceConfig, startedAt: Int64) {
        self.id = id
        self.source = source
        self.fingerprint = Self.fingerprint(source)
        self.startedAt = startedAt
    }

    var name: String { self.source.name }

    static func fingerprint(_ source: SourceConfig) -> String {
        "\(source.kind)|\(source.parser)"
    }

    func recordError(_ message: String) {
        self.errors.add(1, ordering: .relaxed)
        self.lastError.withLock { $0 = message }
    }

    /// The counters now, as `logbox status` shows them.
    func status() -> SourceStatus {
        var status = SourceStatus(name: self.name, type: self.source.kind.typeName)
        status.received = self.received.load(ordering: .relaxed)
        status.bytes = self.bytes.load(ordering: .relaxed)
        status.parsed = self.parsed.load(ordering: .relaxed)
        status.failed = self.failed.load(ordering: .relaxed)
        status.stored = self.stored.load(ordering: .relaxed)
        status.pending = self.queued.load(ordering: .relaxed)
        status.lagBytes = self.lagBytes.load(ordering: .relaxed)
        if case .file = self.source.kind { status.openFiles = self.openFiles.load(ordering: .relaxed) }
        status.truncated = self.truncated.load(ordering: .relaxed)
        status.errors = self.errors.load(ordering: .relaxed)
        status.lastError = self.lastError.withLock { $0 }
        status.state = self.ended.load(ordering: .acquiring) ? "ended" : "running"
        if let network = self.network.withLock({ $0 }) {
            let input = network()
            status.received = input.received
            status.bytes = input.bytes
            status.dropped = input.dropped
            status.truncated = input.truncated
            status.pending += input.pending
            status.connections = input.connections
            if status.lastError == nil { status.lastError = input.lastError }
        }
        return status
    }
}

/// What a syslog input reports about itself.
struct NetworkInputStatus: Sendable {
    var received = 0
    var bytes = 0
    var dropped = 0
    var truncated = 0
    var pending = 0
    var connections: Int?
    var lastError: String?
}
