public import Foundation

/// Blocking work and waits for async tests, kept off the cooperative thread pool.
///
/// Swift Testing runs every test on the cooperative pool, which has one thread per core. A test
/// that blocks (`waitUntilExit`, `usleep`, a socket write a receiver holds back) keeps its thread
/// for as long; on a two-core machine two such tests at once stall every other test's awaits,
/// and wall-clock deadlines elsewhere (a daemon answering `status`, a drain) run out in tests
/// that did nothing wrong. A store's merges run on a niced thread, which a busy machine starves:
/// waiting for them is such a block.
public enum OffPool {
    /// Runs `body` on a thread of its own and returns what it returns; the awaiting task holds
    /// no thread meanwhile.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs blocking `body` (waiting for a store's merges, say) on a thread of its own.
    ///
    /// `body` may use state that is not `Sendable`: the caller awaits it, so nothing else touches
    /// that state meanwhile.
    public static func block(_ body: @escaping () -> Void) async {
        let unchecked = UncheckedBody(body: body)
        _ = await Self.run {
            unchecked.body()
            return true
        }
    }

    private struct UncheckedBody: @unchecked Sendable {
        let body: () -> Void
    }

    /// Returns once `process` has exited.
    public static func exit(of process: Process) async {
        _ = await Self.run {
            process.waitUntilExit()
            return true
        }
    }

    /// Polls `condition` every 50 ms, on a thread of its own, until it holds or `seconds` pass;
    /// its last answer. (Polled from the pool, the deadline could pass while the test waits in
    /// the queue.)
    public static func wait(seconds: Double, until condition: @escaping @Sendable () -> Bool) async -> Bool {
        await Self.run {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition() { return true }
                usleep(50_000)
            }
            return condition()
        }
    }
}
