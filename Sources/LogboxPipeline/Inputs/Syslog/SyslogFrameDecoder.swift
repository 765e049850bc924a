/// Splits one TCP connection's byte stream into syslog messages (RFC 6587).
///
/// The framing is either fixed or detected from the stream's first byte: a digit opens octet
/// counting (`LEN SP MSG`, as rsyslog and `logger --octet-count` send), anything else means
/// messages end at LF (or NUL, which some senders use). A message longer than `maxMessageSize`
/// keeps its first `maxMessageSize` bytes and reports how many it lost; octet counting stays in
/// step because the length says where the next frame starts, newline framing skips to the next
/// delimiter. Only a broken octet-counting frame is an error, because then the next message's
/// start is unknowable.
///
/// A message inside one chunk is handed out as a pointer into that chunk (no copy); only a
/// message split across reads is gathered in `carry`, which never exceeds `maxMessageSize`.
struct SyslogFrameDecoder {
    enum Framing: Sendable, Hashable {
        case detect
        case newline
        case octetCounting
    }

    private(set) var framing: Framing
    let maxMessageSize: Int
    let maxFrameLength: Int

    /// The kept bytes of a message that began in an earlier chunk.
    private var carry: [UInt8] = []
    /// Bytes dropped from the current message beyond `maxMessageSize`.
    private var cut: Int64 = 0
    /// Whether a message (or octet-counting frame) has begun and not ended.
    private var inMessage = false
    /// Stream offset of the current message's first byte.
    private var messageStart: Int64 = 0
    /// Bytes of the stream decoded so far.
    private(set) var streamOffset: Int64 = 0
    /// Octet counting: reading a length (digits so far and its value) or a body (bytes left).
    private var readingBody = false
    private var lengthDigits = 0
    private var lengthValue = 0
    private var remaining = 0

    init(framing: Framing, maxMessageSize: Int, maxFrameLength: Int) {
        self.framing = framing
        self.maxMessageSize = max(1, maxMessageSize)
        self.maxFrameLength = max(self.maxMessageSize, maxFrameLength)
    }

    /// Decodes `chunk`, calling `emit(message, truncatedBytes, streamOffset)` for each message it completes.
    /// - Throws: `SyslogFramingError` on a broken octet-counting frame; the messages before it were emitted.
    /// - Complexity: O(chunk.count); copies only the parts of messages that span chunks.
    mutating func decode(
        _ chunk: UnsafeRawBufferPointer,
        emit: (UnsafeRawBufferPointer, Int64, Int64) -> Void
    ) throws(SyslogFramingError) {
        guard chunk.count > 0 else { return }
        if self.framing == .detect {
            self.framing = chunk[0] &- UInt8(ascii: "0") < 10 ? .octetCounting : .newline
        }
        let base = self.streamOffset
        self.streamOffset += Int64(chunk.count)
        switch self.framing {
        case .newline, .detect:
            self.decodeNewline(chunk, base: base, emit: emit)
        case .octetCounting:
            try self.decodeOctetCounting(chunk, base: base, emit: emit)
        }
    }

    /// The stream ended: emits a last newline-framed message that had no delimiter.
    /// - Throws: `SyslogFramingError.Kind.endInsideFrame` when it ended inside an octet-counting frame.
    mutating func finish(emit: (UnsafeRawBufferPointer, Int64, Int64) -> Void) throws(SyslogFramingError) {
        guard self.inMessage else { return }
        if self.framing == .octetCounting {
            let missing = self.readingBody ? self.remaining : 0
            let partial = self.readingBody || self.lengthDigits > 0
            self.reset()
            if partial {
                throw SyslogFramingError(kind: .endInsideFrame(missing: missing), byteOffset: self.streamOffset)
            }
            return
        }
        self.emitCarry(emit: emit)
    }

    // MARK: Newline framing

    private mutating func decodeNewline(
        _ chunk: UnsafeRawBufferPointer,
        base: Int64,
        emit: (UnsafeRawBufferPointer, Int64, Int64) -> Void
    ) {
        let count = chunk.count
        var i = 0
        while i < count {
            var j = i
            while j < count {
                let byte = chunk[j]
                if byte == UInt8(ascii: "\n") || byte == 0 { break }
                j += 1
            }
            if !self.inMessage {
                self.inMessage = true
                self.messageStart = base + Int64(i)
            }
            let piece = UnsafeRawBufferPointer(rebasing: chunk[i..<j])
            if j == count {
                self.stash(piece)
                return
            }
            if self.carry.isEmpty && self.cut == 0 {
                self.emitDirect(piece, emit: emit)
            } else {
                self.stash(piece)
                self.emitCarry(emit: emit)
            }
            i = j + 1
        }
    }

    // MARK: Octet counting

    private mutating func decodeOctetCounting(
        _ chunk: UnsafeRawBufferPointer,
        base: Int64,
        emit: (UnsafeRawBufferPointer, Int64, Int64) -> Void
    ) throws(SyslogFramingError) {
        let count = chunk.count
        var i = 0
        while i < count {
            if !self.readingBody {
                let byte = chunk[i]
                let digit = byte &- UInt8(ascii: "0")
                if digit < 10 {
                    if self.lengthDigits == 0 {
                        self.inMessage = true
                        self.messageStart = base + Int64(i)
                    }
                    self.lengthDigits += 1
                    self.lengthValue = self.lengthValue &* 10 &+ Int(digit)
                    if self.lengthDigits > 10 || self.lengthValue > self.maxFrameLength {
                        throw SyslogFramingError(
                            kind: .frameTooLong(limit: self.maxFrameLength),
                            byteOffset: self.messageStart
                        )
                    }
                    i += 1
                } else if self.lengthDigits == 0 {
                    // Some senders end each frame with a newline as well; it is not a message.
                    guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == 0 else {
                        throw SyslogFramingError(kind: .expectedLength(byte), byteOffset: base + Int64(i))
                    }
                    i += 1
                } else if byte == UInt8(ascii: " ") {
                    i += 1
                    self.readingBody = true
                    self.remaining = self.lengthValue
                    self.messageStart = base + Int64(i)
                    if self.remaining == 0 { self.reset() }
                } else {
                    throw SyslogFramingError(kind: .expectedSpace(byte), byteOffset: base + Int64(i))
                }
                continue
            }
            let take = min(count - i, self.remaining)
            let piece = UnsafeRawBufferPointer(rebasing: chunk[i..<i + take])
            i += take
            if take == self.remaining && self.carry.isEmpty && self.cut == 0 {
                self.emitDirect(piece, emit: emit)
            } else {
                self.stash(piece)
                self.remaining -= take
                if self.remaining == 0 { self.emitCarry(emit: emit) }
            }
        }
    }

    // MARK: Messages

    /// Keeps what fits of `piece` in `carry`, counting the rest as cut.
    private mutating func stash(_ piece: UnsafeRawBufferPointer) {
        let keep = min(piece.count, self.maxMessageSize - self.carry.count)
        if keep > 0 { self.carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: piece[0..<keep])) }
        self.cut += Int64(piece.count - keep)
    }

    /// Emits a whole message that lies in one chunk, cut to the limit.
    private mutating func emitDirect(
        _ piece: UnsafeRawBufferPointer,
        emit: (UnsafeRawBufferPointer, Int64, Int64) -> Void
    ) {
        let kept = min(piece.count, self.maxMessageSize)
        let cut = Int64(piece.count - kept)
        let message = Self.trimmed(UnsafeRawBufferPointer(rebasing: piece[0..<kept]))
        if message.count > 0 || cut > 0 { emit(message, cut, self.messageStart) }
        self.reset()
    }

    private mutating func emitCarry(emit: (UnsafeRawBufferPointer, Int64, Int64) -> Void) {
        let cut = self.cut
        let start = self.messageStart
        self.carry.withUnsafeBytes { raw in
            let message = Self.trimmed(raw)
            if message.count > 0 || cut > 0 { emit(message, cut, start) }
        }
        self.reset()
    }

    private mutating func reset() {
        self.carry.removeAll(keepingCapacity: self.carry.capacity <= 1 << 16)
        self.cut = 0
        self.inMessage = false
        self.readingBody = false
        self.lengthDigits = 0
        self.lengthValue = 0
        self.remaining = 0
    }

    /// `message` without trailing CR, LF and NUL.
    static func trimmed(_ message: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var end = message.count
        while end > 0 {
            let byte = message[end - 1]
            guard byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") || byte == 0 else { break }
            end -= 1
        }
        return UnsafeRawBufferPointer(rebasing: message[0..<end])
    }
}
