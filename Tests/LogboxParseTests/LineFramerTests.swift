import LogboxCore
import LogboxParse
import Testing

@Suite("Line framing")
struct LineFramerTests {
    private struct Line: Equatable, CustomStringConvertible {
        var text: String
        var number: Int64
        var offset: Int64
        var cut: Int64
        var description: String { "\(self.number)@\(self.offset):\(self.text.debugDescription) cut \(self.cut)" }
    }

    /// Frames `input` fed in chunks of `chunk` bytes.
    private func frame(_ input: [UInt8], chunk: Int, max: Int = 1000) -> [Line] {
        var framer = LineFramer(maxLineLength: max)
        var batch = LineBatch()
        var start = 0
        while start < input.count {
            let end = min(start + chunk, input.count)
            framer.append(Array(input[start..<end]), into: &batch)
            start = end
        }
        framer.finish(into: &batch)
        return batch.slots.map { slot in
            Line(
                text: String(decoding: batch.bytes[slot.range], as: UTF8.self),
                number: slot.lineNumber,
                offset: slot.sourceOffset,
                cut: slot.truncatedBytes
            )
        }
    }

    @Test("LF, CRLF, empty lines and a last line without newline, for every chunk size")
    func basics() {
        let input = Array("one\r\ntwo\n\nthree\r\n\r\nlast".utf8)
        let expected = [
            Line(text: "one", number: 1, offset: 0, cut: 0), Line(text: "two", number: 2, offset: 5, cut: 0),
            Line(text: "", number: 3, offset: 9, cut: 0), Line(text: "three", number: 4, offset: 10, cut: 0),
            Line(text: "", number: 5, offset: 17, cut: 0), Line(text: "last", number: 6, offset: 19, cut: 0),
        ]
        for chunk in 1...input.count { #expect(self.frame(input, chunk: chunk) == expected, "chunk \(chunk)") }
    }

    @Test("a lone CR inside a line is content; a final CR without LF is kept")
    func carriageReturns() {
        let lines = self.frame(Array("a\rb\nc\r".utf8), chunk: 2)
        #expect(lines.map(\.text) == ["a\rb", "c\r"])
    }

    @Test("over-long lines are cut at the limit and the cut bytes counted, for every chunk size")
    func truncation() {
        let long = String(repeating: "x", count: 25)
        let input = Array("short\n\(long)\r\nafter\n\(long)".utf8)
        for chunk in 1...input.count {
            let lines = self.frame(input, chunk: chunk, max: 10)
            #expect(
                lines == [
                    Line(text: "short", number: 1, offset: 0, cut: 0),
                    Line(text: String(repeating: "x", count: 10), number: 2, offset: 6, cut: 15),
                    Line(text: "after", number: 3, offset: 33, cut: 0),
                    Line(text: String(repeating: "x", count: 10), number: 4, offset: 39, cut: 15),
                ],
                "chunk \(chunk)"
            )
        }
    }

    @Test("a line of exactly the limit, with CRLF, is whole")
    func exactLimit() {
        for chunk in 1...14 {
            let lines = self.frame(Array("0123456789\r\nab".utf8), chunk: chunk, max: 10)
            #expect(lines.map(\.text) == ["0123456789", "ab"] && lines.allSatisfy { $0.cut == 0 }, "chunk \(chunk)")
        }
    }

    @Test("a 2 MiB line streamed through never holds more than the limit")
    func hugeLine() {
        var framer = LineFramer(maxLineLength: 4096)
        var batch = LineBatch()
        let chunk = [UInt8](repeating: 0x41, count: 64 * 1024)
        for _ in 0..<32 { framer.append(chunk, into: &batch) }
        #expect(batch.count == 0)
        #expect(batch.bytes.capacity < 64 * 1024)
        framer.append(Array("\nnext\n".utf8), into: &batch)
        #expect(batch.count == 2)
        #expect(batch.slots[0].length == 4096)
        #expect(batch.slots[0].truncatedBytes == 2 * 1024 * 1024 - 4096)
        #expect(batch.slots[1].sourceOffset == 2 * 1024 * 1024 + 1)
        #expect(framer.truncatedLines == 1)
    }

    @Test("random input: every line accounted for, offsets consistent")
    func randomInput() {
        var state: UInt64 = 42
        for round in 0..<300 {
            var input: [UInt8] = []
            let length = round % 200
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let pick = Int(state >> 60)
                input.append(pick < 3 ? 0x0A : pick < 5 ? 0x0D : UInt8(truncatingIfNeeded: state >> 40))
            }
            let lines = self.frame(input, chunk: 1 + round % 7, max: 8)
            let newlines = input.filter { $0 == 0x0A }.count
            let expectedCount = newlines + (input.last.map { $0 != 0x0A } ?? false ? 1 : 0)
            #expect(lines.count == expectedCount)
            for line in lines where line.offset < input.count {
                #expect(line.number >= 1)
            }
        }
    }
}
