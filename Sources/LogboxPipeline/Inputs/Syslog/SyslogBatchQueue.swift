import LogboxCore
import Synchronization

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The bounded hand-over between a syslog input's event loop and the pipeline that drains it.
///
/// Receivers append messages straight into the batch being filled (one `memcpy` under a lock, no
/// object per message); the consumer takes whole batches, so it crosses the lock once per batch.
/// The queue holds at most `limits.maxMessages` messages and about `limits.maxBytes` bytes: UDP
/// drops (and counts) what does not fit, TCP stops reading its sockets until the consumer has
/// taken the queue below half its limits, so memory stays bounded whatever the senders do.
///
/// One or more tasks may consume with `next()` or by iterating the queue; batches go to one of them.
public final class SyslogBatchQueue: Sendable, AsyncSequence {
    /// How much a queue holds and how it cuts batches.
    public struct Limits: Sendable, Hashable {
        /// Messages waiting at most; UDP drops beyond it, TCP pauses reading.
        public var maxMessages: Int = 65_536
        /// Message bytes waiting at most.
        public var maxBytes: Int = 64 << 20
        /// A batch is closed once it has this many messages…
        public var batchMessages: Int = 4_096
        /// …or this many bytes.
        public var batchBytes: Int = 4 << 20

        public init() {}

        public init(maxMessages: Int, maxBytes: Int = 64 << 20, batchMessages: Int = 4_096, batchBytes: Int = 4 << 20) {
            self.maxMessages = Swift.max(1, maxMessages)
            self.maxBytes = Swift.max(1, maxBytes)
            self.batchMessages = Swift.max(1, batchMessages)
            self.batchBytes = Swift.max(1, batchBytes)
        }
    }

    /// The input's name, copied into every batch's `lines.source`.
    public let source: String
    public let limits: Limits
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var sealed: [SyslogBatch] = []
        var current: SyslogBatch
        var spare: [SyslogBatch] = []
        var pendingMessages = 0
        var pendingBytes = 0
        var finished = false
        var consumers: [UInt64: CheckedContinuation<SyslogBatch?, Never>] = [:]
        var nextConsumerID: UInt64 = 0
        /// Producers that stopped reading because the queue was full, resumed when it drains.
        var paused: [@Sendable () -> Void] = []
    }

    public init(source: String, limits: Limits = Limits()) {
        self.source = source
        self.limits = limits
        self.state = Mutex(State(current: SyslogBatch(lines: LineBatch(source: source))))
    }

    // MARK: Consuming

    /// The next batch, waiting until one has messages; nil once the queue is finished and drained,
    /// or when the calling task is cancelled.
    public func next() async -> SyslogBatch? {
        let id = self.state.withLock { state -> UInt64 in
            state.nextConsumerID += 1
            return state.nextConsumerID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<SyslogBatch?, Never>) in
                let (result, wake) = self.state.withLock { state -> (SyslogBatch??, [@Sendable () -> Void]) in
                    if let batch = self.take(&state) { return (.some(batch), self.drained(&state)) }
                    if state.finished || Task.isCancelled { return (.some(nil), []) }
                    state.consumers[id] = continuation
                    return (nil, [])
                }
                for resume in wake { resume() }
                if let result { continuation.resume(returning: result) }
            }
        } onCancel: {
            let continuation = self.state.withLock { $0.consumers.removeValue(forKey: id) }
            continuation?.resume(returning: nil)
        }
    }

    /// The next batch if one has messages now, without waiting.
    public func tryNext() -> SyslogBatch? {
        let (batch, wake) = self.state.withLock { state -> (SyslogBatch?, [@Sendable () -> Void]) in
            let batch = self.take(&state)
            return (batch, batch == nil ? [] : self.drained(&state))
        }
        for resume in wake { resume() }
        return batch
    }

    /// Gives a consumed batch's buffers back, so that the steady state allocates no new arrays.
    public func recycle(_ batch: consuming SyslogBatch) {
        var batch = batch
        batch.removeAll()
        self.state.withLock { state in
            if state.spare.count < 2 { state.spare.append(batch) }
        }
    }

    /// Messages waiting to be taken.
    public var pendingMessages: Int { self.state.withLock { $0.pendingMessages } }

    /// Whether `finish()` was called and every batch has been taken.
    public var isFinishedAndDrained: Bool { self.state.withLock { $0.finished && $0.pendingMessages == 0 } }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: SyslogBatchQueue
        public mutating func next() async -> SyslogBatch? { await self.queue.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: self) }

    // MARK: Producing

    /// Appends one message; returns false (and keeps nothing) when `dropWhenFull` and the queue is full.
    @inline(__always)
    func append(
        _ message: UnsafeRawBufferPointer,
        peer: SyslogPeer,
        lineNumber: Int64,
        sourceOffset: Int64,
        truncatedBytes: Int64,
        dropWhenFull: Bool
    ) -> Bool {
        typealias HandOff = (CheckedContinuation<SyslogBatch?, Never>, SyslogBatch, [@Sendable () -> Void])
        let handOff = self.state.withLock { state -> HandOff?? in
            if dropWhenFull && self.isFull(state) { return .some(nil) }
            if state.current.isEmpty { state.current.lines.receivedAt = Self.now() }
            state.current.append(
                message,
                peer: peer,
                lineNumber: lineNumber,
                sourceOffset: sourceOffset,
                truncatedBytes: truncatedBytes
            )
            state.pendingMessages += 1
            state.pendingBytes += message.count
            if state.current.count >= self.limits.batchMessages
                || state.current.lines.bytes.count >= self.limits.batchBytes
            {
                state.sealed.append(self.replaceCurrent(&state))
            }
            if !state.consumers.isEmpty, let key = state.consumers.keys.first,
                let continuation = state.consumers.removeValue(forKey: key), let batch = self.take(&state)
            {
                return .some((continuation, batch, self.drained(&state)))
            }
            return nil
        }
        switch handOff {
        case .some(.none): return false
        case .some(.some((let continuation, let batch, let wake))):
            continuation.resume(returning: batch)
            for resume in wake { resume() }
        case .none: break
        }
        return true
    }

    /// Whether the queue is at its limits now (a hint: it may change right after).
    var isFull: Bool { self.state.withLock { self.isFull($0) } }

    /// Registers `resume` to run once the queue has drained below half its limits, if it is full
    /// now; returns false (registering nothing) when there is room.
    func pauseIfFull(_ resume: @escaping @Sendable () -> Void) -> Bool {
        self.state.withLock { state in
            guard self.isFull(state), !state.finished else { return false }
            state.paused.append(resume)
            return true
        }
    }

    /// No more messages will come: consumers get the rest, then nil.
    public func finish() {
        let (consumers, paused) = self.state.withLock {
            state -> ([CheckedContinuation<SyslogBatch?, Never>], [@Sendable () -> Void]) in
            state.finished = true
            let paused = state.paused
            state.paused = []
            guard state.pendingMessages == 0 else { return ([], paused) }
            let consumers = Array(state.consumers.values)
            state.consumers = [:]
            return (consumers, paused)
        }
        for continuation in consumers { continuation.resume(returning: nil) }
        for resume in paused { resume() }
    }

    // MARK: State helpers (called with the lock held)

    private func isFull(_ state: borrowing State) -> Bool {
        state.pendingMessages >= self.limits.maxMessages || state.pendingBytes >= self.limits.maxBytes
    }

    private func replaceCurrent(_ state: inout State) -> SyslogBatch {
        let next = state.spare.popLast() ?? SyslogBatch(lines: LineBatch(source: self.source))
        let full = state.current
        state.current = next
        return full
    }

    private func take(_ state: inout State) -> SyslogBatch? {
        let batch: SyslogBatch
        if !state.sealed.isEmpty {
            batch = state.sealed.removeFirst()
        } else if !state.current.isEmpty {
            batch = self.replaceCurrent(&state)
        } else {
            return nil
        }
        state.pendingMessages -= batch.count
        state.pendingBytes -= batch.lines.bytes.count
        return batch
    }

    /// The paused producers to resume once a take left the queue below half its limits.
    private func drained(_ state: inout State) -> [@Sendable () -> Void] {
        guard !state.paused.isEmpty, state.pendingMessages <= self.limits.maxMessages / 2,
            state.pendingBytes <= self.limits.maxBytes / 2
        else { return [] }
        let paused = state.paused
        state.paused = []
        return paused
    }

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
