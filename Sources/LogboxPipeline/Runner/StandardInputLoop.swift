import LogboxCore
import LogboxParse
import LogboxStore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `stdin` source: lines of standard input until its end.
///
/// Reads only what `poll` says is there, so no thread of the cooperative pool blocks in `read`,
/// and only when the ingest queue has room. At the end the last line (even without a newline) is
/// delivered, the input is marked ended (`logbox status` shows it) and the loop returns. The
/// daemon goes on serving its other sources; with stdin as its only source, it stops (everything
/// read is stored first), which is what `producer | logbox run` expects.
final class StandardInputLoop: Sendable {
    private let control: InputControl
    private let queue: IngestQueue
    private let logger: Logger
    private let descriptor: Int32

    init(control: InputControl, queue: IngestQueue, logger: Logger, descriptor: Int32 = 0) {
        self.control = control
        self.queue = queue
        self.logger = logger
        self.descriptor = descriptor
    }

    func run() async {
        let handle = self.control.handle
        var framer = LineFramer(maxLineLength: 64 * 1024)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var ended = false
        while !self.control.isStopRequested && !ended {
            guard await self.queue.waitForRoom() else { break }
            var ready = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
            let found = poll(&ready, 1, 0)
            if found == 0 {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            var lines = LineBatch(source: handle.name, receivedAt: StoreWriter.now())
            let count = read(self.descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                handle.recordError("standard input: \(String(cString: strerror(errno)))")
                self.logger.error("cannot read standard input", metadata: ["errno": "\(errno)"])
                framer.finish(into: &lines)
                ended = true
            } else if count == 0 {
                framer.finish(into: &lines)
                ended = true
            } else {
                let before = framer.truncatedLines
                framer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), into: &lines)
                handle.truncated.add(framer.truncatedLines - before, ordering: .relaxed)
                handle.bytes.add(count, ordering: .relaxed)
            }
            guard lines.count > 0 else { continue }
            handle.received.add(lines.count, ordering: .relaxed)
            handle.queued.add(lines.count, ordering: .relaxed)
            await self.queue.push(.lines(handle, lines, peers: [], file: nil, checkpoints: []))
        }
        if ended {
            handle.ended.store(true, ordering: .releasing)
            self.logger.info("standard input ended")
        }
    }
}
