import LogboxCore
import LogboxParse
import LogboxStore
import Testing

@Suite("Doc store")
struct DocStoreTests {
    private func store(
        _ events: [StoredEvent],
        blockSize: Int = 4096,
        compression: DocCompression = .lz4
    ) -> [UInt8] {
        var writer = DocStoreWriter(blockSize: blockSize, compression: compression)
        for event in events { writer.add(event) }
        #expect(writer.count == events.count)
        return writer.finish()
    }

    private func randomEvents(_ count: Int, seed: UInt64, maxLineLength: Int = 300) -> [StoredEvent] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in RandomEvents.event(&random, maxLineLength: maxLineLength) }
    }

    private func scan(_ reader: DocStoreReader, _ range: Range<UInt32>) throws -> [StoredEvent] {
        var seen: [StoredEvent] = []
        var ids: [UInt32] = []
        try reader.events(in: range) { doc, event in
            ids.append(doc)
            seen.append(event)
        }
        #expect(ids == Array(range))
        return seen
    }

    @Test("an empty store has no blocks and no docs")
    func empty() throws {
        let body = self.store([])
        #expect(body.count == 20)
        let reader = try DocStoreReader(body: body[...])
        #expect(reader.count == 0)
        #expect(reader.blockCount == 0)
        #expect(try self.scan(reader, 0..<0).isEmpty)
        #expect(reader.block(containing: 0) == nil)
        let error = #expect(throws: StoreError.self) { try reader.event(0) }
        #expect(error?.kind == .invalidArgument)
        #expect(throws: StoreError.self) { try reader.events(in: 0..<1) { _, _ in } }
        try reader.verify()
    }

    @Test("one doc: one block")
    func one() throws {
        let event = StoredEvent(timestamp: 42, timestampDigits: 0, source: 1, line: Array("hello".utf8))
        let reader = try DocStoreReader(body: self.store([event])[...])
        #expect(reader.count == 1)
        #expect(reader.blockCount == 1)
        #expect(try reader.event(0) == event)
        #expect(try self.scan(reader, 0..<1) == [event])
        #expect(throws: StoreError.self) { try reader.event(1) }
        try reader.verify()
    }

    @Test(
        "many docs across blocks: random access, cursors and scans agree",
        arguments: [.lz4, .lz4hc(9), .deflate(1), .deflate(6), .zstd(3), .zstd(19)] as [DocCompression]
    )
    func many(compression: DocCompression) throws {
        let events = self.randomEvents(3_000, seed: 0xD0C5 + UInt64(compression.description.utf8.count))
        let body = self.store(events, compression: compression)
        let reader = try DocStoreReader(body: body[...])
        #expect(reader.count == events.count)
        #expect(reader.blockCount > 10)
        #expect(reader.compression == compression)
        try reader.verify()
        #expect(try self.scan(reader, 0..<UInt32(events.count)) == events)

        var random = SeededRandom(seed: 99)
        var cursor = reader.makeCursor()
        for _ in 0..<500 {
            let doc = UInt32(random.next() % UInt64(events.count))
            #expect(try cursor.event(doc) == events[Int(doc)])
        }
        for doc in stride(from: 0, to: events.count, by: 97) {
            #expect(try reader.event(UInt32(doc)) == events[doc])
        }
        for _ in 0..<50 {
            let a = UInt32(random.next() % UInt64(events.count + 1))
            let b = UInt32(random.next() % UInt64(events.count + 1))
            let range = min(a, b)..<max(a, b)
            #expect(try self.scan(reader, range) == Array(events[Int(range.lowerBound)..<Int(range.upperBound)]))
        }
    }

    @Test("block boundaries: ids are dense, each block's first and last docs read back, ranges straddle blocks")
    func boundaries() throws {
        let events = self.randomEvents(700, seed: 5, maxLineLength: 60)
        let reader = try DocStoreReader(body: self.store(events, blockSize: 512)[...])
        var next: UInt32 = 0
        var cursor = reader.makeCursor()
        for block in 0..<reader.blockCount {
            let docs = reader.docs(inBlock: block)
            #expect(docs.lowerBound == next)
            #expect(!docs.isEmpty)
            next = docs.upperBound
            for doc in [docs.lowerBound, docs.upperBound - 1] {
                #expect(reader.block(containing: doc) == block)
                #expect(try cursor.event(doc) == events[Int(doc)])
            }
            if docs.lowerBound > 0 {
                let straddle = docs.lowerBound - 1..<docs.lowerBound + 1
                #expect(
                    try self.scan(reader, straddle)
                        == Array(events[Int(straddle.lowerBound)..<Int(straddle.upperBound)])
                )
            }
        }
        #expect(next == 700)
    }

    @Test("block size and doc count edges: 127, 128, 129 docs; a doc larger than a block", arguments: [127, 128, 129])
    func counts(count: Int) throws {
        var events = self.randomEvents(count, seed: UInt64(count), maxLineLength: 40)
        events[count / 2].line = [UInt8](repeating: 0x61, count: 1 << 20)
        events[count / 2].fields = [StoredField(name: 1, kind: .text, start: 0, length: 1 << 20)]
        for blockSize in [1, 256, 32 * 1024, 1 << 22] {
            let reader = try DocStoreReader(body: self.store(events, blockSize: blockSize)[...])
            if blockSize == 1 { #expect(reader.blockCount == count) }
            if blockSize == 1 << 22 { #expect(reader.blockCount == 1) }
            #expect(try self.scan(reader, 0..<UInt32(count)) == events)
            #expect(try reader.event(UInt32(count / 2)) == events[count / 2])
            try reader.verify()
        }
    }

    @Test("ingest path: add(batch:) stores what add(StoredEvent) stores")
    func batchAdd() throws {
        let batch = try ParsedSamples.batch(file: "auth.log")
        let (ids, _) = ParsedSamples.nameMapping(batch)
        var fromBatch = DocStoreWriter()
        var fromEvents = DocStoreWriter()
        for index in 0..<batch.count {
            fromBatch.add(
                batch: batch,
                event: index,
                nameIDs: ids,
                source: 0,
                file: 3,
                receivedAt: ParsedSamples.receivedAt
            )
            fromEvents.add(ParsedSamples.storedEvent(batch, index, nameIDs: ids, source: 0, file: 3))
        }
        let body = fromBatch.finish()
        #expect(body == fromEvents.finish())
        let reader = try DocStoreReader(body: body[...])
        #expect(reader.count == batch.count)
        #expect(try reader.event(10) == ParsedSamples.storedEvent(batch, 10, nameIDs: ids, source: 0, file: 3))
    }

    @Test("HC compresses at least as well as fast and reads back the same events")
    func hc() throws {
        let batch = try ParsedSamples.batch(file: "nginx_access.log")
        let (ids, _) = ParsedSamples.nameMapping(batch)
        var fast = DocStoreWriter()
        var hc = DocStoreWriter(compressionLevel: 9)
        for index in 0..<batch.count {
            fast.add(batch: batch, event: index, nameIDs: ids, source: 0, file: 0, receivedAt: 0)
            hc.add(batch: batch, event: index, nameIDs: ids, source: 0, file: 0, receivedAt: 0)
        }
        let fastBody = fast.finish()
        let hcBody = hc.finish()
        #expect(hcBody.count <= fastBody.count)
        let fastReader = try DocStoreReader(body: fastBody[...])
        let hcReader = try DocStoreReader(body: hcBody[...])
        #expect(hcReader.compression == .lz4hc(9))
        let all = 0..<UInt32(batch.count)
        #expect(try self.scan(fastReader, all) == self.scan(hcReader, all))
    }

    @Test(
        "deflate stores real logs smaller than LZ4HC, zstd smaller than deflate; each reads back the same events",
        arguments: [(.lz4hc(3), .deflate(6)), (.deflate(9), .zstd(12))] as [(DocCompression, DocCompression)]
    )
    func strongerCoder(weaker: DocCompression, stronger: DocCompression) throws {
        let batch = try ParsedSamples.batch(file: "nginx_access.log")
        let (ids, _) = ParsedSamples.nameMapping(batch)
        var writers = [weaker, stronger].map { DocStoreWriter(blockSize: 1024 * 1024, compression: $0) }
        for index in 0..<batch.count {
            for writer in writers.indices {
                writers[writer].add(batch: batch, event: index, nameIDs: ids, source: 0, file: 0, receivedAt: 0)
            }
        }
        let bodies = writers.map { $0.finish() }
        #expect(bodies[1].count < bodies[0].count)
        let readers = try bodies.map { try DocStoreReader(body: $0[...]) }
        #expect(readers[1].compression == stronger)
        try readers[1].verify()
        let all = 0..<UInt32(batch.count)
        #expect(try self.scan(readers[1], all) == self.scan(readers[0], all))
    }

    @Test(
        "a flipped byte in a deflate or zstd block fails the read and verify",
        arguments: [.deflate(6), .zstd(3)] as [DocCompression]
    )
    func compressedDamage(compression: DocCompression) throws {
        let events = self.randomEvents(400, seed: 0x21B)
        let body = self.store(events, blockSize: 8192, compression: compression)
        let reader = try DocStoreReader(body: body[...])
        #expect(reader.blockCount > 2)
        // Each position of the first block's payload (after its 24-byte header).
        let payloadEnd = reader.blockCount > 1 ? Int(try #require(self.blockOffset(body, 1))) : body.count - 20
        for position in stride(from: 24, to: payloadEnd, by: 7) {
            var damaged = body
            damaged[position] ^= 0x10
            let opened = try DocStoreReader(body: damaged[...])
            #expect(throws: StoreError.self, "byte \(position)") {
                try opened.verify()
                _ = try self.scan(opened, 0..<UInt32(events.count))
            }
        }
    }

    /// Offset of block `number`'s header, from the block index.
    private func blockOffset(_ body: [UInt8], _ number: Int) -> UInt64? {
        let trailer = body.count - 20
        var indexOffset: UInt64 = 0
        for byte in 0..<8 { indexOffset |= UInt64(body[trailer + byte]) << (8 * UInt64(byte)) }
        let entry = Int(indexOffset) + number * 12 + 4
        guard entry + 8 <= trailer else { return nil }
        var offset: UInt64 = 0
        for byte in 0..<8 { offset |= UInt64(body[entry + byte]) << (8 * UInt64(byte)) }
        return offset
    }

    @Test("version 2 bodies still read; a deflate byte before version 3 and a zstd byte before 5 are damage")
    func version2() throws {
        let events = self.randomEvents(200, seed: 0x2)
        var body = self.store(events, compression: .lz4hc(3))
        let versionAt = body.count - 4
        #expect(body[versionAt] == 5 && body[versionAt + 1] == 0)
        body[versionAt] = 2
        #expect(try self.scan(try DocStoreReader(body: body[...]), 0..<200) == events)
        body[versionAt + 2] = 0x83
        #expect(throws: StoreError.self) { try DocStoreReader(body: body[...]) }
        body[versionAt] = 3
        #expect(throws: StoreError.self) { try DocStoreReader(body: body[...]).verify() }
        body[versionAt + 2] = 0x43
        body[versionAt] = 4
        #expect(throws: StoreError.self) { try DocStoreReader(body: body[...]) }
        // Version 5 names zstd 3, but the blocks are LZ4: a misread, caught when decoded.
        body[versionAt] = 5
        #expect(throws: StoreError.self) { try DocStoreReader(body: body[...]).verify() }
    }

    @Test("incompressible blocks are stored as they are")
    func incompressible() throws {
        var random = SeededRandom(seed: 1)
        let events = (0..<50).map { _ in
            StoredEvent(timestamp: 0, line: (0..<2_000).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        let body = self.store(events, blockSize: 4096)
        let raw = events.reduce(0) { $0 + $1.line.count }
        #expect(body.count < raw + raw / 50)
        let reader = try DocStoreReader(body: body[...])
        #expect(reader.uncompressedSize >= raw)
        #expect(try self.scan(reader, 0..<50) == events)
    }

    @Test("a body inside a larger buffer reads through its slice indices")
    func slice() throws {
        let events = self.randomEvents(200, seed: 8)
        let body = self.store(events, blockSize: 1024)
        let padded = [UInt8](repeating: 0xAB, count: 37) + body + [UInt8](repeating: 0xCD, count: 11)
        let reader = try DocStoreReader(body: padded[37..<(37 + body.count)])
        #expect(try self.scan(reader, 0..<200) == events)
    }

    @Test("every truncation throws; every flipped byte throws or decodes, never traps")
    func damage() throws {
        let events = self.randomEvents(60, seed: 21, maxLineLength: 80)
        let body = self.store(events, blockSize: 400)
        for end in 0..<body.count {
            #expect(throws: StoreError.self) { try DocStoreReader(body: body[..<end]) }
        }
        var random = SeededRandom(seed: 4)
        for position in 0..<body.count {
            var damaged = body
            damaged[position] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            guard let reader = try? DocStoreReader(body: damaged[...]) else { continue }
            _ = try? reader.verify()
            _ = try? reader.events(in: 0..<UInt32(reader.count)) { _, _ in }
            var cursor = reader.makeCursor()
            for doc in stride(from: 0, to: reader.count, by: 7) { _ = try? cursor.event(UInt32(doc)) }
        }
        // Damage inside the index or the trailer is always caught: at open, or (open reads the
        // index but no block header but the last) by verify, which checks each header against it.
        let reader = try DocStoreReader(body: body[...])
        let levelByte = body.count - 2  // any level 0...12 is valid
        // Version 3 with bit 0 flipped is version 2, whose layout these LZ4 blocks also satisfy (the
        // file footer's checksum catches that flip).
        let versionByte = body.count - 4
        for position in (body.count - 20 - reader.blockCount * 12)..<body.count
        where position != levelByte && position != versionByte {
            var damaged = body
            damaged[position] ^= 0x01
            let error = #expect(throws: StoreError.self) { try DocStoreReader(body: damaged[...]).verify() }
            #expect(error?.kind == .corrupt)
        }
    }

    @Test("Samples/ stored with fast LZ4 take under 0.35 of their raw size")
    func samplesSize() throws {
        var raw = 0
        var writer = DocStoreWriter()
        for (number, file) in ParsedSamples.files.enumerated() {
            let batch = try ParsedSamples.batch(file: file)
            let (ids, _) = ParsedSamples.nameMapping(batch)
            raw += batch.lines.bytes.count + batch.lines.count  // with the newlines of the file
            for index in 0..<batch.count {
                writer.add(
                    batch: batch,
                    event: index,
                    nameIDs: ids,
                    source: UInt32(number),
                    file: UInt32(number),
                    receivedAt: ParsedSamples.receivedAt
                )
            }
        }
        let body = writer.finish()
        #expect(Double(body.count) < 0.35 * Double(raw))
        try DocStoreReader(body: body[...]).verify()
    }
}
