import Glibc
import LogboxCore
import LogboxParse
import LogboxPipeline
import LogboxTestSupport
import Testing

@Suite("Routing")
struct RouterTests {
    private func batch(_ lines: [String]) throws -> EventBatch {
        var driver = BatchParser(parser: try ParserRegistry.make("json", context: ParseContext(referenceTime: 0)))
        var batch = EventBatch()
        driver.parse(Fixtures.lineBatch(lines), into: &batch)
        return batch
    }

    @Test("sinks with when and sources take only their events; a JSON-lines file gets them")
    func routes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/errors.jsonl"
        let config = try PipelineConfigLoader.parse(
            yaml: """
                sources:
                  - {type: stdin, name: app}
                  - {type: syslog_udp, name: net}
                sinks:
                  - type: store
                  - name: errors
                    type: file
                    path: \(path)
                    when: 'level:(error OR critical)'
                  - type: stdout
                    sources: [net]
                """,
            file: "test.yaml",
            environment: [:]
        )
        var router = try Router(config: config)
        let events = try self.batch([
            #"{"msg":"a","level":"info"}"#, #"{"msg":"b","level":"ERROR"}"#, #"{"msg":"c","level":"fatal"}"#,
        ])
        let routes = router.route(events, source: "app")
        #expect(routes.count == 3)
        #expect(routes[0]?.mask == nil)
        #expect(routes[1]?.mask == [false, true, true])
        #expect(routes[2] == nil)
        #expect(router.route(events, source: "net")[2] != nil)

        let sink = try JSONLinesSink(name: "errors", path: path)
        try sink.write(events, selection: try #require(routes[1]), source: "app", file: nil)
        #expect(sink.written == 2)
        let text = String(decoding: try #require(FileBytes.read(path)), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""level":"error""#) && lines[0].contains(#""source":"app""#))
        #expect(lines[1].contains(#""message":"c""#) && lines[1].contains(#""level":"critical""#))
    }
}

/// Reads a small file whole.
enum FileBytes {
    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }
}
