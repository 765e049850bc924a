import LogboxCore
import LogboxParse
import LogboxStore
import LogboxTestSupport
import Testing

/// Parsed batches from `Samples/` and hand-made lines, for tests that start from real parser output.
enum ParsedSamples {
    static let files = ["auth.log", "syslog5424.log", "nginx_access.log", "app.jsonl", "app.logfmt"]
    static let receivedAt: Int64 = 1_793_491_200_000_000_000

    /// Every line of `Samples/<name>` parsed with the `auto` parser.
    static func batch(file name: String) throws -> EventBatch {
        let path = Fixtures.packageRoot() + "/Samples/" + name
        var reader = try FileLineReader(path: path)
        var lines = LineBatch(source: name, receivedAt: Self.receivedAt)
        var all = LineBatch(source: name, receivedAt: Self.receivedAt)
        while try reader.nextBatch(into: &lines) {
            for slot in lines.slots {
                all.append(
                    lines.bytes[slot.range],
                    lineNumber: slot.lineNumber,
                    sourceOffset: slot.sourceOffset,
                    truncatedBytes: slot.truncatedBytes
                )
            }
        }
        return try Self.parse(all)
    }

    /// Lines the samples lack: bad bytes, empty, over-long, escapes, each format's odd corners.
    static func oddLines() throws -> EventBatch {
        var lines = LineBatch(source: "odd", receivedAt: Self.receivedAt)
        let texts: [[UInt8]] = [
            [],
            Array(#"<34>1 2026-11-01T00:00:00.5Z h app 1 ID7 [ex@1 a="x\"y\]z" b="2"] BOMless"#.utf8),
            Array("<13>Nov  1 00:00:00 host prog[12]: Grüße 🚀".utf8),
            [0x3C, 0x31, 0x33, 0x3E, 0xFF, 0x00, 0xC3],
            Array(#"{"level":"WARN","msg":"a\"b\u00e9","n":-12,"f":1.5e3,"ok":true,"z":null,"arr":[1,2]}"#.utf8),
            Array(#"ts=2026-11-01T00:00:00Z lvl=err msg="quoted \" value" count=007 ratio=0.5"#.utf8),
            Array("key=value other=thing".utf8),
            Array(#"10.0.0.1 - - [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 500 - "-" "curl""#.utf8),
            Array("just some free text with no structure".utf8),
        ]
        for (index, text) in texts.enumerated() {
            lines.append(text, lineNumber: Int64(index + 1), sourceOffset: 0, truncatedBytes: index == 2 ? 4096 : 0)
        }
        return try Self.parse(lines)
    }

    static func parse(_ lines: LineBatch) throws -> EventBatch {
        let parser = try ParserRegistry.make("auto", context: ParseContext(referenceTime: Self.receivedAt))
        var batchParser = BatchParser(parser: parser)
        var batch = EventBatch()
        batchParser.parse(lines, into: &batch)
        return batch
    }

    /// A non-identity mapping from batch field ids to local ids, and the local name table.
    static func nameMapping(_ batch: EventBatch) -> (ids: [UInt32], names: [String]) {
        let count = batch.names.count
        let ids = (0..<count).map { UInt32(count - 1 - $0) }
        let names = (0..<count).map { batch.names.name(FieldID(rawValue: UInt32(count - 1 - $0))) }
        return (ids, names)
    }

    /// The stored form of event `index`, built field by field from the batch.
    static func storedEvent(_ batch: EventBatch, _ index: Int, nameIDs: [UInt32], source: UInt32, file: UInt32)
        -> StoredEvent
    {
        let event = batch.events[index]
        let slot = batch.lineSlot(of: index)
        return StoredEvent(
            timestamp: event.hasTimestamp ? event.timestamp : Self.receivedAt,
            timestampDigits: event.timestampDigits,
            issue: event.issue,
            truncatedBytes: slot.truncatedBytes,
            source: source,
            file: file,
            line: Array(batch.lines.bytes[slot.range]),
            fields: batch.fields(of: index).map { field in
                let typed: Set<ValueKind> = [.integer, .decimal, .boolean, .level]
                return StoredField(
                    name: nameIDs[Int(field.name.rawValue)],
                    kind: field.kind,
                    start: field.start - slot.offset,
                    length: field.length,
                    payload: typed.contains(field.kind) ? field.payload : 0
                )
            }
        )
    }
}

@Suite("Event records from parsed batches")
struct EventRecordBatchTests {
    static let inputs = ParsedSamples.files + ["odd lines"]

    @Test("encode(batch:) writes the bytes encode(StoredEvent) writes, and they decode back", arguments: Self.inputs)
    func batchEqualsEvent(input: String) throws {
        let batch = input == "odd lines" ? try ParsedSamples.oddLines() : try ParsedSamples.batch(file: input)
        #expect(batch.count > 0)
        let (ids, _) = ParsedSamples.nameMapping(batch)
        var fromBatch = ByteWriter()
        var fromEvent = ByteWriter()
        var expected: [StoredEvent] = []
        let base = ParsedSamples.receivedAt - 1_000
        for index in 0..<batch.count {
            let file: UInt32 = index % 3 == 0 ? StoredEvent.noFile : 4
            let event = ParsedSamples.storedEvent(batch, index, nameIDs: ids, source: 2, file: file)
            expected.append(event)
            EventRecord.encode(
                batch: batch,
                event: index,
                nameIDs: ids,
                source: 2,
                file: file,
                receivedAt: ParsedSamples.receivedAt,
                timestampBase: base,
                into: &fromBatch
            )
            EventRecord.encode(event, timestampBase: base, into: &fromEvent)
            #expect(
                EventRecord.timestamp(of: index, in: batch, receivedAt: ParsedSamples.receivedAt) == event.timestamp
            )
        }
        #expect(fromBatch.bytes == fromEvent.bytes)
        var reader = ByteReader(fromBatch.bytes)
        for event in expected {
            #expect(try EventRecord.decode(&reader, timestampBase: base) == event)
        }
        #expect(reader.isAtEnd)
    }

    @Test("a stored event's JSON and string values match the parsed event's", arguments: Self.inputs)
    func jsonMatchesWriter(input: String) throws {
        let batch = input == "odd lines" ? try ParsedSamples.oddLines() : try ParsedSamples.batch(file: input)
        let (ids, names) = ParsedSamples.nameMapping(batch)
        var writer = EventJSONWriter(includeRaw: true, extraFields: [(key: "source", value: input)])
        for index in 0..<batch.count {
            var record = ByteWriter()
            EventRecord.encode(
                batch: batch,
                event: index,
                nameIDs: ids,
                source: 0,
                file: StoredEvent.noFile,
                receivedAt: ParsedSamples.receivedAt,
                timestampBase: 0,
                into: &record
            )
            var reader = ByteReader(record.bytes)
            let stored = try EventRecord.decode(&reader, timestampBase: 0)
            var expected: [UInt8] = []
            writer.write(event: index, of: batch, into: &expected)
            #expect(stored.json(names: names, sources: [input], includeRaw: true) == expected)
            for (field, slot) in zip(stored.fields, batch.fields(of: index)) {
                #expect(stored.string(field) == batch.string(slot))
            }
        }
    }
}
