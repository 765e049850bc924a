import LogboxParse
import Testing

@testable import LogboxStore

@Suite("Scaled decimal blocks")
struct ColumnDecimalScaleTests {
    @Test(
        "the scaled integer of a value, or nil when it does not come back bit-exactly",
        arguments: [
            (0.004, 0, nil), (0.004, 3, 4), (0.004, 9, 4_000_000), (12.5, 1, 125), (12.5, 0, nil), (-3.25, 2, -325),
            (0.0, 0, 0), (-0.0, 0, nil), (-0.0, 9, nil), (Double.nan, 0, nil), (-Double.nan, 3, nil),
            (Double.infinity, 0, nil), (-Double.infinity, 9, nil), (Double.leastNonzeroMagnitude, 9, nil),
            (Double.leastNormalMagnitude, 9, nil), (1e300, 0, nil), (0.1 + 0.2, 9, nil),
            (9_007_199_254_740_992.0, 0, 9_007_199_254_740_992), (-9_007_199_254_740_992.0, 0, -9_007_199_254_740_992),
            (9_007_199_254_740_994.0, 0, nil), (900_719_925_474_099.2, 1, 9_007_199_254_740_992),
            (900_719_925_474_099.4, 1, nil), (1e-9, 9, 1), (1e-10, 9, nil),
        ] as [(Double, Int, Int64?)]
    )
    func scaled(value: Double, scale: Int, expected: Int64?) {
        #expect(ColumnDecimalScale.scaled(value, scale: scale) == expected)
        if let expected {
            let back = ColumnDecimalScale.decimal(expected, divisor: ColumnDecimalScale.divisors[scale])
            #expect(back.bitPattern == value.bitPattern)
        }
    }

    @Test("a block scales at the smallest scale every value takes")
    func smallestScale() {
        func keys(_ values: [Double]) -> ArraySlice<UInt64> { values.map(ColumnKey.key)[...] }
        #expect(ColumnDecimalScale.smallestScale(of: keys([1, 2, 300])) == 0)
        #expect(ColumnDecimalScale.smallestScale(of: keys([0.004, 0.016, 1.237, 12.5])) == 3)
        #expect(ColumnDecimalScale.smallestScale(of: keys([0.5, 0.000000001])) == 9)
        #expect(ColumnDecimalScale.smallestScale(of: keys([0.5, -0.0])) == nil)
        #expect(ColumnDecimalScale.smallestScale(of: keys([0.5, .nan])) == nil)
        #expect(ColumnDecimalScale.smallestScale(of: keys([0.5, 0.0000000001])) == nil)
    }

    static let specials: [Double] = [
        .nan, -.nan, Double(bitPattern: 0x7FF0_0000_0000_0001), Double(bitPattern: 0xFFF8_0000_0000_BEEF),
        Double(bitPattern: 0x7FF4_0000_0000_0000), .infinity, -.infinity, -0.0, .leastNonzeroMagnitude,
        -.leastNonzeroMagnitude, Double(bitPattern: 0x000F_FFFF_FFFF_FFFF), .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, 1e300, 0.1 + 0.2, .pi,
    ]

    /// A short decimal: an integer over 10^k, the way a log line's "12.5" parses.
    static func short(_ random: inout SeededRandom, digits: Int, scale: Int) -> Double {
        let bound = Int(ColumnDecimalScale.divisors[digits])
        return Double(random.int(in: -bound...bound)) / ColumnDecimalScale.divisors[scale]
    }

    /// A value of one of the kinds the tests mix: short decimals, specials, huge, or arbitrary.
    static func decimal(_ kind: String, _ random: inout SeededRandom) -> Double {
        switch kind {
        case "request_time": Double(random.int(in: 0...5000)) / 1000
        case "latency_ms": Double(random.int(in: 0...20_000)) / 10
        case "short": Self.short(&random, digits: random.int(in: 0...9), scale: random.int(in: 0...9))
        case "special": random.pick(Self.specials)
        case "huge":
            // Near 2^53 / 10^k, where the scaled integer leaves the exact range or the round trip may fail.
            Double(random.int64(in: -(1 << 54)...(1 << 54))) / ColumnDecimalScale.divisors[random.int(in: 0...9)]
        case "mixed":
            random.chance(0.97)
                ? Self.short(&random, digits: 4, scale: 3)
                : Self.decimal(random.pick(["special", "huge", "arbitrary"]), &random)
        default: (random.unitDouble() - 0.5) * 1e6
        }
    }

    static func model(docCount: Int, seed: UInt64) -> ColumnTestModel {
        var random = SeededRandom(seed: seed)
        var model = ColumnTestModel()
        model.timestamps = (0..<docCount).map { Int64($0) * 1_000_000_000 }
        let fields = ["request_time", "latency_ms", "short", "special", "huge", "mixed", "arbitrary"]
        for name in fields {
            let density = name == "latency_ms" ? 0.3 : 0.9
            model.numerics[name] = (0..<docCount).filter { _ in random.chance(density) }.map { doc in
                // Some fields also hold integers, in their own sub-column.
                if name == "mixed" && random.chance(0.1) { return (UInt32(doc), .integer(Int64(doc))) }
                return (UInt32(doc), .decimal(Self.decimal(name, &random)))
            }
        }
        // Blocks that are scalable but for one value, at either end of the block.
        model.numerics["one_bad"] = (0..<docCount).map { doc in
            let value = doc % 128 == 0 || doc % 128 == 127 ? random.pick(Self.specials) : Double(doc) / 8
            return (UInt32(doc), .decimal(value))
        }
        return model
    }

    @Test("random decimal blocks round-trip bit-exactly, with the version-1 block stats", arguments: [1, 130, 3000])
    func roundTrip(docCount: Int) throws {
        let model = Self.model(docCount: docCount, seed: UInt64(docCount))
        var random = SeededRandom(seed: 7)
        let new = try ColumnsReader(body: model.write().body)
        try model.check(new, random: &random)
        let old = try ColumnsReader(body: model.write(version: 1).body)
        try model.check(old, random: &random)
        #expect(old.numericFields == new.numericFields)
        for name in old.numericFields {
            let a = try #require(old.numeric(name))
            let b = try #require(new.numeric(name))
            #expect(a.blocks.count == b.blocks.count)
            for (x, y) in zip(a.blocks, b.blocks) {
                #expect(x.docs == y.docs && x.count == y.count)
                #expect(ColumnTestModel.same(x.min, y.min) && ColumnTestModel.same(x.max, y.max), "\(name) \(x) \(y)")
            }
            #expect(ColumnTestModel.same(a.min, b.min) && ColumnTestModel.same(a.max, b.max))
            for doc in 0..<UInt32(docCount) where !ColumnTestModel.same(a.value(doc), b.value(doc)) {
                Issue.record(
                    "\(name) doc \(doc): \(String(describing: a.value(doc))) vs \(String(describing: b.value(doc)))"
                )
                break
            }
            let bounds: [(NumericValue?, NumericValue?)] = [
                (.decimal(0.5), nil), (nil, .decimal(-1)), (.decimal(1), .decimal(2)), (.integer(0), .integer(0)),
            ]
            for (lower, upper) in bounds {
                #expect(a.blocks(from: lower, through: upper) == b.blocks(from: lower, through: upper))
            }
        }
        let scaled = { (name: String) in new.numeric(name)?.decimals?.scaleDivisors.filter { $0 != 0 }.count ?? 0 }
        let blocks = { (name: String) in new.numeric(name)?.decimals?.keys.blockCount ?? 0 }
        for name in ["request_time", "latency_ms"] where docCount > 100 { #expect(scaled(name) == blocks(name)) }
        #expect(scaled("special") == 0)
        #expect(scaled("one_bad") == 0)
        if docCount > 1000 { #expect(new.sectionBytes["request_time"]! * 3 < old.sectionBytes["request_time"]!) }
        for name in old.numericFields { #expect(new.sectionBytes[name]! <= old.sectionBytes[name]!) }
    }

    @Test("request_time scales at 10^3 and packs in 13 bits a value")
    func requestTime() throws {
        var writer = ColumnsWriter()
        var random = SeededRandom(seed: 3)
        for doc in 0..<UInt32(1280) {
            writer.addTimestamp(Int64(doc))
            writer.addDecimal(field: "request_time", doc: doc, Double(random.int(in: 1...5000)) / 1000)
        }
        let reader = try ColumnsReader(body: writer.finish().body)
        let decimals = try #require(reader.numeric("request_time")?.decimals)
        #expect(decimals.scaleDivisors == [Double](repeating: 1000, count: 10))
        #expect(decimals.keys.blockCount == 10 && (0..<10).allSatisfy { decimals.keys.widths[$0] <= 13 })
        try reader.verify(docCount: 1280)
    }

    /// A version-1 body written by the code before scaled blocks (logbox at abcd6ca importing ten logfmt lines
    /// `time=2026-11-29T10:00:0<i>Z rt=<…> lat=<…> n=<7 i>`; the columns file without its 20-byte footer).
    static let versionOneBody: [UInt8] = [
        0x01, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x40, 0xA4, 0x47, 0xBC, 0x7B, 0xEC, 0x18, 0x00, 0x5A, 0x15, 0x60, 0xBE,
        0x7B, 0xEC,
        0x18, 0x03, 0x03, 0xFF, 0xFF, 0xDD, 0x85, 0xF7, 0x90, 0xC2, 0x93, 0xCE, 0x01, 0x80, 0xB4, 0xC4, 0xC3, 0x21,
        0x80, 0x94,
        0xEB, 0xDC, 0x03, 0x10, 0x32, 0x54, 0x76, 0x98, 0x03, 0x6C, 0x61, 0x74, 0x74, 0x01, 0x02, 0x04, 0x00, 0x8B,
        0xFC, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x01, 0x09, 0x02, 0x00, 0x09, 0x87, 0xD8, 0xF2, 0xD0, 0xC5,
        0xEC, 0xCE,
        0x8F, 0x81, 0x01, 0x92, 0x86, 0x82, 0xD6, 0x9C, 0xB4, 0xA7, 0x74, 0x02, 0x01, 0x00, 0x92, 0x86, 0x82, 0xD6,
        0x9C, 0xB4,
        0xA7, 0x74, 0x10, 0x32, 0x65, 0x87, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00,
        0x88, 0x93, 0x18, 0x04, 0x56, 0x0E, 0x6D, 0x50, 0x60, 0xE5, 0xD0, 0x22, 0xDB, 0x89, 0xFB, 0x7C, 0x3F, 0x35,
        0x5E, 0xBA,
        0x49, 0x12, 0x58, 0x39, 0xB4, 0xC8, 0x76, 0xBA, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x83, 0xC0,
        0xCA, 0xA1,
        0x9D, 0xE8, 0x02, 0x2B, 0x87, 0x16, 0xD9, 0xCE, 0x37, 0x01, 0x6E, 0x14, 0x0A, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0x01, 0x3F, 0x07, 0x10, 0x32, 0x54, 0x76, 0x98, 0x00, 0x02, 0x72, 0x74, 0x72, 0x00, 0x09,
        0x02, 0x00,
        0x08, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF5, 0x7F, 0x9D, 0xEB, 0x81, 0xC0, 0xC8, 0x87, 0xF9, 0xA0,
        0xBE, 0x01,
        0x01, 0x01, 0x00, 0x9D, 0xEB, 0x81, 0xC0, 0xC8, 0x87, 0xF9, 0xA0, 0xBE, 0x01, 0x10, 0x32, 0x54, 0x76, 0x08,
        0xFD, 0xA9,
        0xF1, 0xD2, 0x4D, 0x62, 0x7A, 0x7F, 0xFD, 0xA9, 0xF1, 0xD2, 0x4D, 0x62, 0x9A, 0x7F, 0x99, 0x6E, 0x12, 0x83,
        0xC0, 0xCA,
        0xFD, 0x7F, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x33, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x40,
        0x9D, 0x75,
        0x00, 0x88, 0x3C, 0xE4, 0x41, 0xBE, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9B, 0x99, 0x99, 0x99,
        0x99, 0x99,
        0xC3, 0x7F, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x40, 0x04, 0x66, 0x69, 0x6C, 0x65, 0x1B, 0x01, 0x15,
        0x2F, 0x74,
        0x6D, 0x70, 0x2F, 0x63, 0x6F, 0x6C, 0x2D, 0x66, 0x69, 0x78, 0x2F, 0x61, 0x2E, 0x6C, 0x6F, 0x67, 0x66, 0x6D,
        0x74, 0x00,
        0x0A, 0xFF, 0x03, 0x02, 0x72, 0x74, 0x0A, 0x01, 0x04, 0x2D, 0x69, 0x6E, 0x66, 0x09, 0x01, 0x00, 0x02, 0x06,
        0x73, 0x6F,
        0x75, 0x72, 0x63, 0x65, 0x0E, 0x01, 0x08, 0x61, 0x2E, 0x6C, 0x6F, 0x67, 0x66, 0x6D, 0x74, 0x00, 0x0A, 0xFF,
        0x03,
    ]

    @Test("a version-1 body still reads")
    func versionOne() throws {
        let reader = try ColumnsReader(body: Self.versionOneBody)
        try reader.verify(docCount: 10)
        #expect(reader.docCount == 10)
        let times: [Int64] = (0..<10).map { (1_795_946_400 + Int64($0)) * 1_000_000_000 }
        #expect((0..<10).map { reader.timestamp(UInt32($0)) } == times)
        let rt: [Double?] = [0.004, 0.016, 1.237, 12.5, -0.0, 1e300, -3.25, 0.1, 5e-324, nil]
        let lat: [NumericValue] = [
            .decimal(0.004), .decimal(0.016), .decimal(1.237), .decimal(12.5), .integer(250), .decimal(0.1),
            .decimal(7.75), .decimal(0.004), .decimal(99.999), .decimal(0.5),
        ]
        let rtColumn = try #require(reader.numeric("rt"))
        let latColumn = try #require(reader.numeric("lat"))
        let nColumn = try #require(reader.numeric("n"))
        for doc in 0..<10 {
            #expect(ColumnTestModel.same(rtColumn.value(UInt32(doc)), rt[doc].map { .decimal($0) }))
            #expect(ColumnTestModel.same(latColumn.value(UInt32(doc)), lat[doc]))
            #expect(nColumn.value(UInt32(doc)) == .integer(Int64(doc) * 7))
        }
        #expect(latColumn.decimals?.scaleDivisors == [0])
        #expect(
            ColumnTestModel.same(rtColumn.min, .decimal(-3.25)) && ColumnTestModel.same(rtColumn.max, .decimal(1e300))
        )
        #expect(ColumnTestModel.same(latColumn.min, .decimal(0.004)) && latColumn.max == .integer(250))

        // The same values written now: lat's decimals scale, rt's (with -0.0 and a subnormal) do not.
        var model = ColumnTestModel()
        model.timestamps = times
        model.numerics["rt"] = rt.enumerated().compactMap { doc, value in value.map { (UInt32(doc), .decimal($0)) } }
        model.numerics["lat"] = lat.enumerated().map { (UInt32($0), $1) }
        model.numerics["n"] = (0..<10).map { (UInt32($0), .integer(Int64($0) * 7)) }
        let now = try ColumnsReader(body: model.write().body)
        var random = SeededRandom(seed: 1)
        try model.check(now, random: &random)
        #expect(now.numeric("lat")?.decimals?.scaleDivisors == [1000])
        #expect(now.numeric("rt")?.decimals?.scaleDivisors == [0])
        let old = try ColumnsReader(body: model.write(version: 1).body)
        try model.check(old, random: &random)
    }

    @Test("a version-1 body with a scaled block form throws")
    func versionOneScaledForm() throws {
        var model = ColumnTestModel()
        model.timestamps = [0]
        model.numerics["x"] = [(0, .decimal(0.5))]
        var body = model.write().body
        #expect(body[0] == 2)
        _ = try ColumnsReader(body: body)
        body[0] = 1
        #expect(throws: StoreError.self) { try ColumnsReader(body: body) }
    }

    /// A body with one field `x` of one scaled block (10^2, no other kind), and where its packed values start.
    static func scaledBody() throws -> (body: [UInt8], dataStart: Int, formAt: Int) {
        var model = ColumnTestModel()
        model.timestamps = (0..<100).map { Int64($0) }
        // Value 0 is the block's only minimum, so any change to its bits moves the minimum.
        model.numerics["x"] = (0..<100).map { (UInt32($0), .decimal($0 == 0 ? -1.25 : Double($0 % 37) / 100)) }
        let body = model.write().body
        let reader = try ColumnsReader(body: body)
        let decimals = try #require(reader.numeric("x")?.decimals)
        #expect(decimals.scaleDivisors == [100])
        // The section ends with the packed values; the form byte sits just before the (empty) presence data.
        let dataStart = decimals.keys.starts[0]
        #expect(decimals.keys.starts[1] == body.count)
        return (body, dataStart, dataStart - 1)
    }

    @Test("verify catches any flipped bit of a scaled block's minimum")
    func flippedValue() throws {
        let (body, dataStart, _) = try Self.scaledBody()
        let reader = try ColumnsReader(body: body)
        let width = Int(try #require(reader.numeric("x")?.decimals).keys.widths[0])
        for bit in 0..<width {
            var damaged = body
            damaged[dataStart + bit / 8] ^= 1 << UInt8(bit % 8)
            let error = #expect(throws: StoreError.self) { try ColumnsReader(body: damaged).verify(docCount: 100) }
            #expect(error?.kind == .corrupt)
        }
    }

    @Test("a damaged form byte throws at open or in verify, or reads without trapping")
    func flippedForm() throws {
        let (body, _, formAt) = try Self.scaledBody()
        #expect(body[formAt] == NumericSubColumn.firstScaledForm + 2)
        for form in [UInt8(12), 13, 0x80, 0xFF] {
            var damaged = body
            damaged[formAt] = form
            #expect(throws: StoreError.self) { try ColumnsReader(body: damaged) }
        }
        // Another scale decodes other values; verify must not pass a value that is not the writer's.
        for form in UInt8(0)...11 where form != body[formAt] {
            var damaged = body
            damaged[formAt] = form
            guard let reader = try? ColumnsReader(body: damaged) else { continue }
            ColumnCorruptionTests.exercise(reader)
        }
    }

    @Test("a scaled block whose range leaves +-2^53 throws at open")
    func beyondLimit() throws {
        var model = ColumnTestModel()
        model.timestamps = [0, 1]
        model.numerics["x"] = [(0, .decimal(1.5)), (1, .decimal(2.5))]
        let body = model.write().body
        let reader = try ColumnsReader(body: body)
        #expect(reader.numeric("x")?.decimals?.scaleDivisors == [10])
        // Rewrite the block header's base (a signed varint of ColumnKey(15), 10 bytes) to 2^53 + 1, then 2^60.
        let base = ColumnKey.key(Int64(15))
        var writer = ByteWriter()
        writer.signedVarint(Int64(bitPattern: base))
        let at = try #require(Self.find(writer.bytes, in: body))
        for n in [Int64(1) << 53 + 1, Int64(1) << 60, -(Int64(1) << 53) - 11] {
            var header = ByteWriter()
            header.signedVarint(Int64(bitPattern: ColumnKey.key(n)))
            #expect(header.bytes.count == writer.bytes.count)
            var damaged = body
            damaged.replaceSubrange(at..<(at + header.bytes.count), with: header.bytes)
            #expect(throws: StoreError.self) { try ColumnsReader(body: damaged) }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
