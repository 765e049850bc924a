import CZlib

/// Streams gzip data through zlib's `inflate`, one bounded step at a time.
///
/// The `z_stream` lives on the heap because zlib keeps a pointer back to it (a moved stream
/// fails `inflate`'s state check). Concatenated members (`cat a.gz b.gz`) are read one after
/// the other: after a member ends, ``reset()`` starts the next.
final class GzipInflater {
    enum Step {
        /// Input bytes used and output bytes written; `memberEnded` when a gzip trailer was read.
        case progress(consumed: Int, produced: Int, memberEnded: Bool)
        /// The data is not gzip or is damaged (zlib's message).
        case failure(String)
    }

    private let stream: UnsafeMutablePointer<z_stream>

    init?() {
        self.stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        // 15 window bits, +16: expect a gzip header and trailer.
        guard inflateInit2_(self.stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            self.stream.deinitialize(count: 1)
            self.stream.deallocate()
            return nil
        }
    }

    deinit {
        inflateEnd(self.stream)
        self.stream.deinitialize(count: 1)
        self.stream.deallocate()
    }

    /// Starts the next gzip member.
    func reset() {
        inflateReset(self.stream)
    }

    /// Inflates from `input` into `output` until one of them is used up or a member ends.
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Step {
        guard let inBase = input.baseAddress, let outBase = output.baseAddress, output.count > 0 else {
            return .progress(consumed: 0, produced: 0, memberEnded: false)
        }
        let inCount = min(input.count, Int(UInt32.max))
        let outCount = min(output.count, Int(UInt32.max))
        self.stream.pointee.next_in = UnsafeMutablePointer(mutating: inBase.assumingMemoryBound(to: Bytef.self))
        self.stream.pointee.avail_in = uInt(inCount)
        self.stream.pointee.next_out = outBase.assumingMemoryBound(to: Bytef.self)
        self.stream.pointee.avail_out = uInt(outCount)
        let code = CZlib.inflate(self.stream, Z_NO_FLUSH)
        let consumed = inCount - Int(self.stream.pointee.avail_in)
        let produced = outCount - Int(self.stream.pointee.avail_out)
        self.stream.pointee.next_in = nil
        self.stream.pointee.next_out = nil
        switch code {
        case Z_OK, Z_BUF_ERROR:
            return .progress(consumed: consumed, produced: produced, memberEnded: false)
        case Z_STREAM_END:
            return .progress(consumed: consumed, produced: produced, memberEnded: true)
        default:
            if let message = self.stream.pointee.msg { return .failure(String(cString: message)) }
            return .failure("zlib error \(code)")
        }
    }
}
