#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs long store work (a flush, a merge) on a thread of its own, optionally at a lower priority.
///
/// Not a Dispatch worker, for two reasons. The pool is shared with Swift concurrency and sized to
/// the cores, and a flush may block waiting for the one before it: threads of their own keep
/// flushes from starving the tasks (or each other). And `nice` sticks to a thread, so a pool
/// thread would carry it into unrelated work (an unprivileged process cannot lower it back).
/// Ingest is what must keep up (a UDP sender does not wait); a merge only tidies segments up, so
/// merges run niced and the scheduler favours the writer and the flushes when the cores are busy.
/// On an idle machine a niced thread runs at full speed. Each job is tens of milliseconds or
/// more, so a thread per job costs nothing that shows.
enum BackgroundThread {
    /// The `nice` increment for merges (0 normal, 19 lowest). At 19 a merge gets the core only
    /// when ingest leaves it idle: with merges writing zstd (faster than LZ4HC), a one-core import
    /// of the 10M corpus's auth.log at 10 spent 0.35 s more on merges than before (2 merges instead
    /// of 1, `taskset -c 0 logbox import`); at 19 it runs 2.90 s against 2.80 s and does 1.
    static let mergeNiceness: Int32 = 19

    /// Starts `body` on a new detached thread, at `niceness` (Linux; ignored elsewhere).
    static func start(niceness: Int32 = 0, _ body: @escaping @Sendable () -> Void) {
        final class Work {
            let body: @Sendable () -> Void
            let niceness: Int32
            init(_ body: @escaping @Sendable () -> Void, niceness: Int32) {
                self.body = body
                self.niceness = niceness
            }
        }
        let context = Unmanaged.passRetained(Work(body, niceness: niceness)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(
            &thread,
            nil,
            { argument in
                let work = Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue()
                #if canImport(Glibc)
                    // On Linux `nice` is per thread: PRIO_PROCESS with 0 sets the calling thread only.
                    if work.niceness != 0 {
                        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, work.niceness)
                    }
                #endif
                work.body()
                return nil
            },
            context
        )
        if created == 0 {
            pthread_detach(thread)
        } else {
            // No thread to be had: run it here rather than lose it.
            Unmanaged<Work>.fromOpaque(context).takeRetainedValue().body()
        }
    }
}
