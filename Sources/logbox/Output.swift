import ArgumentParser
import Glibc

/// Where a command writes: a file descriptor (buffered, flushed in large writes) or memory (tests).
final class Output {
    private let descriptor: Int32?
    private(set) var captured: [UInt8] = []
    private var buffer: [UInt8] = []
    /// Whether the descriptor is a terminal (memory is not).
    let isTerminal: Bool

    init(descriptor: Int32) {
        self.descriptor = descriptor
        self.isTerminal = isatty(descriptor) == 1
        self.buffer.reserveCapacity(1 << 16)
    }

    /// Output kept in memory, as tests read it.
    init(capturingAsTerminal isTerminal: Bool = false) {
        self.descriptor = nil
        self.isTerminal = isTerminal
    }

    var capturedText: String { String(decoding: self.captured, as: UTF8.self) }

    /// The terminal's width in columns (the COLUMNS variable, else the terminal's size, else 120).
    var width: Int {
        if let columns = getenv("COLUMNS").flatMap({ Int(String(cString: $0)) }), columns > 20 { return columns }
        if let descriptor, self.isTerminal {
            var size = winsize()
            if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        }
        return 120
    }

    func write(_ bytes: [UInt8]) {
        self.buffer.append(contentsOf: bytes)
        if self.buffer.count >= 1 << 16 { self.flush() }
    }

    func write(_ text: String) {
        self.buffer.append(contentsOf: text.utf8)
        if self.buffer.count >= 1 << 16 { self.flush() }
    }

    /// Appends through a closure that writes into the buffer directly (no intermediate array).
    func withBuffer(_ body: (inout [UInt8]) -> Void) {
        body(&self.buffer)
        if self.buffer.count >= 1 << 16 { self.flush() }
    }

    func flush() {
        guard !self.buffer.isEmpty else { return }
        guard let descriptor else {
            self.captured.append(contentsOf: self.buffer)
            self.buffer.removeAll(keepingCapacity: true)
            return
        }
        self.buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // EPIPE and the like: the reader went away; nothing more to say to it.
                }
                offset += written
            }
        }
        self.buffer.removeAll(keepingCapacity: true)
    }

    deinit { self.flush() }
}

/// A command whose work writes to an `Output` and returns an exit status, so tests can run it in
/// process with captured outputs; `run()` wires it to the real standard output and error.
protocol OutputCommand: ParsableCommand {
    func execute(output: Output, errors: Output) -> Int32
}

extension OutputCommand {
    func run() throws {
        let output = Output(descriptor: 1)
        let errors = Output(descriptor: 2)
        let status = self.execute(output: output, errors: errors)
        output.flush()
        errors.flush()
        if status != 0 { throw ExitCode(status) }
    }
}
