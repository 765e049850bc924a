import Testing

@testable import LogboxPipeline

@Suite("Syslog frame decoder")
struct SyslogFrameDecoderTests {
    struct Frame: Equatable, CustomStringConvertible {
        var text: String
        var cut: Int64
        var offset: Int64
        var description: String { "\(self.text)|cut \(self.cut)|at \(self.offset)" }
    }

    /// Feeds `input` in chunks of `chunkSize` bytes, then ends the stream.
    static func decode(
        _ input: String,
        framing: SyslogFrameDecoder.Framing = .detect,
        max: Int = 1024,
        maxFrame: Int = 1 << 20,
        chunkSize: Int
    ) -> (frames: [Frame], error: SyslogFramingError?) {
        var decoder = SyslogFrameDecoder(framing: framing, maxMessageSize: max, maxFrameLength: maxFrame)
        var frames: [Frame] = []
        let bytes = Array(input.utf8)
        let emit = { (message: UnsafeRawBufferPointer, cut: Int64, offset: Int64) in
            frames.append(Frame(text: String(decoding: message, as: UTF8.self), cut: cut, offset: offset))
        }
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunkSize)
            let chunk = Array(bytes[start..<end])
            let failure = chunk.withUnsafeBytes { raw -> SyslogFramingError? in
                do {
                    try decoder.decode(raw, emit: emit)
                    return nil
                } catch {
                    return error as? SyslogFramingError
                }
            }
            if let failure { return (frames, failure) }
            start = end
        }
        do {
            try decoder.finish(emit: emit)
        } catch {
            return (frames, error)
        }
        return (frames, nil)
    }

    @Test("newline framing: LF, CRLF and NUL end messages; empty lines are skipped", arguments: [1, 2, 3, 7, 1000])
    func newline(chunkSize: Int) {
        let result = Self.decode("<13>a one\r\n\n<13>b two\0<13>c three\n<13>d last", chunkSize: chunkSize)
        #expect(result.error == nil)
        #expect(result.frames.map(\.text) == ["<13>a one", "<13>b two", "<13>c three", "<13>d last"])
        #expect(result.frames.map(\.offset) == [0, 12, 22, 34])
    }

    @Test("octet counting stays in step across chunk boundaries", arguments: [1, 2, 5, 1000])
    func octetCounting(chunkSize: Int) {
        let result = Self.decode("5 hello11 hello world\n3 abc", chunkSize: chunkSize)
        #expect(result.error == nil)
        #expect(result.frames.map(\.text) == ["hello", "hello world", "abc"])
        #expect(result.frames.map(\.offset) == [2, 10, 24])
    }

    @Test("an over-long message is cut to the limit and the next one is intact", arguments: [1, 4, 1000])
    func truncation(chunkSize: Int) {
        let newline = Self.decode("0123456789ABCDEF\nshort\n", framing: .newline, max: 10, chunkSize: chunkSize)
        #expect(
            newline.frames == [Frame(text: "0123456789", cut: 6, offset: 0), Frame(text: "short", cut: 0, offset: 17)]
        )
        let octet = Self.decode("16 0123456789ABCDEF5 short", max: 10, chunkSize: chunkSize)
        #expect(octet.error == nil)
        #expect(
            octet.frames == [Frame(text: "0123456789", cut: 6, offset: 3), Frame(text: "short", cut: 0, offset: 21)]
        )
    }

    @Test("broken octet-counting frames are errors with the offset", arguments: [1, 1000])
    func malformed(chunkSize: Int) {
        let letters = Self.decode("5 hello" + "abc 5 hello", chunkSize: chunkSize)
        #expect(letters.frames.map(\.text) == ["hello"])
        #expect(letters.error == SyslogFramingError(kind: .expectedLength(UInt8(ascii: "a")), byteOffset: 7))

        let noSpace = Self.decode("12x", chunkSize: chunkSize)
        #expect(noSpace.error == SyslogFramingError(kind: .expectedSpace(UInt8(ascii: "x")), byteOffset: 2))

        let tooLong = Self.decode("5 hello99999999999 x", max: 100, maxFrame: 1000, chunkSize: chunkSize)
        #expect(tooLong.frames.map(\.text) == ["hello"])
        #expect(tooLong.error?.kind == .frameTooLong(limit: 1000))
        #expect(tooLong.error?.byteOffset == 7)

        let short = Self.decode("10 abc", chunkSize: chunkSize)
        #expect(short.error?.kind == .endInsideFrame(missing: 7))
    }

    @Test("fixed newline framing reads a leading digit as text")
    func fixedNewline() {
        let result = Self.decode("5 hello\n", framing: .newline, chunkSize: 100)
        #expect(result.frames.map(\.text) == ["5 hello"])
    }

    @Test("the framing error text names the byte")
    func errorText() {
        let error = SyslogFramingError(kind: .expectedLength(UInt8(ascii: "a")), byteOffset: 7)
        #expect(error.description == "octet counting: expected a length, found 'a' (0x61) at byte 7")
    }
}
