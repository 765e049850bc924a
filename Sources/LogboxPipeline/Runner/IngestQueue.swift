import LogboxCore
import LogboxStore
import Synchronization

/// What an input hands to the writer: lines with their senders and the checkpoints they reach,
/// or a control message the writer handles in order with the data around it.
enum IngestItem: Sendable {
    /// Lines of one input. `file` is the tailed file they came from; `peers` (parallel to the lines)
    /// the senders of network messages; `checkpoints` the input positions the lines reach, stored in
    /// the same WAL record so that a checkpoint never runs ahead of the events it covers.
    case lines(InputHandle, LineBatch, peers: [SyslogPeer], file: String?, checkpoints: [Checkpoint])
    /// Time passed: group commit and flush (`StoreWriter.maintain`), even when nothing arrives.
    case tick
    /// Swap enrich steps, routes and sinks; `reply` gets the store's checkpoints once every item
    /// queued before this one is written (inputs restarted after a reload resume from them).
    case reconfigure(PipelineConfig, reply: @Sendable (Result<[Checkpoint], RunnerError>) -> Void)
    /// No more items: the writer syncs, closes the store and returns.
    case finish

    var byteCount: Int {
        if case .lines(_, let lines, _, _, _) = self { return lines.bytes.count + 64 * lines.count }
        return 0
    }
}

/// The bounded hand-over from the inputs to the one writer task.
///
/// Holds at most about `maxBytes` of lines: a producer that finds it full waits in `push` (so a
/// file tailer stops reading and a syslog forwarder stops taking from its input's queue, which
/// makes TCP pause and UDP drop and count), and is resumed once the writer has taken the queue
/// below its limit. Control messages (`tick`, `reconfigure`, `finish`) skip the limit; ticks do
/// not pile up (one waits at most). One consumer; any number of producers; first in, first out.
final class IngestQueue: Sendable {
    /// 8 MiB: about 40k typical lines, 200 ms of the writer's work at 200k lines/s — enough to
    /// ride over a flush hand-over, small enough not to dominate the daemon's memory (a batch's
    /// buffer may have up to twice its bytes in capacity, so the real footprint is larger).
    static let defaultMaxBytes = 8 << 20

    let maxBytes: Int

    private struct State {
        var items: [IngestItem] = []
        var head = 0
        var bytes = 0
        var tickQueued = false
        var consumer: CheckedContinuation<IngestItem, Never>?
        var producers: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextProducer: UInt64 = 0

        var isEmpty: Bool { self.head >= self.items.count }

        mutating func popFirst() -> IngestItem? {
            guard self.head < self.items.count else { return nil }
            let item = self.items[self.head]
            self.items[self.head] = .tick
            self.head += 1
            if self.head >= 1024 && self.head * 2 >= self.items.count {
                self.items.removeFirst(self.head)
                self.head = 0
            }
            return item
        }
    }

    private let state = Mutex(State())

    init(maxBytes: Int = IngestQueue.defaultMaxBytes) {
        self.maxBytes = max(1, maxBytes)
    }

    /// Bytes of lines waiting.
    var pendingBytes: Int { self.state.withLock { $0.bytes } }

    /// Whether a push now would not wait.
    var hasRoom: Bool { self.state.withLock { $0.bytes < self.maxBytes } }

    /// Waits until the queue is below its limit; false when the task was cancelled meanwhile.
    func waitForRoom() async -> Bool {
        if self.hasRoom { return true }
        return await self.suspendProducer()
    }

    /// Appends `item`, first waiting for room when it carries lines and the queue is full.
    /// Returns false (the item not taken) only when the waiting task was cancelled.
    @discardableResult
    func push(_ item: IngestItem) async -> Bool {
        let size = item.byteCount
        while size > 0 && !self.hasRoom {
            guard await self.suspendProducer() else { return false }
        }
        self.enqueue(item)
        return true
    }

    /// Appends a tick unless one is already waiting.
    func pushTick() {
        let wake = self.state.withLock { state -> Bool in
            guard !state.tickQueued else { return false }
            state.tickQueued = true
            return true
        }
        if wake { self.enqueue(.tick) }
    }

    private func enqueue(_ item: IngestItem) {
        let consumer = self.state.withLock { state -> CheckedContinuation<IngestItem, Never>? in
            if let consumer = state.consumer {
                state.consumer = nil
                if case .tick = item { state.tickQueued = false }
                return consumer
            }
            state.items.append(item)
            state.bytes += item.byteCount
            return nil
        }
        consumer?.resume(returning: item)
    }

    /// The next item, waiting for one. Only the writer calls this.
    func next() async -> IngestItem {
        await withCheckedContinuation { (continuation: CheckedContinuation<IngestItem, Never>) in
            let (item, wake) = self.state.withLock {
                state -> (IngestItem?, [CheckedContinuation<Bool, Never>]) in
                guard let item = state.popFirst() else {
                    state.consumer = continuation
                    return (nil, [])
                }
                state.bytes -= item.byteCount
                if case .tick = item { state.tickQueued = false }
                guard state.bytes < self.maxBytes, !state.producers.isEmpty else { return (item, []) }
                let waiting = state.producers.map(\.continuation)
                state.producers.removeAll()
                return (item, waiting)
            }
            for producer in wake { producer.resume(returning: true) }
            if let item { continuation.resume(returning: item) }
        }
    }

    private func suspendProducer() async -> Bool {
        let id = self.state.withLock { state -> UInt64 in
            state.nextProducer += 1
            return state.nextProducer
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow = self.state.withLock { state -> Bool? in
                    if Task.isCancelled { return false }
                    if state.bytes < self.maxBytes { return true }
                    state.producers.append((id, continuation))
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
        } onCancel: {
            let continuation = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.producers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.producers.remove(at: index).continuation
            }
            continuation?.resume(returning: false)
        }
    }
}
