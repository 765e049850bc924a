import LogboxParse
import Testing

@testable import LogboxStore

@Suite("Column file corruption")
struct ColumnCorruptionTests {
    /// A small body with every form: dense, bitset and sparse presence, mixed kinds, NaN, scaled decimals, keywords.
    static let model: ColumnTestModel = {
        var random = SeededRandom(seed: 77)
        var model = ColumnTestModel()
        let docCount = 140
        var time: Int64 = 1_700_000_000_000_000_000
        model.timestamps = (0..<docCount).map { _ in
            time += Int64(random.int(in: 0...9_000_000))
            return time
        }
        model.numerics["dense"] = (0..<docCount).map { (UInt32($0), .integer(Int64(random.int(in: 0...999)))) }
        model.numerics["half"] = (0..<docCount).filter { _ in random.chance(0.5) }.map {
            (UInt32($0), .integer(Int64(random.int(in: -9...9))))
        }
        model.numerics["rare"] = (0..<docCount).filter { _ in random.chance(0.03) }.map {
            (UInt32($0), .decimal(random.pick([0.25, .nan, -.infinity, 1e300])))
        }
        model.numerics["mixed"] = (0..<docCount).filter { _ in random.chance(0.7) }.map {
            (
                UInt32($0),
                random.chance(0.5) ? .decimal(random.unitDouble()) : .integer(Int64(bitPattern: random.next()))
            )
        }
        model.keywords["host"] = (0..<docCount).filter { _ in random.chance(0.8) }.map {
            (UInt32($0), Array("web-\(random.int(in: 1...5))".utf8))
        }
        model.keywords["level"] = (0..<docCount).map { (UInt32($0), random.pick([[0x69], [0x77], [0x65]])) }
        // Short decimals: two blocks stored as integers scaled by 10.
        model.numerics["latency"] = (0..<docCount).filter { _ in random.chance(0.95) }.map {
            (UInt32($0), .decimal(Double(random.int(in: 0...9999)) / 10))
        }
        return model
    }()

    static let body: [UInt8] = Self.model.write().body

    /// Calls every accessor; a damaged body may give wrong answers but must not trap.
    static func exercise(_ reader: ColumnsReader) {
        let docs = 0..<UInt32(reader.docCount)
        var sink = 0
        for doc in docs { sink &+= Int(truncatingIfNeeded: reader.timestamp(doc)) }
        var times: [Int64] = []
        reader.timestamps(in: docs, into: &times)
        sink &+= reader.timestampBlocks.count
        sink &+= reader.blocks(overlapping: reader.minTime, reader.minTime &+ 1_000_000).count
        sink &+= reader.blocks(overlapping: Int64.min, Int64.max).count
        for name in reader.numericFields {
            guard let column = reader.numeric(name) else { continue }
            for doc in docs where column.value(doc) != nil { sink &+= 1 }
            column.forEach(in: docs) { doc, _ in sink &+= Int(doc) }
            column.forEach(in: docs.count > 10 ? 5..<10 : docs) { doc, _ in sink &+= Int(doc) }
            sink &+= column.blocks.count + column.count
            sink &+= column.blocks(from: column.min, through: column.max).count
            _ = (column.min, column.max)
        }
        for name in reader.keywordFields {
            guard let column = reader.keyword(name) else { continue }
            for doc in docs { sink &+= column.ordinal(doc) + (column.value(doc)?.count ?? 0) }
            var ordinals: [UInt32] = []
            column.ordinals(in: docs, into: &ordinals)
            sink &+= column.counts().count + column.counts(of: docs).count
            for value in column.dictionary { sink &+= column.ordinal(of: value) ?? 0 }
        }
        _ = try? reader.verify(docCount: reader.docCount)
        #expect(sink != Int.min)
    }

    @Test("the sample body is valid")
    func sample() throws {
        let reader = try ColumnsReader(body: Self.body)
        var random = SeededRandom(seed: 1)
        try Self.model.check(reader, random: &random)
        #expect(reader.numericFields.count == 5 && reader.keywordFields.count == 2)
    }

    @Test("every truncation throws")
    func truncations() {
        for length in 0..<Self.body.count {
            let error = #expect(throws: StoreError.self) { try ColumnsReader(body: Self.body[0..<length]) }
            #expect(error?.kind == .corrupt)
            if error == nil { break }
        }
    }

    @Test("trailing bytes throw")
    func trailing() {
        #expect(throws: StoreError.self) { try ColumnsReader(body: Self.body + [0]) }
    }

    @Test("every flipped byte throws or decodes without trapping", arguments: [0, 2])
    func flips(rotation: Int) {
        // Each byte gets two of the four masks across the two runs (most bytes are packed values, slow to exercise).
        let masks: [UInt8] = [0x01, 0x10, 0x80, 0xFF]
        var body = Self.body
        for index in body.indices {
            let mask = masks[(index + rotation) % masks.count]
            body[index] ^= mask
            if let reader = try? ColumnsReader(body: body) { Self.exercise(reader) }
            body[index] ^= mask
        }
    }

    @Test("random bytes throw or decode without trapping")
    func garbage() {
        var random = SeededRandom(seed: 4242)
        for round in 0..<3000 {
            var body = (0..<random.int(in: 0...120)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if round % 2 == 0, body.count >= 4 {
                body[0] = UInt8(round / 2 % 2 + 1)
                body[1] = 0
                body[2] = 0
                body[3] = 0
            }
            if let reader = try? ColumnsReader(body: body) { Self.exercise(reader) }
        }
    }

    @Test("a huge doc count in a tiny body throws before allocating")
    func hugeCounts() {
        var writer = ByteWriter()
        writer.u16(ColumnsWriter.formatVersion)
        writer.u16(0)
        writer.varint(UInt64(UInt32.max))
        writer.i64(0)
        writer.i64(0)
        writer.varint(0)
        writer.varint(0)
        writer.append([UInt8](repeating: 0, count: 30))
        #expect(throws: StoreError.self) { try ColumnsReader(body: writer.bytes) }
    }

    @Test("an unknown format version throws")
    func version() {
        var body = Self.body
        body[0] = 3
        let error = #expect(throws: StoreError.self) { try ColumnsReader(body: body) }
        #expect(error?.offset == 0)
    }

    @Test("verify reports ordinals past the dictionary that reads treat as absent (version 1)")
    func badOrdinal() throws {
        var writer = ColumnsWriter()
        writer.bodyVersion = 1
        for doc in 0..<UInt32(8) {
            writer.addTimestamp(Int64(doc))
            writer.addKeyword(field: "k", doc: doc, [UInt8(doc % 2)][...])
        }
        var body = writer.finish().body
        // Two values pack at 2 bits per doc; the last byte holds docs 4...7. Make doc 7 read 3.
        body[body.count - 1] |= 0b1100_0000
        let reader = try ColumnsReader(body: body)
        let column = try #require(reader.keyword("k"))
        #expect(column.ordinal(7) == 0)
        #expect(column.counts(of: 0..<8)[0] == 1)
        let error = #expect(throws: StoreError.self) { try reader.verify(docCount: 8) }
        #expect(error?.kind == .corrupt)
    }

    /// Eight docs alternating between two keyword values: one ordinal block, ordinals 1, 2, 1, 2, ...
    static func keywordBody() throws -> [UInt8] {
        var writer = ColumnsWriter()
        for doc in 0..<UInt32(8) {
            writer.addTimestamp(Int64(doc))
            writer.addKeyword(field: "k", doc: doc, [UInt8(doc % 2)][...])
        }
        let body = writer.finish().body
        // The body ends with the block's width (1), its base (1, at bits(2) = 2 bits) and one data byte.
        #expect(Array(body.suffix(3)) == [1, 1, 0b1010_1010])
        try ColumnsReader(body: body).verify(docCount: 8)
        return body
    }

    @Test("a keyword block wider than the dictionary throws at open; one reaching past it fails verify")
    func keywordBlockPastDictionary() throws {
        var body = try Self.keywordBody()
        body[body.count - 3] = 3  // wider than bits(2)
        let error = #expect(throws: StoreError.self) { try ColumnsReader(body: body) }
        #expect(error?.kind == .corrupt)
        body[body.count - 3] = 1
        body[body.count - 2] = 2  // base 2: docs 1, 3, 5, 7 read ordinal 3 of a 2-value dictionary
        let reader = try ColumnsReader(body: body)
        #expect(reader.keyword("k")?.ordinal(1) == 0 && reader.keyword("k")?.ordinal(0) == 2)
        #expect(throws: StoreError.self) { try reader.verify(docCount: 8) }
        body[body.count - 2] = 0  // base 0: docs read ordinals 0 and 1, which the stored counts contradict
        #expect(throws: StoreError.self) { try ColumnsReader(body: body).verify(docCount: 8) }
    }

    @Test("verify catches any flipped bit of a keyword block's ordinals", arguments: 0..<8)
    func keywordFlippedBit(bit: Int) throws {
        var body = try Self.keywordBody()
        body[body.count - 1] ^= 1 << UInt8(bit)
        let reader = try ColumnsReader(body: body)
        let error = #expect(throws: StoreError.self) { try reader.verify(docCount: 8) }
        #expect(error?.kind == .corrupt)
    }

    @Test("verify reports a value outside its block's range")
    func badValue() throws {
        var writer = ColumnsWriter()
        for doc in 0..<UInt32(4) {
            writer.addTimestamp(Int64(doc) * 2)
        }
        var body = writer.finish().body
        // Times 0, 2, 4, 6: one block, divisor 2, offsets 0...3 at 2 bits in the last byte; make doc 3 read 1.
        body[body.count - 1] = (body[body.count - 1] & 0b0011_1111) | 0b0100_0000
        let reader = try ColumnsReader(body: body)
        #expect(reader.timestamp(3) == 2)
        #expect(throws: StoreError.self) { try reader.verify(docCount: 4) }
    }
}
