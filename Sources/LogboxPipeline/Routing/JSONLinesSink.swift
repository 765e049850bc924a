public import LogboxCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `file` and `stdout` sinks: events as JSON lines (DESIGN.md's output format, with `source`
/// and `file`), appended to a file or written to standard output.
///
/// One `write` per batch: the batch's lines are formatted into a reused buffer first. A file is
/// opened with `O_APPEND`, so several writers and `logrotate`'s copytruncate keep whole lines.
/// Not thread-safe: one task owns a sink.
public final class JSONLinesSink {
    public let name: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private var writer = EventJSONWriter()
    public private(set) var written = 0

    /// A sink appending to `path` (created with mode 0644 when missing).
    public init(name: String, path: String) throws(SinkError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SinkError(sink: name, message: "\(path): \(String(cString: strerror(errno)))")
        }
        self.name = name
        self.descriptor = descriptor
        self.ownsDescriptor = true
    }

    /// A sink writing to an open descriptor (1 for standard output), which it does not close.
    public init(name: String, descriptor: Int32) {
        self.name = name
        self.descriptor = descriptor
        self.ownsDescriptor = false
    }

    deinit {
        if self.ownsDescriptor { close(self.descriptor) }
    }

    /// Writes the selected events of `batch`, read from input `source` (and `file`).
    public func write(_ batch: EventBatch, selection: EventSelection, source: String, file: String?) throws(SinkError) {
        self.buffer.removeAll(keepingCapacity: true)
        self.writer.extraFields = [("source", source)]
        if let file { self.writer.extraFields.append(("file", file)) }
        var count = 0
        for event in 0..<batch.count where selection.contains(event) {
            self.writer.write(event: event, of: batch, into: &self.buffer)
            count += 1
        }
        guard count > 0 else { return }
        let failure: Int32 = self.buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let result = systemWrite(self.descriptor, raw.baseAddress! + offset, raw.count - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += result
            }
            return 0
        }
        if failure != 0 { throw SinkError(sink: self.name, message: String(cString: strerror(failure))) }
        self.written += count
    }
}

/// A sink that could not be opened or written.
public struct SinkError: Error, Sendable, CustomStringConvertible {
    public var sink: String
    public var message: String

    public init(sink: String, message: String) {
        self.sink = sink
        self.message = message
    }

    public var description: String { "sink \(self.sink): \(self.message)" }
}

/// `write(2)`, named apart from the sink's own `write`.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
