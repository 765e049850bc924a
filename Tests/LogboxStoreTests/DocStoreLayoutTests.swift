import LogboxCore
import LogboxParse
import LogboxStore
import Testing

/// The block layouts of the doc store: zlib and zstd blocks keep record heads apart from lines (transposed).
@Suite("Doc store block layouts")
struct DocStoreLayoutTests {
    /// The trailer's last byte: 0 interleaved, 1 transposed.
    private func layout(_ body: [UInt8]) -> UInt8 { body[body.count - 1] }

    @Test(
        "zlib and zstd blocks are transposed, LZ4 ones interleaved; all read back every event, extra values included",
        arguments: [.lz4, .lz4hc(3), .deflate(1), .deflate(9), .zstd(1), .zstd(12)] as [DocCompression]
    )
    func layouts(compression: DocCompression) throws {
        var random = SeededRandom(seed: 0x7A05)
        let events = (0..<2_000).map { index in
            var event = RandomEvents.event(&random, maxLineLength: 200)
            if index % 5 == 0 {
                // A value an enrich step added, kept after the line (in the tails run when transposed).
                event.extra = Array("enriched-\(index)".utf8)
                event.fields.append(
                    StoredField(name: 7, kind: .text, start: Int32(event.line.count), length: Int32(event.extra.count))
                )
            }
            return event
        }
        var writer = DocStoreWriter(blockSize: 4096, compression: compression)
        for event in events { writer.add(event) }
        let body = writer.finish()
        let isLZ4 = compression == .lz4 || compression == .lz4hc(3)
        #expect(self.layout(body) == (isLZ4 ? 0 : 1))
        #expect(body[body.count - 4] == 5)
        let reader = try DocStoreReader(body: body[...])
        #expect(reader.blockCount > 10)
        try reader.verify()
        var cursor = reader.makeCursor()
        for doc in stride(from: 0, to: events.count, by: 37) {
            #expect(try cursor.event(UInt32(doc)) == events[doc])
        }
        var scanned: [StoredEvent] = []
        try reader.events(in: 0..<UInt32(events.count)) { _, event in scanned.append(event) }
        #expect(scanned == events)
    }

    @Test("real nginx lines: a transposed zlib store reads back what the parser stored")
    func parsedSamples() throws {
        let batch = try ParsedSamples.batch(file: "nginx_access.log")
        let (ids, _) = ParsedSamples.nameMapping(batch)
        var lz4 = DocStoreWriter(blockSize: 64 * 1024, compression: .lz4)
        var zlib = DocStoreWriter(blockSize: 256 * 1024, compression: .deflate(9))
        for index in 0..<batch.count {
            lz4.add(batch: batch, event: index, nameIDs: ids, source: 0, file: 0, receivedAt: 0)
            zlib.add(batch: batch, event: index, nameIDs: ids, source: 0, file: 0, receivedAt: 0)
        }
        let zlibBody = zlib.finish()
        #expect(self.layout(zlibBody) == 1)
        let expected = try DocStoreReader(body: lz4.finish()[...])
        let transposed = try DocStoreReader(body: zlibBody[...])
        try transposed.verify()
        var expectedEvents: [StoredEvent] = []
        try expected.events(in: 0..<UInt32(batch.count)) { _, event in expectedEvents.append(event) }
        var cursor = transposed.makeCursor()
        for doc in 0..<batch.count {
            #expect(try cursor.event(UInt32(doc)) == expectedEvents[doc])
        }
    }

    /// A body of one stored (uncompressed) block holding `payload`, its trailer naming `version`,
    /// zlib level 6 and `layout`.
    private func handMade(payload: [UInt8], docCount: Int, version: UInt16 = 4, layout: UInt8 = 1) -> [UInt8] {
        var body = ByteWriter()
        body.u32(0)
        body.u32(UInt32(docCount))
        body.u32(UInt32(payload.count))
        body.u32(UInt32(payload.count))
        body.i64(0)
        body.bytes.append(contentsOf: payload)
        let indexOffset = body.count
        body.u32(0)
        body.u64(0)
        body.u64(UInt64(indexOffset))
        body.u32(1)
        body.u32(UInt32(docCount))
        body.u16(version)
        body.u8(0x86)
        body.u8(layout)
        return body.bytes
    }

    /// Two events' records as a transposed payload: heads (record and head lengths, head), then tails.
    private func transposedPayload(_ events: [StoredEvent]) -> (payload: [UInt8], heads: [Int]) {
        var heads = ByteWriter()
        var tails: [UInt8] = []
        var headLengths: [Int] = []
        var base: Int64 = 0
        for event in events {
            var record = ByteWriter()
            EventRecord.encode(event, timestampBase: base, into: &record)
            base = event.timestamp
            let head = record.count - event.line.count - event.extra.count
            heads.varint(record.count)
            heads.varint(head)
            heads.bytes.append(contentsOf: record.bytes[..<head])
            tails.append(contentsOf: record.bytes[head...])
            headLengths.append(head)
        }
        return (heads.bytes + tails, headLengths)
    }

    private let events = [
        StoredEvent(timestamp: 5, line: Array("first line".utf8)),
        StoredEvent(timestamp: 9, line: Array("the second, longer line".utf8)),
    ]

    @Test("a hand-made transposed block reads back; a stray byte or a head past its record is damage")
    func handMadeBlocks() throws {
        let (payload, heads) = self.transposedPayload(self.events)
        let good = try DocStoreReader(body: self.handMade(payload: payload, docCount: 2)[...])
        #expect(try good.event(0) == self.events[0])
        #expect(try good.event(1) == self.events[1])
        try good.verify()

        // One byte more in the tails than the heads account for.
        let stray = try DocStoreReader(body: self.handMade(payload: payload + [0x41], docCount: 2)[...])
        let strayError = #expect(throws: StoreError.self) { try stray.verify() }
        #expect(strayError?.message.contains("tails") == true)

        // The first head claims more bytes than its whole record.
        var tooLong = payload
        let recordLength = payload[0]
        #expect(Int(payload[1]) == heads[0])
        tooLong[1] = recordLength + 1
        let damaged = try DocStoreReader(body: self.handMade(payload: tooLong, docCount: 2)[...])
        #expect(throws: StoreError.self) { try damaged.event(0) }

        // A block that says one record: the second head is taken for tails, which do not add up.
        let short = try DocStoreReader(body: self.handMade(payload: payload, docCount: 1)[...])
        #expect(throws: StoreError.self) { try short.verify() }
    }

    @Test("the layout byte: only version 4 may say transposed, and only 0 or 1")
    func layoutByte() throws {
        let (payload, _) = self.transposedPayload(self.events)
        #expect(throws: StoreError.self) {
            try DocStoreReader(body: self.handMade(payload: payload, docCount: 2, version: 3)[...])
        }
        #expect(throws: StoreError.self) {
            try DocStoreReader(body: self.handMade(payload: payload, docCount: 2, layout: 2)[...])
        }
        // Version 3 with layout 0 is an interleaved block: these transposed bytes do not read as one.
        let misread = try DocStoreReader(body: self.handMade(payload: payload, docCount: 2, version: 3, layout: 0)[...])
        #expect(throws: StoreError.self) { try misread.verify() }
    }
}
