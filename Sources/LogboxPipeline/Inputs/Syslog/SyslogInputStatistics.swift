import Synchronization

/// A snapshot of one syslog input's counters, for `logbox status` and tests.
///
/// `received` counts messages put into the queue; a message that was dropped counts only in its
/// `dropped…` counter, so `received + droppedQueueFull + droppedNotAllowed` is every message that
/// reached the input (on TCP `droppedNotAllowed` counts refused connections instead).
public struct SyslogInputStatistics: Sendable, Hashable {
    /// Messages delivered into the queue.
    public var received: Int = 0
    /// Bytes of those messages as delivered (after truncation, without framing).
    public var bytes: Int = 0
    /// UDP datagrams dropped because the queue was full.
    public var droppedQueueFull: Int = 0
    /// UDP datagrams (or TCP connections) from senders outside the allowlist.
    public var droppedNotAllowed: Int = 0
    /// Messages cut to the maximum message size.
    public var truncated: Int = 0
    /// TCP connections closed because their framing was broken.
    public var framingErrors: Int = 0
    public var connectionsOpen: Int = 0
    public var connectionsTotal: Int = 0
    /// TCP connections refused because `maxConnections` were open.
    public var connectionsRejected: Int = 0
    /// TCP connections closed after `idleTimeout` without data.
    public var idleClosed: Int = 0
    /// Times a TCP connection stopped reading because the queue was full.
    public var pausedReading: Int = 0
    /// The last framing error, with the sender and byte offset (`127.0.0.1:50312: …`).
    public var lastFramingError: String?

    public init() {}
}

/// The live counters behind `SyslogInputStatistics`: atomics that the event loops bump without locks.
final class SyslogInputCounters: Sendable {
    let received = Atomic<Int>(0)
    let bytes = Atomic<Int>(0)
    let droppedQueueFull = Atomic<Int>(0)
    let droppedNotAllowed = Atomic<Int>(0)
    let truncated = Atomic<Int>(0)
    let framingErrors = Atomic<Int>(0)
    let connectionsOpen = Atomic<Int>(0)
    let connectionsTotal = Atomic<Int>(0)
    let connectionsRejected = Atomic<Int>(0)
    let idleClosed = Atomic<Int>(0)
    let pausedReading = Atomic<Int>(0)
    let lastFramingError = Mutex<String?>(nil)

    @inline(__always)
    static func add(_ counter: borrowing Atomic<Int>, _ value: Int = 1) {
        counter.add(value, ordering: .relaxed)
    }

    var snapshot: SyslogInputStatistics {
        var s = SyslogInputStatistics()
        s.received = self.received.load(ordering: .relaxed)
        s.bytes = self.bytes.load(ordering: .relaxed)
        s.droppedQueueFull = self.droppedQueueFull.load(ordering: .relaxed)
        s.droppedNotAllowed = self.droppedNotAllowed.load(ordering: .relaxed)
        s.truncated = self.truncated.load(ordering: .relaxed)
        s.framingErrors = self.framingErrors.load(ordering: .relaxed)
        s.connectionsOpen = self.connectionsOpen.load(ordering: .relaxed)
        s.connectionsTotal = self.connectionsTotal.load(ordering: .relaxed)
        s.connectionsRejected = self.connectionsRejected.load(ordering: .relaxed)
        s.idleClosed = self.idleClosed.load(ordering: .relaxed)
        s.pausedReading = self.pausedReading.load(ordering: .relaxed)
        s.lastFramingError = self.lastFramingError.withLock { $0 }
        return s
    }
}
