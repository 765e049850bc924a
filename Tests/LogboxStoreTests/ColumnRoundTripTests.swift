import LogboxParse
import Testing

@testable import LogboxStore

/// What a column file should hold, kept the plain way, to write through `ColumnsWriter` and compare a reader to.
struct ColumnTestModel {
    var timestamps: [Int64] = []
    /// Per field, values in doc order.
    var numerics: [String: [(doc: UInt32, value: NumericValue)]] = [:]
    var keywords: [String: [(doc: UInt32, value: [UInt8])]] = [:]

    /// Writes the model: interleaved per doc as a segment builder would, or field after field; `version` 1 writes
    /// the version-1 layout (no scaled decimal blocks).
    func write(
        maxDictionarySize: Int = 4096,
        interleaved: Bool = true,
        version: UInt16 = ColumnsWriter.formatVersion
    ) -> (body: [UInt8], dropped: [String]) {
        var writer = ColumnsWriter(maxDictionarySize: maxDictionarySize)
        writer.bodyVersion = version
        let numericNames = self.numerics.keys.sorted()
        let keywordNames = self.keywords.keys.sorted()
        if interleaved {
            let numericHandles = numericNames.map { writer.numericField(named: $0) }
            let keywordHandles = keywordNames.map { writer.keywordField(named: $0) }
            var numericNext = [Int](repeating: 0, count: numericNames.count)
            var keywordNext = [Int](repeating: 0, count: keywordNames.count)
            for (doc, time) in self.timestamps.enumerated() {
                writer.addTimestamp(time)
                for (field, name) in numericNames.enumerated() {
                    let values = self.numerics[name]!
                    while numericNext[field] < values.count, values[numericNext[field]].doc == UInt32(doc) {
                        switch values[numericNext[field]].value {
                        case .integer(let value):
                            writer.addInteger(fieldIndex: numericHandles[field], doc: UInt32(doc), value)
                        case .decimal(let value):
                            writer.addDecimal(fieldIndex: numericHandles[field], doc: UInt32(doc), value)
                        }
                        numericNext[field] += 1
                    }
                }
                for (field, name) in keywordNames.enumerated() {
                    let values = self.keywords[name]!
                    while keywordNext[field] < values.count, values[keywordNext[field]].doc == UInt32(doc) {
                        let value = values[keywordNext[field]].value
                        if doc.isMultiple(of: 2) {
                            writer.addKeyword(fieldIndex: keywordHandles[field], doc: UInt32(doc), value[...])
                        } else {
                            writer.addKeyword(fieldIndex: keywordHandles[field], doc: UInt32(doc), value.span)
                        }
                        keywordNext[field] += 1
                    }
                }
            }
        } else {
            for name in numericNames {
                for (doc, value) in self.numerics[name]! {
                    switch value {
                    case .integer(let value): writer.addInteger(field: name, doc: doc, value)
                    case .decimal(let value): writer.addDecimal(field: name, doc: doc, value)
                    }
                }
            }
            for name in keywordNames {
                for (doc, value) in self.keywords[name]! { writer.addKeyword(field: name, doc: doc, value[...]) }
            }
            for time in self.timestamps { writer.addTimestamp(time) }
        }
        let (body, dropped) = writer.finish()
        return (body, dropped)
    }

    /// Compares every accessor of `reader` with the model; `dropped` keyword fields must be absent.
    func check(_ reader: ColumnsReader, dropped: Set<String> = [], random: inout SeededRandom) throws {
        let docCount = self.timestamps.count
        #expect(reader.docCount == docCount)
        #expect(reader.minTime == (self.timestamps.min() ?? Int64.max))
        #expect(reader.maxTime == (self.timestamps.max() ?? Int64.min))
        try reader.verify(docCount: docCount)
        #expect(throws: StoreError.self) { try reader.verify(docCount: docCount + 1) }

        // Timestamps, one by one and by ranges.
        for doc in 0..<docCount where reader.timestamp(UInt32(doc)) != self.timestamps[doc] {
            Issue.record("timestamp of doc \(doc): \(reader.timestamp(UInt32(doc))) != \(self.timestamps[doc])")
            break
        }
        var times: [Int64] = [42]
        reader.timestamps(in: 0..<UInt32(docCount), into: &times)
        #expect(times == [42] + self.timestamps)
        for _ in 0..<8 where docCount > 0 {
            let range = Self.randomRange(docCount, &random)
            times.removeAll(keepingCapacity: true)
            reader.timestamps(in: range, into: &times)
            #expect(times[...] == self.timestamps[Int(range.lowerBound)..<Int(range.upperBound)])
        }

        // The block index, and ranges that must cover every doc in a window.
        let blocks = reader.timestampBlocks
        #expect(blocks.count == (docCount + 127) / 128)
        for (index, block) in blocks.enumerated() {
            let slice = self.timestamps[Int(block.docs.lowerBound)..<Int(block.docs.upperBound)]
            #expect(block.docs == UInt32(index * 128)..<UInt32(min(index * 128 + 128, docCount)))
            #expect(block.minTime == slice.min() && block.maxTime == slice.max())
        }
        var windows: [(Int64, Int64)] = [(Int64.min, Int64.max), (Int64.max, Int64.min)]
        for _ in 0..<12 where docCount > 0 {
            let a = self.timestamps[random.int(in: 0..<docCount)]
            let b = self.timestamps[random.int(in: 0..<docCount)]
            windows.append((min(a, b), max(a, b)))
            windows.append((a, a))
        }
        for (from, to) in windows {
            let ranges = reader.blocks(overlapping: from, to)
            for (first, second) in zip(ranges, ranges.dropFirst()) { #expect(first.upperBound < second.lowerBound) }
            for (doc, time) in self.timestamps.enumerated() where from <= time && time <= to {
                if !ranges.contains(where: { $0.contains(UInt32(doc)) }) {
                    Issue.record("window \(from)...\(to) misses doc \(doc)")
                    break
                }
            }
            for range in ranges {
                for block in Int(range.lowerBound) / 128..<(Int(range.upperBound) + 127) / 128
                where blocks[block].minTime > to || blocks[block].maxTime < from {
                    Issue.record("window \(from)...\(to) returns block \(block) outside it")
                }
            }
        }

        // Numeric columns.
        let numericNames = self.numerics.filter { !$0.value.isEmpty }.keys.sorted()
        #expect(reader.numericFields == numericNames)
        for name in numericNames {
            let expected = self.numerics[name]!
            let column = try #require(reader.numeric(name))
            #expect(column.count == expected.count)
            var byDoc = [NumericValue?](repeating: nil, count: docCount)
            for (doc, value) in expected { byDoc[Int(doc)] = value }
            for doc in 0..<docCount where !Self.same(column.value(UInt32(doc)), byDoc[doc]) {
                Issue.record(
                    "\(name) doc \(doc): \(String(describing: column.value(UInt32(doc)))) != \(String(describing: byDoc[doc]))"
                )
                break
            }
            var ranges = [0..<UInt32(docCount)]
            for _ in 0..<8 where docCount > 0 { ranges.append(Self.randomRange(docCount, &random)) }
            for range in ranges {
                var seen: [(UInt32, NumericValue)] = []
                column.forEach(in: range) { seen.append(($0, $1)) }
                let want = expected.filter { range.contains($0.doc) }
                #expect(seen.count == want.count)
                if !zip(seen, want).allSatisfy({ $0.0 == $1.doc && Self.same($0.1, $1.value) }) {
                    Issue.record("\(name) forEach(in: \(range)) differs")
                }
            }
            #expect(column.blocks == Self.expectedBlocks(expected))
            let finite = expected.map(\.value).filter { !$0.isNaN }
            let low = finite.min { $0.compare(to: $1)! < 0 }
            let high = finite.max { $0.compare(to: $1)! < 0 }
            #expect(Self.same(column.min, low) || column.min?.compare(to: low!) == 0)
            #expect(Self.same(column.max, high) || column.max?.compare(to: high!) == 0)
        }

        // Keyword columns.
        let keywordNames = self.keywords.filter { !$0.value.isEmpty && !dropped.contains($0.key) }.keys.sorted()
        #expect(reader.keywordFields == keywordNames)
        for name in dropped { #expect(reader.keyword(name) == nil) }
        for name in keywordNames {
            let expected = self.keywords[name]!
            let column = try #require(reader.keyword(name))
            let dictionary = Set(expected.map(\.value)).sorted { $0.lexicographicallyPrecedes($1) }
            #expect(column.dictionary.map { Array($0) } == dictionary)
            var ordinals = [Int](repeating: 0, count: docCount)
            for (doc, value) in expected { ordinals[Int(doc)] = dictionary.firstIndex(of: value)! + 1 }
            #expect((0..<docCount).map { column.ordinal(UInt32($0)) } == ordinals)
            var counts = [Int](repeating: 0, count: dictionary.count + 1)
            for ordinal in ordinals { counts[ordinal] += 1 }
            #expect(column.counts() == counts)
            #expect(column.counts(of: 0..<UInt32(docCount)) == counts)
            #expect(column.count == expected.count)
            for _ in 0..<4 where docCount > 0 {
                let range = Self.randomRange(docCount, &random)
                var out: [UInt32] = [7]
                column.ordinals(in: range, into: &out)
                #expect(out == [7] + ordinals[Int(range.lowerBound)..<Int(range.upperBound)].map { UInt32($0) })
            }
            for (index, value) in dictionary.enumerated() { #expect(column.ordinal(of: value) == index + 1) }
            #expect(column.ordinal(of: Array("\u{1}absent\u{0}".utf8)) == nil)
            if let (doc, value) = expected.first { #expect(column.value(doc).map { Array($0) } == value) }
        }
    }

    /// A non-empty range inside `0..<count`.
    static func randomRange(_ count: Int, _ random: inout SeededRandom) -> Range<UInt32> {
        let a = random.int(in: 0...count)
        let b = random.int(in: 0...count)
        return UInt32(min(a, b))..<UInt32(max(a, b))
    }

    /// Equal kind and bit pattern (NaN payloads included).
    static func same(_ a: NumericValue?, _ b: NumericValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (.integer(let x)?, .integer(let y)?): x == y
        case (.decimal(let x)?, .decimal(let y)?): x.bitPattern == y.bitPattern
        default: false
        }
    }

    /// Blocks of 128 values per kind, integers first, min/max over non-NaN values.
    static func expectedBlocks(_ values: [(doc: UInt32, value: NumericValue)]) -> [NumericBlock] {
        var blocks: [NumericBlock] = []
        for wantDecimal in [false, true] {
            let kind = values.filter { if case .decimal = $0.value { wantDecimal } else { !wantDecimal } }
            var start = 0
            while start < kind.count {
                let chunk = kind[start..<min(start + 128, kind.count)]
                let finite = chunk.map(\.value).filter { !$0.isNaN }
                blocks.append(
                    NumericBlock(
                        docs: chunk.first!.doc..<(chunk.last!.doc + 1),
                        count: chunk.count,
                        min: finite.min { $0.compare(to: $1)! < 0 },
                        max: finite.max { $0.compare(to: $1)! < 0 }
                    )
                )
                start += 128
            }
        }
        return blocks
    }
}

@Suite("Column file round trips")
struct ColumnRoundTripTests {
    enum TimePattern: String, CaseIterable, Sendable {
        case logRate, negative, hugeSpread, allEqual, milliseconds, extremes
    }

    static func timestamps(_ pattern: TimePattern, count: Int, _ random: inout SeededRandom) -> [Int64] {
        var time: Int64 = 1_767_225_600_000_000_000
        return (0..<count).map { _ in
            switch pattern {
            case .logRate:
                time += Int64(random.int(in: 0...20_000_000))
                return random.chance(0.05) ? time - Int64(random.int(in: 0...2_000_000_000)) : time
            case .negative:
                return -Int64(random.int(in: 0...1_000_000_000_000))
            case .hugeSpread:
                return Int64(bitPattern: random.next())
            case .allEqual:
                return -7
            case .milliseconds:
                time += Int64(random.int(in: 0...30)) * 1_000_000
                return time
            case .extremes:
                return random.chance(0.5) ? Int64.min : Int64.max
            }
        }
    }

    static func model(docCount: Int, pattern: TimePattern, seed: UInt64) -> ColumnTestModel {
        var random = SeededRandom(seed: seed)
        var model = ColumnTestModel()
        model.timestamps = Self.timestamps(pattern, count: docCount, &random)
        let densities: [String: Double] = ["dense": 1.0, "half": 0.5, "rare": 0.01, "most": 0.97]
        for (name, density) in densities {
            var values: [(doc: UInt32, value: NumericValue)] = []
            for doc in 0..<docCount where random.chance(density) {
                values.append((UInt32(doc), .integer(Int64(random.int(in: 100...599)))))
            }
            model.numerics["status.\(name)"] = values
        }
        let specials: [Double] = [
            .nan, -.nan, Double(bitPattern: 0x7FF0_0000_0000_0001), Double(bitPattern: 0xFFF8_0000_0000_BEEF),
            .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, .greatestFiniteMagnitude,
        ]
        var mixed: [(doc: UInt32, value: NumericValue)] = []
        var extremes: [(doc: UInt32, value: NumericValue)] = []
        for doc in 0..<docCount {
            if random.chance(0.6) {
                let value: NumericValue =
                    switch random.int(in: 0...3) {
                    case 0: .decimal(random.pick(specials))
                    case 1: .decimal(random.unitDouble() * 10)
                    case 2: .integer(Int64(bitPattern: random.next()))
                    default: .integer(Int64(random.int(in: -5...5)))
                    }
                mixed.append((UInt32(doc), value))
            }
            if random.chance(0.3) {
                extremes.append((UInt32(doc), .integer(random.pick([Int64.min, Int64.max, 0, -1, Int64.min + 1]))))
            }
        }
        model.numerics["mixed"] = mixed
        model.numerics["extremes"] = extremes
        model.numerics["request_time"] = (0..<docCount).filter { _ in random.chance(0.8) }.map {
            (UInt32($0), .decimal(Double(random.int(in: 0...5000)) / 1000))
        }
        let hosts = (0..<12).map { Array("host-\($0)".utf8) } + [[], Array("ünï/çødé ✓".utf8), [0, 255, 0]]
        model.keywords["host"] = (0..<docCount).filter { _ in random.chance(0.9) }.map {
            (UInt32($0), random.pick(hosts))
        }
        model.keywords["level"] = (0..<docCount).map {
            (UInt32($0), random.pick(["info", "warn", "error"]).utf8.map { $0 })
        }
        model.keywords["rare"] = (0..<docCount).filter { _ in random.chance(0.02) }.map {
            (UInt32($0), [UInt8](repeating: UInt8(ascii: "x"), count: random.int(in: 0...3) * 20_000))
        }
        // The same name as a keyword and a number: two independent columns.
        model.keywords["status.dense"] = (0..<docCount).map { (UInt32($0), Array(String($0 % 5).utf8)) }
        return model
    }

    @Test(
        "random columns round-trip exactly",
        arguments: [0, 1, 2, 127, 128, 129, 255, 256, 257, 1500],
        TimePattern.allCases
    )
    func roundTrip(docCount: Int, pattern: TimePattern) throws {
        let model = Self.model(docCount: docCount, pattern: pattern, seed: UInt64(docCount) &* 31 &+ 7)
        var random = SeededRandom(seed: 99)
        for interleaved in docCount <= 300 ? [true, false] : [true] {
            let (body, dropped) = model.write(interleaved: interleaved)
            #expect(dropped.isEmpty)
            let reader = try ColumnsReader(body: body)
            try model.check(reader, random: &random)
        }
        // The version-1 layout (no scaled decimals, keyword ordinals in one run) still reads the same.
        let reader = try ColumnsReader(body: model.write(version: 1).body)
        try model.check(reader, random: &random)
    }

    @Test("a body inside a larger buffer reads the same")
    func sliceOffset() throws {
        let model = Self.model(docCount: 300, pattern: .logRate, seed: 5)
        let (body, _) = model.write()
        let padded = [UInt8](repeating: 0xAB, count: 13) + body + [1, 2, 3]
        let reader = try ColumnsReader(body: padded[13..<(13 + body.count)])
        var random = SeededRandom(seed: 1)
        try model.check(reader, random: &random)
    }

    @Test("sparse and dense columns across many blocks")
    func manyBlocks() throws {
        var random = SeededRandom(seed: 11)
        var model = ColumnTestModel()
        let docCount = 20_000
        model.timestamps = (0..<Int64(docCount)).map { $0 * 1_000_000 + Int64(random.int(in: 0...999)) }
        let fields: [(String, Double)] = [("sparse", 0.03), ("dense", 0.6), ("clustered", 0)]
        for (name, density) in fields {
            var values: [(doc: UInt32, value: NumericValue)] = []
            for doc in 0..<docCount {
                let present = name == "clustered" ? (doc / 1000) % 3 == 0 && doc % 7 != 0 : random.chance(density)
                guard present else { continue }
                let value: NumericValue =
                    random.chance(0.1) ? .decimal(random.unitDouble()) : .integer(Int64(random.int(in: 0...99)))
                values.append((UInt32(doc), value))
            }
            model.numerics[name] = values
        }
        model.keywords["method"] = (0..<docCount).filter { _ in random.chance(0.3) }.map {
            (UInt32($0), random.pick(["GET", "POST", "PUT", "DELETE"]).utf8.map { $0 })
        }
        let reader = try ColumnsReader(body: model.write().body)
        try model.check(reader, random: &random)
        #expect(reader.numeric("sparse")?.integers?.presence.form == .sorted)
        #expect((reader.numeric("sparse")?.integers?.presence.blockCount ?? 0) > 3)
        #expect(reader.numeric("dense")?.integers?.presence.form == .bitset)
    }

    @Test("presence picks every-doc, bitset or sorted ids by size")
    func presenceForms() throws {
        var writer = ColumnsWriter()
        for doc in 0..<UInt32(10_000) {
            writer.addTimestamp(Int64(doc))
            writer.addInteger(field: "every", doc: doc, 1)
            if doc % 2 == 0 { writer.addInteger(field: "half", doc: doc, Int64(doc)) }
            if doc % 1000 == 3 { writer.addDecimal(field: "rare", doc: doc, 0.5) }
        }
        let reader = try ColumnsReader(body: writer.finish().body)
        #expect(reader.numeric("every")?.integers?.presence.form == .every)
        #expect(reader.numeric("half")?.integers?.presence.form == .bitset)
        #expect(reader.numeric("rare")?.decimals?.presence.form == .sorted)
        #expect(reader.numeric("rare")?.value(3) == .decimal(0.5))
        #expect(reader.numeric("rare")?.value(4) == nil)
        #expect(reader.numeric("half")?.value(9998) == .integer(9998))
        #expect(reader.numeric("half")?.value(9999) == nil)
        try reader.verify(docCount: 10_000)
    }

    @Test("a repeated value for the same doc keeps the first")
    func firstValueWins() throws {
        var writer = ColumnsWriter()
        writer.addTimestamp(1)
        writer.addInteger(field: "n", doc: 0, 5)
        writer.addDecimal(field: "n", doc: 0, 2.5)
        writer.addInteger(field: "n", doc: 0, 6)
        writer.addKeyword(field: "k", doc: 0, Array("a".utf8)[...])
        writer.addKeyword(field: "k", doc: 0, Array("b".utf8)[...])
        writer.addTimestamp(2)
        let reader = try ColumnsReader(body: writer.finish().body)
        #expect(reader.numeric("n")?.value(0) == .integer(5))
        #expect(reader.numeric("n")?.count == 1)
        #expect(reader.keyword("k")?.dictionary.map { Array($0) } == [Array("a".utf8)])
        #expect(reader.keyword("k")?.counts() == [1, 1])
    }

    @Test("fields without values are left out; an empty segment has an empty time range")
    func emptyFields() throws {
        var writer = ColumnsWriter()
        _ = writer.numericField(named: "unused")
        _ = writer.keywordField(named: "unused")
        let reader = try ColumnsReader(body: writer.finish().body)
        #expect(reader.docCount == 0 && reader.numericFields.isEmpty && reader.keywordFields.isEmpty)
        #expect(reader.minTime == Int64.max && reader.maxTime == Int64.min)
        #expect(reader.blocks(overlapping: Int64.min, Int64.max).isEmpty)
        try reader.verify(docCount: 0)
    }

    @Test("a keyword field past maxDictionarySize is dropped and reported", arguments: [0, 1, 10, 4096])
    func dictionaryOverflow(limit: Int) throws {
        var model = ColumnTestModel()
        model.timestamps = (0..<Int64(limit + 300)).map { $0 * 1000 }
        let count = model.timestamps.count
        model.keywords["exact"] = (0..<count).map { (UInt32($0), Array("v\($0 % max(limit, 1))".utf8)) }
        model.keywords["over"] = (0..<count).map { (UInt32($0), Array("v\($0 % (limit + 1))".utf8)) }
        // Exactly `limit` distinct values until the last doc brings one more.
        model.keywords["late"] = (0..<count).map {
            (UInt32($0), Array(($0 < count - 1 ? "v\($0 % max(limit, 1))" : "new").utf8))
        }
        model.keywords["small"] = (0..<count).map { (UInt32($0), [UInt8($0 % 2)]) }
        let (body, dropped) = model.write(maxDictionarySize: limit)
        let expectDropped =
            limit == 0
            ? ["exact", "late", "over", "small"] : (limit == 1 ? ["late", "over", "small"] : ["late", "over"])
        #expect(dropped == expectDropped)
        let reader = try ColumnsReader(body: body)
        var random = SeededRandom(seed: 3)
        try model.check(reader, dropped: Set(dropped), random: &random)
    }

    @Test("numeric block index: ranges skip blocks that cannot match and keep those that can")
    func numericRanges() throws {
        var writer = ColumnsWriter()
        for doc in 0..<UInt32(1024) {
            writer.addTimestamp(Int64(doc))
            writer.addInteger(field: "bytes", doc: doc, Int64(doc))
            if doc >= 512 { writer.addDecimal(field: "bytes", doc: doc + 0, 0.5) }
        }
        let reader = try ColumnsReader(body: writer.finish().body)
        let column = try #require(reader.numeric("bytes"))
        #expect(column.blocks.count == 8)
        #expect(column.blocks(from: .integer(300), through: .integer(400)) == [256..<512])
        #expect(column.blocks(from: .decimal(1000.5), through: nil) == [896..<1024])
        #expect(column.blocks(from: nil, through: .decimal(-0.5)).isEmpty)
        #expect(column.min == .integer(0) && column.max == .integer(1023))
    }

    @Test("time ranges: out-of-order blocks, inclusive bounds, whole segment")
    func timeRanges() throws {
        var writer = ColumnsWriter()
        // Block 0 covers 1000...1127, block 1 is late data 0...127, block 2 covers 2000...2050.
        for doc in 0..<128 { writer.addTimestamp(1000 + Int64(doc)) }
        for doc in 0..<128 { writer.addTimestamp(Int64(doc)) }
        for doc in 0...50 { writer.addTimestamp(2000 + Int64(doc)) }
        let reader = try ColumnsReader(body: writer.finish().body)
        #expect(reader.blocks(overlapping: 127, 1000) == [0..<256])
        #expect(reader.blocks(overlapping: 128, 999).isEmpty)
        #expect(reader.blocks(overlapping: 1127, 2000) == [0..<128, 256..<307])
        #expect(reader.blocks(overlapping: 2050, Int64.max) == [256..<307])
        #expect(reader.blocks(overlapping: Int64.min, Int64.max) == [0..<307])
        #expect(reader.blocks(overlapping: 5, 4).isEmpty)
        #expect(reader.minTime == 0 && reader.maxTime == 2050)
    }

    @Test("exact order between integers and decimals")
    func numericOrder() {
        let big = Int64(1) << 53
        #expect(NumericValue.integer(big + 1).compare(to: .decimal(Double(big))) == 1)
        #expect(NumericValue.decimal(Double(big)).compare(to: .integer(big + 1)) == -1)
        #expect(NumericValue.integer(Int64.max).compare(to: .decimal(9_223_372_036_854_775_808.0)) == -1)
        #expect(NumericValue.integer(Int64.min).compare(to: .decimal(-9_223_372_036_854_775_808.0)) == 0)
        #expect(NumericValue.integer(2).compare(to: .decimal(2.5)) == -1)
        #expect(NumericValue.integer(-3).compare(to: .decimal(-2.5)) == -1)
        #expect(NumericValue.integer(-2).compare(to: .decimal(-2.5)) == 1)
        #expect(NumericValue.integer(0).compare(to: .decimal(-0.0)) == 0)
        #expect(NumericValue.integer(0).compare(to: .decimal(.nan)) == nil)
        #expect(NumericValue.decimal(.infinity).compare(to: .integer(Int64.max)) == 1)
    }

    @Test("keyword ordinals: blocks without the field or with one value take no bits")
    func keywordBlocks() throws {
        var model = ColumnTestModel()
        model.timestamps = (0..<Int64(12_800)).map { $0 }
        // Present in the first block only; one value per 1280 docs; a random level on every doc.
        model.keywords["rare"] = (0..<128).map { (UInt32($0), Array("v\($0 % 3)".utf8)) }
        model.keywords["source"] = (0..<12_800).map { (UInt32($0), Array("file-\($0 / 1280)".utf8)) }
        var random = SeededRandom(seed: 8)
        model.keywords["level"] = (0..<12_800).map { _ in (0, random.pick(["info", "warn", "error"]).utf8.map { $0 }) }
        for index in model.keywords["level"]!.indices { model.keywords["level"]![index].doc = UInt32(index) }
        let new = try ColumnsReader(body: model.write().body)
        let old = try ColumnsReader(body: model.write(version: 1).body)
        try model.check(new, random: &random)
        try model.check(old, random: &random)
        #expect(new.keyword("source")?.blocks != nil && old.keyword("source")?.blocks == nil)
        // A block costs a width byte and a base; the flat run costs docCount x bits(dictionary) / 8.
        #expect(new.sectionBytes["rare"]! < 250 && old.sectionBytes["rare"]! > 3200)
        #expect(new.sectionBytes["source"]! < 300 && old.sectionBytes["source"]! > 6400)
        #expect(new.sectionBytes["level"]! < old.sectionBytes["level"]! + 150)
    }

    @Test("a typical timestamp column: ~100 events per second, slightly out of order")
    func timestampSize() throws {
        var random = SeededRandom(seed: 2024)
        var writer = ColumnsWriter()
        let docCount = 200_000
        var time: Int64 = 1_767_225_600_000_000_000
        for _ in 0..<docCount {
            time += Int64(random.int(in: 0...20_000_000))  // mean gap 10 ms, ns precision
            writer.addTimestamp(random.chance(0.02) ? time - Int64(random.int(in: 0...1_000_000_000)) : time)
        }
        let body = writer.finish().body
        let bytesPerDoc = Double(body.count) / Double(docCount)
        #expect(bytesPerDoc < 4.2)
        let reader = try ColumnsReader(body: body)
        try reader.verify(docCount: docCount)
    }
}
