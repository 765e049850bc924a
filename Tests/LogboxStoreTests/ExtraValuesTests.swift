import LogboxCore
import LogboxParse
import LogboxStore
import LogboxTestSupport
import Testing

/// Field values that are not in the line (enrich steps) and rewritten lines (redaction): the batch
/// arena API, the record layout that keeps them, and the store end to end.
@Suite("Values outside the line")
struct ExtraValuesTests {
    static let lines = [
        "user=alice action=login token=s3cr3t-abc status=ok",
        "user=bob action=logout status=ok",
        "user=carol action=login token=zzz9 status=failed",
    ]

    /// The lines parsed as key=value, then enriched: `env=prod` on every event (one arena value
    /// shared), `score` a number, and the `token` value redacted in line and field.
    static func enrichedBatch() throws -> EventBatch {
        var parser = BatchParser(
            parser: try ParserRegistry.make("kv", context: ParseContext(referenceTime: 1_795_000_000_000_000_000))
        )
        var batch = EventBatch()
        parser.parse(Fixtures.lineBatch(Self.lines, source: "app.log"), into: &batch)
        let env = batch.names.intern("env")
        let score = batch.names.intern("score")
        let prod = batch.appendValue(Array("prod".utf8))
        var added: [(event: Int, field: FieldSlot)] = []
        for event in 0..<batch.count {
            added.append((event, FieldSlot(name: env, kind: .text, start: Int32(prod.lowerBound), length: 4)))
            let number = batch.appendValue(Array(String(40 + event).utf8))
            added.append(
                (
                    event,
                    FieldSlot(
                        name: score,
                        kind: .integer,
                        start: Int32(number.lowerBound),
                        length: Int32(number.count),
                        payload: Int64(40 + event)
                    )
                )
            )
        }
        batch.addFields(added)
        let token = batch.names.intern("token")
        for event in 0..<batch.count {
            guard let field = batch.field(token, of: event) else { continue }
            batch.redact(event: event, range: field.range, with: Array("[REDACTED]".utf8))
        }
        return batch
    }

    static func text(_ bytes: some Sequence<UInt8>) -> String { String(decoding: Array(bytes), as: UTF8.self) }

    @Test("arena values and redactions read back from the batch and its JSON")
    func batchAPI() throws {
        var batch = try Self.enrichedBatch()
        let env = batch.names.intern("env")
        let token = batch.names.intern("token")
        let user = batch.names.intern("user")
        #expect(batch.count == 3)
        for event in 0..<batch.count {
            #expect(batch.field(env, of: event).map(batch.string) == "prod")
            #expect(batch.field(user, of: event) != nil)
        }
        let line0 = Self.text(batch.lines.bytes[batch.lineSlot(of: 0).range])
        #expect(line0 == "user=alice action=login token=[REDACTED] status=ok")
        #expect(batch.field(token, of: 0).map(batch.string) == "[REDACTED]")
        // Fields after the redaction still name their text in the new line.
        let status = batch.names.intern("status")
        #expect(batch.field(status, of: 0).map(batch.string) == "ok")
        #expect(batch.field(status, of: 2).map(batch.string) == "failed")
        #expect(batch.field(user, of: 2).map(batch.string) == "carol")

        var writer = EventJSONWriter(includeRaw: true)
        var out: [UInt8] = []
        writer.write(event: 0, of: batch, into: &out)
        let json = Self.text(out)
        #expect(json.contains("\"env\":\"prod\""))
        #expect(json.contains("\"score\":40"))
        #expect(json.contains("\"token\":\"[REDACTED]\""))
        #expect(json.contains("\"raw\":\"user=alice action=login token=[REDACTED] status=ok\""))
        #expect(!json.contains("s3cr3t"))
    }

    @Test("redact keeps fields before, after and across the replaced bytes right")
    func redactBoundaries() {
        var lines = LineBatch()
        lines.append(Array("aaa bbbbbb ccc".utf8), lineNumber: 1, sourceOffset: 0)
        var batch = EventBatch(lines: lines)
        let names = (0..<5).map { batch.names.intern("f\($0)") }
        batch.beginEvent(line: 0)
        batch.append(names[0], .text, 0..<3)  // aaa
        batch.append(names[1], .text, 4..<10)  // bbbbbb
        batch.append(names[2], .text, 11..<14)  // ccc
        batch.append(names[3], .text, 2..<6)  // "a bb": across the start
        batch.append(names[4], .text, 5..<7)  // inside
        batch.finishEvent()
        batch.redact(event: 0, range: 4..<10, with: Array("XY".utf8))
        #expect(Self.text(batch.lines.bytes[batch.lineSlot(of: 0).range]) == "aaa XY ccc")
        let values = batch.fields(of: 0).map { Self.text(batch.rawBytes($0)) }
        #expect(values == ["aaa", "XY", "ccc", "a XY", "XY"])
    }

    @Test("replaceLine keeps offsets relative to the line, clipped; setField retargets a field")
    func replaceLine() {
        var lines = LineBatch()
        lines.append(Array("first line".utf8), lineNumber: 1, sourceOffset: 0)
        lines.append(Array("hello world".utf8), lineNumber: 2, sourceOffset: 11)
        var batch = EventBatch(lines: lines)
        let word = batch.names.intern("word")
        batch.beginEvent(line: 0)
        batch.finishEvent()
        batch.beginEvent(line: 1)
        batch.append(word, .text, 6..<11)
        batch.finishEvent()
        batch.replaceLine(event: 1, with: Array("hello there".utf8))
        #expect(Self.text(batch.lines.bytes[batch.lineSlot(of: 1).range]) == "hello there")
        #expect(batch.field(word, of: 1).map(batch.string) == "there")
        batch.replaceLine(event: 1, with: Array("hi".utf8))
        #expect(batch.field(word, of: 1).map(batch.string) == "")
        let value = batch.appendValue(Array("planet".utf8))
        batch.setField(batch.events[1].fieldRange.lowerBound, kind: .text, range: value)
        #expect(batch.field(word, of: 1).map(batch.string) == "planet")
        #expect(Self.text(batch.lines.bytes[batch.lineSlot(of: 0).range]) == "first line")
    }

    @Test("a record with extra values round-trips through encode(batch:) and encode(StoredEvent)")
    func recordRoundTrip() throws {
        let batch = try Self.enrichedBatch()
        let nameIDs = (0..<UInt32(batch.names.count)).map { $0 }
        for index in 0..<batch.count {
            var out = ByteWriter()
            EventRecord.encode(
                batch: batch,
                event: index,
                nameIDs: nameIDs,
                source: 0,
                file: StoredEvent.noFile,
                receivedAt: 5,
                timestampBase: 0,
                into: &out
            )
            var reader = ByteReader(out.bytes)
            let event = try EventRecord.decode(&reader, timestampBase: 0)
            #expect(reader.isAtEnd)
            #expect(event.line == Array(batch.lines.bytes[batch.lineSlot(of: index).range]))
            #expect(!event.extra.isEmpty)
            #expect(event.lineLength == event.line.count)
            let expected = batch.fields(of: index).map { batch.string($0) }
            #expect(event.fields.map { event.string($0) } == expected)
            #expect(event.fields.map(\.payload) == batch.fields(of: index).map(\.payload))
            // "prod" is copied once per event even though every event shares the arena value.
            #expect(event.extra.count == 4 + 2)

            var again = ByteWriter()
            EventRecord.encode(event, timestampBase: 0, into: &again)
            #expect(again.bytes == out.bytes)
            var second = ByteReader(again.bytes)
            #expect(try EventRecord.decode(&second, timestampBase: 0) == event)

            // Every truncation throws.
            for end in 0..<out.bytes.count {
                var short = ByteReader(out.bytes[..<end])
                #expect(throws: StoreError.self) { try EventRecord.decode(&short, timestampBase: 0) }
            }
        }
    }

    @Test("layout 1 records (no extra bit) still decode")
    func layoutOne() throws {
        let event = StoredEvent(
            timestamp: 1_000,
            timestampDigits: 3,
            line: Array("GET /index.html 200".utf8),
            fields: [StoredField(name: 0, kind: .integer, start: 16, length: 3, payload: 200)]
        )
        var out = ByteWriter()
        EventRecord.encode(event, timestampBase: 0, into: &out)
        var v1 = out.bytes
        #expect(v1[0] == UInt8(event.line.count << 1))
        v1[0] = UInt8(event.line.count)
        var reader = ByteReader(v1)
        #expect(try EventRecord.decode(&reader, timestampBase: 0, version: 1) == event)
        var unknown = ByteReader(out.bytes)
        #expect(throws: StoreError.self) { try EventRecord.decode(&unknown, timestampBase: 0, version: 3) }
    }

    @Test("a WAL payload of type 1 (layout 1 records) still decodes")
    func walTypeOne() throws {
        var lines = LineBatch()
        lines.append(Array("abc".utf8), lineNumber: 1, sourceOffset: 0)
        var batch = EventBatch(lines: lines)
        batch.beginEvent(line: 0)
        batch.append(FieldID.message, .text, 0..<3)
        batch.finishEvent()
        var payload = WALBatch.encode(batch, source: "s", file: nil, checkpoints: [], receivedAt: 9)
        #expect(payload[0] == WALBatch.eventsType)
        // Header: type, names, sources, checkpoints, base, count; the record starts with line length 3 << 1.
        let recordStart = try #require(payload.lastIndex(of: 3 << 1))
        payload[0] = WALBatch.eventsTypeVersion1
        payload[recordStart] = 3
        let decoded = try WALBatch.decode(payload)
        #expect(decoded.recordVersion == 1)
        var events: [StoredEvent] = []
        try decoded.forEachEvent { events.append($0) }
        #expect(events.map(\.line) == [Array("abc".utf8)])
        payload[0] = 9
        #expect(throws: StoreError.self) { try WALBatch.decode(payload) }
    }

    @Test("the store keeps extra values and redacted lines through WAL replay, flush, merge; they are indexed")
    func storeEndToEnd() throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions()
        options.backgroundMerges = false
        let batch = try Self.enrichedBatch()
        do {
            let writer = try StoreWriter(directory: directory.path, options: options)
            try writer.append(batch, source: "app.log", receivedAt: 7)
            try writer.sync()
            // Dropped without close: the events come back from the WAL.
        }
        func check(segments expected: Int) throws {
            let snapshot = try StoreSnapshot(directory: directory.path)
            #expect(snapshot.segments.count == expected)
            var lines: [String] = []
            var envs: [String] = []
            var jsons: [String] = []
            for segment in snapshot.segments {
                let env = UInt32(try #require(segment.meta.fieldNames.firstIndex(of: "env")))
                try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                    lines.append(Self.text(event.line))
                    envs.append(event.field(env).map(event.string) ?? "-")
                    jsons.append(Self.text(event.json(names: segment.meta.fieldNames, sources: segment.meta.sources)))
                }
                let address = try #require(try segment.terms.lookup(field: "env", term: Array("prod".utf8)))
                var iterator = try segment.postings.iterator(address)
                var docs: [UInt32] = []
                while let doc = try iterator.next() { docs.append(doc) }
                #expect(docs.count == segment.docCount)
                #expect(try segment.terms.lookup(field: "token", term: Array("[REDACTED]".utf8)) != nil)
                #expect(try segment.terms.lookup(field: "token", term: Array("s3cr3t-abc".utf8)) == nil)
                var scores: [Int64] = []
                segment.columns.numeric("score")?.forEach(in: 0..<UInt32(segment.docCount)) { _, value in
                    if case .integer(let integer) = value { scores.append(integer) }
                }
                #expect(scores == [40, 41, 42, 40, 41, 42])
            }
            #expect(lines.count == 6)
            #expect(lines[0] == "user=alice action=login token=[REDACTED] status=ok")
            #expect(lines[1] == Self.lines[1])
            #expect(lines[3] == lines[0])
            #expect(envs == Array(repeating: "prod", count: 6))
            #expect(jsons.allSatisfy { $0.contains("\"env\":\"prod\"") })
            #expect(jsons[2].contains("\"token\":\"[REDACTED]\""))
            #expect(!jsons.joined().contains("s3cr3t") && !jsons.joined().contains("zzz9"))
        }
        let writer = try StoreWriter(directory: directory.path, options: options)
        #expect(writer.unflushedEvents == 3)
        try writer.flush()
        try writer.append(try Self.enrichedBatch(), source: "app.log", receivedAt: 8)
        try writer.flush()
        // Two segments of three events each, merged into one.
        try writer.compact()
        try check(segments: 1)
        try writer.close()
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }
}
