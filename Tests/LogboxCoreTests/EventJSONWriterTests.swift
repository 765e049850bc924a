import LogboxCore
import Testing

@Suite("JSON output of events")
struct EventJSONWriterTests {
    /// One line, fields added by hand as a parser would.
    private func batch(_ line: [UInt8], _ build: (inout EventBatch) -> Void) -> EventBatch {
        var lines = LineBatch(source: "test")
        lines.append(line, lineNumber: 1, sourceOffset: 0)
        var batch = EventBatch(lines: lines)
        batch.beginEvent(line: 0)
        build(&batch)
        return batch
    }

    private func json(_ batch: EventBatch, raw: Bool = false) -> String {
        var writer = EventJSONWriter(includeRaw: raw)
        var out: [UInt8] = []
        writer.write(event: 0, of: batch, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test("timestamp first with its fraction, numbers as numbers, escapes decoded, level normalized")
    func fields() {
        let line = Array(#"x 200 0.25 a\"b WARN"#.utf8)
        let batch = self.batch(line) { batch in
            batch.setTimestamp(TimestampValue(nanoseconds: 1_793_491_361_019_000_000, fractionDigits: 3))
            batch.append(.host, .text, 0..<1)
            batch.append(.status, .integer, 2..<5, payload: 200)
            batch.append(.requestTime, .decimal, 6..<10, payload: Int64(bitPattern: (0.25).bitPattern))
            batch.append(.message, .jsonEscaped, 11..<15)
            batch.append(.level, .level, 16..<20, payload: Int64(Level.warning.rawValue))
            batch.finishEvent()
        }
        #expect(
            self.json(batch)
                == #"{"timestamp":"2026-11-01T00:02:41.019Z","host":"x","status":200,"request_time":0.25,"message":"a\"b","level":"warning"}"#
                + "\n"
        )
    }

    @Test("a failed line carries raw and parse_error; invalid UTF-8 becomes \\\\xNN")
    func failed() {
        let line: [UInt8] = [0x61, 0xFF, 0x22, 0x0A]
        let batch = self.batch(line) { batch in
            batch.append(.message, .text, 0..<4)
            batch.finishEvent(issue: ParseIssue(.invalidUTF8, column: 2))
        }
        #expect(
            self.json(batch)
                == #"{"message":"a\\xff\"\n","raw":"a\\xff\"\n","parse_error":"invalid UTF-8 at column 2"}"# + "\n"
        )
    }

    @Test("no timestamp key when the line had none; raw on request; nested names as written")
    func noTimestamp() {
        let line = Array("v".utf8)
        var batch = self.batch(line) { _ in }
        let nested = batch.names.intern("http.status")
        batch.append(nested, .text, 0..<1)
        batch.finishEvent()
        #expect(self.json(batch, raw: true) == #"{"http.status":"v","raw":"v"}"# + "\n")
    }

    @Test("integers print exactly at the extremes")
    func integers() {
        for value in [Int64.min, -1, 0, 9, 10, Int64.max] {
            var out: [UInt8] = []
            EventJSONWriter.appendInteger(value, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == "\(value)")
        }
    }
}
