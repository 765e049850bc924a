import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The daemon's state as the control socket reports it: the running inputs, the store as the
/// writer last saw it, reloads. Written by the runner and the writer, read by status requests.
final class StatusBoard: Sendable {
    private struct State {
        var config: String
        var dataDirectory: String
        var inputs: [InputHandle] = []
        var store = StoreStatus()
        var enrichDropped = 0
        var sinkEvents = 0
        var sinkErrors = 0
        var reloads = 0
        var lastReloadError: String?
    }

    private let state: Mutex<State>
    private let started = ContinuousClock.now
    private let stopping = Atomic<Bool>(false)

    /// Whether the daemon is shutting down (the writer gives up on a store that keeps failing).
    var isStopping: Bool { self.stopping.load(ordering: .relaxed) }

    func markStopping() { self.stopping.store(true, ordering: .relaxed) }

    init(config: String, dataDirectory: String) {
        self.state = Mutex(State(config: config, dataDirectory: dataDirectory))
    }

    func setInputs(_ inputs: [InputHandle]) { self.state.withLock { $0.inputs = inputs } }

    func setConfig(_ config: String) { self.state.withLock { $0.config = config } }

    func setStore(_ store: StoreStatus, keepError: Bool) {
        self.state.withLock { state in
            let previous = state.store.lastError
            state.store = store
            if keepError && store.lastError == nil { state.store.lastError = previous }
        }
    }

    func addEnrichDropped(_ count: Int) { self.state.withLock { $0.enrichDropped += count } }

    func setSinkCounts(events: Int, errors: Int) {
        self.state.withLock {
            $0.sinkEvents = events
            $0.sinkErrors = errors
        }
    }

    func reloaded(error: String?) {
        self.state.withLock { state in
            if let error {
                state.lastReloadError = error
            } else {
                state.reloads += 1
                state.lastReloadError = nil
            }
        }
    }

    /// The report a status request gets.
    func report() -> RunnerStatus {
        let elapsed = ContinuousClock.now - self.started
        return self.state.withLock { state in
            var status = RunnerStatus()
            status.pid = Int(getpid())
            status.config = state.config
            status.dataDirectory = state.dataDirectory
            let (seconds, attoseconds) = elapsed.components
            status.uptimeSeconds = ((Double(seconds) + Double(attoseconds) / 1e18) * 10).rounded() / 10
            status.sources = state.inputs.map { $0.status() }
            status.store = state.store
            status.enrichDropped = state.enrichDropped
            status.sinkEvents = state.sinkEvents
            status.sinkErrors = state.sinkErrors
            status.reloads = state.reloads
            status.lastReloadError = state.lastReloadError
            return status
        }
    }
}
