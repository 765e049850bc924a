import LogboxCore
import LogboxStore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Drives one `file` source's tailer: polls only when the ingest queue has room, so a slow store
/// slows reading instead of filling memory, and hands each batch over with its checkpoints.
// @unchecked Sendable: the tailer inside is touched only by the one task that runs `run()`; the
// loop is made by the runner and moved into that task at once.
final class FileTailLoop: @unchecked Sendable {
    private var tailer: FileTailer
    private let control: InputControl
    private let queue: IngestQueue
    private let logger: Logger
    /// How long an idle poll waits before the next.
    static let idleWait: Duration = .milliseconds(100)

    init(tailer: consuming FileTailer, control: InputControl, queue: IngestQueue, logger: Logger) {
        self.tailer = tailer
        self.control = control
        self.queue = queue
        self.logger = logger
    }

    func run() async {
        let handle = self.control.handle
        var lastLag = ContinuousClock.now - .seconds(10)
        var batchBytes = 1 << 20
        batchBytes = min(batchBytes, max(64 << 10, self.queue.maxBytes / 4))
        while !self.control.isStopRequested {
            guard await self.queue.waitForRoom(), !self.control.isStopRequested else { break }
            var lines = LineBatch()
            let before = self.tailer.statistics
            let progress = self.tailer.poll(into: &lines, maxBytes: batchBytes, now: StoreWriter.now())
            let after = self.tailer.statistics
            for error in self.tailer.takeErrors() {
                handle.recordError(error.description)
                self.logger.warning("tail error", metadata: ["error": "\(error)"])
            }
            if after.rotations > before.rotations || after.truncations > before.truncations {
                self.logger.info(
                    "file rotated or truncated",
                    metadata: ["file.path": "\(progress.path)", "rotations": "\(after.rotations)"]
                )
            }
            handle.received.add(lines.count, ordering: .relaxed)
            handle.bytes.add(Int(after.bytes - before.bytes), ordering: .relaxed)
            handle.truncated.add(after.truncatedLines - before.truncatedLines, ordering: .relaxed)
            let clock = ContinuousClock.now
            if clock - lastLag >= .seconds(1) || progress.isIdle {
                lastLag = clock
                handle.lagBytes.store(Int(self.tailer.unreadBytes), ordering: .relaxed)
                handle.openFiles.store(self.tailer.openPaths.count, ordering: .relaxed)
            }
            if progress.isIdle {
                try? await Task.sleep(for: Self.idleWait)
                continue
            }
            handle.queued.add(lines.count, ordering: .relaxed)
            await self.queue.push(
                .lines(
                    handle,
                    lines,
                    peers: [],
                    file: progress.path.isEmpty ? nil : progress.path,
                    checkpoints: progress.checkpoints
                )
            )
        }
    }
}

extension FileTailer {
    /// Bytes written to the open plain files beyond what was read: the source's lag.
    var unreadBytes: Int64 {
        var total: Int64 = 0
        for file in self.files where file.isOpen && !file.isGzip {
            var info = stat()
            guard fstat(file.descriptor, &info) == 0 else { continue }
            total += max(0, Int64(info.st_size) - file.readOffset)
        }
        return total
    }
}
