#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs work that can wait (merges) on a thread of its own at a lower CPU priority.
///
/// Ingest is what must keep up (a UDP sender does not wait); a merge only tidies segments up, so
/// when both cores are busy the scheduler should favour the writer and the flush thread. A
/// dedicated thread, not a Dispatch worker: `nice` sticks to a thread, and a pool thread would
/// carry it into unrelated work (an unprivileged process cannot lower it back). On an idle
/// machine a niced thread runs at full speed.
enum BackgroundThread {
    /// The `nice` increment of the thread (0 normal, 19 lowest).
    static let niceness: Int32 = 10

    /// Starts `body` on a new detached thread.
    static func start(_ body: @escaping @Sendable () -> Void) {
        final class Work {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let context = Unmanaged.passRetained(Work(body)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(
            &thread,
            nil,
            { argument in
                let work = Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue()
                #if canImport(Glibc)
                    // On Linux `nice` is per thread: PRIO_PROCESS with 0 sets the calling thread only.
                    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, BackgroundThread.niceness)
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
