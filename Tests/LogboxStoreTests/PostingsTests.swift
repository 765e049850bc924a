import LogboxStore
import Testing

/// One postings list as the tests know it.
private struct ReferenceList {
    var docs: [UInt32]
    var positions: [[UInt32]]?
}

/// How far apart consecutive docs are.
private enum Spacing: CaseIterable {
    case consecutive, small, mixed, wide
}

private func makeList(
    count: Int,
    spacing: Spacing,
    withPositions: Bool,
    random: inout SplitMix64
) -> ReferenceList {
    // The largest gap that still keeps `count` docs below UInt32.max.
    let room = UInt64(UInt32.max - 1) / UInt64(count)
    var docs: [UInt32] = []
    docs.reserveCapacity(count)
    var next = UInt64.random(in: 0...min(room, 1000), using: &random)
    for _ in 0..<count {
        docs.append(UInt32(next))
        let gap: UInt64
        switch spacing {
        case .consecutive: gap = 1
        case .small: gap = UInt64.random(in: 1...min(room, 20), using: &random)
        case .mixed:
            gap = Bool.random(using: &random) ? 1 : UInt64.random(in: 1...min(room, 70_000), using: &random)
        case .wide: gap = UInt64.random(in: max(1, room / 2)...room, using: &random)
        }
        next += gap
    }
    guard withPositions else { return ReferenceList(docs: docs, positions: nil) }
    var positions: [[UInt32]] = []
    positions.reserveCapacity(count)
    for _ in 0..<count {
        var list = Set<UInt32>()
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            list.insert(
                Int.random(in: 0..<10, using: &random) == 0
                    ? UInt32.random(in: 0...UInt32.max, using: &random)
                    : UInt32.random(in: 0..<300, using: &random)
            )
        }
        positions.append(list.sorted())
    }
    return ReferenceList(docs: docs, positions: positions)
}

/// The first index in `docs` whose doc is >= `target`.
private func lowerBound(_ docs: [UInt32], _ target: UInt32) -> Int {
    var low = 0
    var high = docs.count
    while low < high {
        let middle = (low + high) / 2
        if docs[middle] < target { low = middle + 1 } else { high = middle }
    }
    return low
}

private func write(_ lists: [ReferenceList]) -> (body: [UInt8], addresses: [PostingsAddress]) {
    var writer = PostingsWriter()
    var addresses: [PostingsAddress] = []
    for list in lists { addresses.append(writer.add(docs: list.docs, positions: list.positions)) }
    return (writer.finish(), addresses)
}

/// Reads a whole list back through `next()` and `positions(into:)`.
private func readAll(_ reader: PostingsReader, _ address: PostingsAddress) throws -> ReferenceList {
    var iterator = try reader.iterator(address)
    var docs: [UInt32] = []
    var positions: [[UInt32]] = []
    var scratch: [UInt32] = []
    while let doc = try iterator.next() {
        docs.append(doc)
        #expect(iterator.doc == doc)
        if address.hasPositions {
            try iterator.positions(into: &scratch)
            positions.append(scratch)
        }
    }
    return ReferenceList(docs: docs, positions: address.hasPositions ? positions : nil)
}

@Suite("Postings")
struct PostingsTests {
    @Test(
        "lists round-trip at block boundaries, with and without positions",
        arguments: [1, 2, 3, 127, 128, 129, 255, 256, 257, 1000, 100_000],
        [false, true]
    )
    func roundTrip(count: Int, withPositions: Bool) throws {
        var random = SplitMix64(seed: UInt64(count) &* 31 &+ (withPositions ? 7 : 0))
        let lists = Spacing.allCases.map {
            makeList(count: count, spacing: $0, withPositions: withPositions, random: &random)
        }
        let (body, addresses) = write(lists)
        let reader = try PostingsReader(body: body)
        for (list, address) in zip(lists, addresses) {
            #expect(address.docCount == UInt32(count))
            #expect(address.hasPositions == withPositions)
            let read = try readAll(reader, address)
            #expect(read.docs == list.docs)
            #expect(read.positions == list.positions)
            try reader.verify(address: address, docCount: UInt32.max)
            var iterator = try reader.iterator(address)
            #expect(iterator.count == count)
            #expect(iterator.doc == UInt32.max)
            while try iterator.next() != nil {}
            #expect(try iterator.next() == nil)
            #expect(try iterator.advance(to: 0) == nil)
            #expect(iterator.doc == UInt32.max)
        }
    }

    @Test("doc ids at the top of the range and gaps of every width round-trip")
    func extremes() throws {
        let top = UInt32.max - 1
        var wide: [UInt32] = (0..<129).map { UInt32($0) }
        wide[128] = top
        let lists = [
            ReferenceList(docs: [top], positions: nil),
            ReferenceList(docs: [0, top], positions: [[0, UInt32.max], [UInt32.max]]),
            ReferenceList(docs: wide, positions: nil),
            ReferenceList(docs: (0..<256).map { UInt32($0) * 16_777_216 }, positions: nil),
            ReferenceList(docs: (0..<300).map { top - 299 + UInt32($0) }, positions: nil),
            ReferenceList(docs: [0], positions: [[]]),
        ]
        let (body, addresses) = write(lists)
        let reader = try PostingsReader(body: body)
        for (list, address) in zip(lists, addresses) {
            let read = try readAll(reader, address)
            #expect(read.docs == list.docs)
            #expect(read.positions == list.positions)
            try reader.verify(address: address, docCount: UInt32.max)
        }
        var iterator = try reader.iterator(addresses[2])
        #expect(try iterator.advance(to: 128) == top)
        #expect(try iterator.next() == nil)
    }

    @Test("advance(to:) finds the first doc >= target, and positions follow", arguments: [5, 128, 300, 5000, 100_000])
    func advance(count: Int) throws {
        var random = SplitMix64(seed: 0xAD_0000 &+ UInt64(count))
        let lists = [
            makeList(count: count, spacing: .mixed, withPositions: true, random: &random),
            makeList(count: count, spacing: .small, withPositions: false, random: &random),
            makeList(count: count, spacing: .consecutive, withPositions: true, random: &random),
        ]
        let (body, addresses) = write(lists)
        let reader = try PostingsReader(body: body)
        for (list, address) in zip(lists, addresses) {
            let docs = list.docs
            let last = docs[docs.count - 1]
            // Fresh iterators, one target each.
            var targets: [UInt32] = [0, 1, docs[0], last, last &+ 1, UInt32.max - 1, UInt32.max]
            for _ in 0..<200 {
                let doc = docs[Int.random(in: 0..<docs.count, using: &random)]
                targets.append(contentsOf: [doc, doc &- 1, doc &+ 1, UInt32.random(in: 0...last, using: &random)])
            }
            for target in targets {
                var iterator = try reader.iterator(address)
                let index = lowerBound(docs, target)
                let found = try iterator.advance(to: target)
                #expect(found == (index < docs.count ? docs[index] : nil))
                if index < docs.count, let positions = list.positions {
                    #expect(try iterator.positions() == positions[index])
                    #expect(try iterator.next() == (index + 1 < docs.count ? docs[index + 1] : nil))
                }
            }
            // One iterator, ascending targets mixed with next().
            var iterator = try reader.iterator(address)
            var target: UInt32 = 0
            var index = 0
            while true {
                if Bool.random(using: &random) {
                    let found = try iterator.next()
                    #expect(found == (index < docs.count ? docs[index] : nil))
                    guard found != nil else { break }
                    target = docs[index]
                    index += 1
                } else {
                    let step = UInt32.random(in: 0...(Bool.random(using: &random) ? 3 : 100_000), using: &random)
                    let (sum, overflow) = target.addingReportingOverflow(step)
                    target = overflow ? UInt32.max : sum
                    let current = index > 0 ? docs[index - 1] : nil
                    let found = try iterator.advance(to: target)
                    if let current, current >= target {
                        #expect(found == current)  // stays put
                        continue
                    }
                    index = lowerBound(docs, target)
                    #expect(found == (index < docs.count ? docs[index] : nil))
                    guard found != nil else { break }
                    if let positions = list.positions { #expect(try iterator.positions() == positions[index]) }
                    index += 1
                }
            }
            #expect(try iterator.next() == nil)
        }
    }

    @Test("intersecting two iterators with advance(to:) matches set intersection")
    func intersection() throws {
        var random = SplitMix64(seed: 0x1A7E)
        func randomDocs(_ count: Int, below limit: UInt32) -> [UInt32] {
            var set = Set<UInt32>()
            while set.count < count { set.insert(UInt32.random(in: 0..<limit, using: &random)) }
            return set.sorted()
        }
        let pairs: [([UInt32], [UInt32])] = [
            (randomDocs(50_000, below: 200_000), randomDocs(3_000, below: 200_000)),
            (randomDocs(20_000, below: 40_000), randomDocs(20_000, below: 40_000)),
            (randomDocs(1, below: 1000), randomDocs(900, below: 1000)),
            (Array(0..<5000), randomDocs(129, below: 10_000)),
        ]
        for (a, b) in pairs {
            var writer = PostingsWriter()
            let first = writer.add(docs: a.span)
            let second = writer.add(docs: b.span)
            let reader = try PostingsReader(body: writer.finish())
            var left = try reader.iterator(first)
            var right = try reader.iterator(second)
            var result: [UInt32] = []
            var candidate = try left.next()
            while let target = candidate {
                guard let other = try right.advance(to: target) else { break }
                if other == target {
                    result.append(target)
                    candidate = try left.next()
                } else {
                    candidate = try left.advance(to: other)
                }
            }
            #expect(result == Set(a).intersection(b).sorted())
        }
    }

    @Test("the flat and streaming writers produce the same bytes as the per-doc form")
    func writerForms() throws {
        var random = SplitMix64(seed: 42)
        let list = makeList(count: 700, spacing: .mixed, withPositions: true, random: &random)
        let positions = list.positions ?? []
        var perDoc = PostingsWriter()
        _ = perDoc.add(docs: list.docs, positions: positions)
        var flat = PostingsWriter()
        let flatPositions = positions.flatMap { $0 }
        let counts = positions.map { UInt32($0.count) }
        let docs = list.docs
        _ = flat.add(docs: docs.span, positions: flatPositions.span, counts: counts.span)
        var streaming = PostingsWriter()
        streaming.beginTerm(hasPositions: true)
        for (doc, docPositions) in zip(list.docs, positions) { streaming.addDoc(doc, positions: docPositions.span) }
        _ = streaming.endTerm()
        let expected = perDoc.finish()
        #expect(flat.finish() == expected)
        #expect(streaming.finish() == expected)
    }

    @Test("short lists are a few bytes, dense lists a fraction of a byte per doc")
    func sizes() throws {
        var writer = PostingsWriter()
        let one = writer.add(docs: [7])
        let three = writer.add(docs: [7, 9, 200])
        let withPositions = writer.add(docs: [7], positions: [[3]])
        let denseStart = writer.byteCount
        let denseDocs = (0..<100_000).map { UInt32($0) }
        let dense = writer.add(docs: denseDocs.span)
        let sparseStart = writer.byteCount
        // Gaps uniform in 1...2000 (one doc in 1000 on average): 11 bits each.
        var random = SplitMix64(seed: 9)
        var sparseDocs: [UInt32] = []
        var doc: UInt32 = 0
        for _ in 0..<100_000 {
            doc += UInt32.random(in: 1...2000, using: &random)
            sparseDocs.append(doc)
        }
        _ = writer.add(docs: sparseDocs.span)
        let body = writer.finish()
        #expect(three.offset - one.offset == 1)
        #expect(withPositions.offset - three.offset == 4)
        #expect(UInt64(denseStart) - withPositions.offset == 2)  // doc, then position << 1 | 1
        #expect(Double(sparseStart - denseStart) / 100_000 < 0.1)
        #expect(Double(body.count - sparseStart) / 100_000 < 1.5)
        let reader = try PostingsReader(body: body)
        try reader.verify(address: dense, docCount: 100_000)
    }

    @Test("misuse is reported: positions of a list without them, before the first doc, docs over the limit")
    func misuse() throws {
        var writer = PostingsWriter()
        let plain = writer.add(docs: [1, 2, 3])
        let positioned = writer.add(docs: [5], positions: [[1]])
        let reader = try PostingsReader(body: writer.finish())
        var iterator = try reader.iterator(plain)
        _ = try iterator.next()
        let error = #expect(throws: StoreError.self) { try iterator.positions() }
        #expect(error?.kind == .invalidArgument)
        var fresh = try reader.iterator(positioned)
        #expect(throws: StoreError.self) { try fresh.positions() }
        #expect(throws: StoreError.self) { try reader.verify(address: plain, docCount: 3) }
        try reader.verify(address: plain, docCount: 4)
        #expect(throws: StoreError.self) {
            try reader.iterator(PostingsAddress(offset: 0, docCount: 1, hasPositions: false))
        }
        #expect(throws: StoreError.self) {
            try reader.iterator(PostingsAddress(offset: 4, docCount: 0, hasPositions: false))
        }
        #expect(throws: StoreError.self) { try PostingsReader(body: [4, 0, 0, 0]) }
        #expect(throws: StoreError.self) { try PostingsReader(body: [0, 0, 0, 0]) }
        #expect(throws: StoreError.self) { try PostingsReader(body: [1]) }
        let empty = try PostingsReader(body: PostingsWriter().finish())
        #expect(throws: StoreError.self) {
            try empty.iterator(PostingsAddress(offset: 4, docCount: 1, hasPositions: false))
        }
    }
}

/// Drives every read path over a list; returns normally or throws, and must never trap.
private func exercise(_ reader: PostingsReader, _ address: PostingsAddress) throws {
    try reader.verify(address: address, docCount: UInt32.max)
    var iterator = try reader.iterator(address)
    var scratch: [UInt32] = []
    while try iterator.next() != nil {
        if address.hasPositions { try iterator.positions(into: &scratch) }
    }
    var skipping = try reader.iterator(address)
    var target: UInt32 = 0
    while let doc = try skipping.advance(to: target) {
        if address.hasPositions { try skipping.positions(into: &scratch) }
        target = doc &+ 300
        if target < doc { break }
    }
}

@Suite("Postings corruption")
struct PostingsCorruptionTests {
    private static func sample() -> (body: [UInt8], addresses: [PostingsAddress]) {
        var random = SplitMix64(seed: 0xC0FFEE)
        let lists = [
            makeList(count: 1, spacing: .small, withPositions: false, random: &random),
            makeList(count: 3, spacing: .wide, withPositions: true, random: &random),
            makeList(count: 128, spacing: .mixed, withPositions: false, random: &random),
            makeList(count: 300, spacing: .small, withPositions: true, random: &random),
            makeList(count: 400, spacing: .mixed, withPositions: false, random: &random),
            makeList(count: 260, spacing: .consecutive, withPositions: true, random: &random),
        ]
        return write(lists)
    }

    @Test("every truncation of the body throws")
    func truncation() throws {
        let (body, addresses) = Self.sample()
        for length in 0..<body.count {
            #expect(throws: StoreError.self, "truncated to \(length) bytes") {
                let reader = try PostingsReader(body: body[..<length])
                for address in addresses { try exercise(reader, address) }
            }
        }
    }

    @Test("damaged skip entries, bit widths and position counts throw")
    func targeted() throws {
        let docs = (0..<129).map { UInt32($0) * 3 }
        var writer = PostingsWriter()
        let twoBlocks = writer.add(docs: docs.span)
        let oneBlock = writer.add(docs: Array(docs.prefix(128)).span)
        let positioned = writer.add(docs: [5], positions: [[1]])
        let body = writer.finish()
        let skip = Int(twoBlocks.offset)
        // The skip table: two bit widths, then the two entries packed (lastDoc, docOffset).
        let (lastDocWidth, offsetWidth) = (Int(body[skip]), Int(body[skip + 1]))
        #expect(lastDocWidth == 9)  // doc 384
        /// `body` with the `width` bits at bit `bit` of the packed entries set to ones.
        func ones(_ body: [UInt8], bit: Int, width: Int) -> [UInt8] {
            var damaged = body
            for b in bit..<bit + width { damaged[skip + 2 + b / 8] |= 1 << UInt8(b % 8) }
            return damaged
        }

        // The first block's last doc in the skip table claims 511.
        var damaged = ones(body, bit: 0, width: lastDocWidth)
        var reader = try PostingsReader(body: damaged)
        var iterator = try reader.iterator(twoBlocks)
        #expect(throws: StoreError.self) { while try iterator.next() != nil {} }
        #expect(iterator.doc == UInt32.max)
        var skipping = try reader.iterator(twoBlocks)
        #expect(throws: StoreError.self) { try skipping.advance(to: docs[128]) }

        // The second block's doc offset points past its block.
        damaged = ones(body, bit: 2 * lastDocWidth + offsetWidth, width: offsetWidth)
        reader = try PostingsReader(body: damaged)
        skipping = try reader.iterator(twoBlocks)
        #expect(throws: StoreError.self) { try skipping.advance(to: docs[128]) }
        #expect(throws: StoreError.self) { try reader.verify(address: twoBlocks, docCount: 1000) }

        // A skip table bit width above 32.
        damaged = body
        damaged[skip] = 33
        reader = try PostingsReader(body: damaged)
        #expect(throws: StoreError.self) { try reader.iterator(twoBlocks) }

        // A block bit width above 32.
        damaged = body
        damaged[Int(oneBlock.offset)] = 33
        reader = try PostingsReader(body: damaged)
        iterator = try reader.iterator(oneBlock)
        #expect(throws: StoreError.self) { try iterator.next() }

        // A position count larger than the bytes left (an even header is a count).
        damaged = body
        damaged[Int(positioned.offset) + 1] = 0x7E
        reader = try PostingsReader(body: damaged)
        iterator = try reader.iterator(positioned)
        #expect(try iterator.next() == 5)
        #expect(throws: StoreError.self) { try iterator.positions() }
    }

    @Test("flipped bytes and bad addresses never trap")
    func flippedBytes() throws {
        var random = SplitMix64(seed: 0xF11B)
        let lists = [
            makeList(count: 2, spacing: .wide, withPositions: true, random: &random),
            makeList(count: 129, spacing: .mixed, withPositions: true, random: &random),
            makeList(count: 260, spacing: .small, withPositions: false, random: &random),
        ]
        let (body, addresses) = write(lists)
        var detected = 0
        for index in 0..<body.count {
            var damaged = body
            damaged[index] ^= UInt8.random(in: 1...255, using: &random)
            do {
                let reader = try PostingsReader(body: damaged)
                for address in addresses { try exercise(reader, address) }
            } catch {
                detected += 1
            }
        }
        #expect(detected > 0)
        let reader = try PostingsReader(body: body)
        for _ in 0..<2000 {
            let address = PostingsAddress(
                offset: Bool.random(using: &random)
                    ? UInt64.random(in: 0...UInt64(body.count + 10), using: &random)
                    : UInt64.random(in: 0...UInt64.max, using: &random),
                docCount: Bool.random(using: &random)
                    ? UInt32.random(in: 0...2000, using: &random) : UInt32.random(in: 0...UInt32.max, using: &random),
                hasPositions: Bool.random(using: &random)
            )
            do { try exercise(reader, address) } catch {}
        }
    }
}

/// Positions as a list of `count` docs might carry them: `kind` picks how many and where.
enum PositionShape: CaseIterable {
    /// One occurrence at the same position in every doc (a word of a line template).
    case template
    /// A few occurrences at small positions, some docs without any.
    case few
    /// Hundreds of occurrences in some docs, with duplicates.
    case many
    /// Positions anywhere up to UInt32.max.
    case huge
}

private func makePositions(count: Int, shape: PositionShape, random: inout SplitMix64) -> [[UInt32]] {
    (0..<count).map { _ in
        switch shape {
        case .template:
            return [7]
        case .few:
            let n = Int.random(in: 0...3, using: &random)
            return (0..<n).map { _ in UInt32.random(in: 0..<40, using: &random) }.sorted()
        case .many:
            let n =
                Bool.random(using: &random)
                ? Int.random(in: 0...2, using: &random) : Int.random(in: 100...400, using: &random)
            return (0..<n).map { _ in UInt32.random(in: 0..<1_000, using: &random) }.sorted()
        case .huge:
            let n = Int.random(in: 1...5, using: &random)
            var list = (0..<n).map { _ in UInt32.random(in: 0...UInt32.max, using: &random) }
            if Bool.random(using: &random) { list.append(UInt32.max) }
            if Bool.random(using: &random) { list.append(0) }
            return list.sorted()
        }
    }
}

@Suite("Postings positions")
struct PostingsPositionsTests {
    @Test(
        "positions round-trip in full and partial blocks of every shape, read in order and after advance(to:) into every block",
        arguments: [1, 7, 8, 9, 127, 128, 129, 135, 255, 256, 1_000],
        PositionShape.allCases
    )
    func roundTrip(count: Int, shape: PositionShape) throws {
        var random = SplitMix64(
            seed: UInt64(count) &* 1_000_003 &+ UInt64(PositionShape.allCases.firstIndex(of: shape)!)
        )
        var list = makeList(count: count, spacing: .mixed, withPositions: true, random: &random)
        list.positions = makePositions(count: count, shape: shape, random: &random)
        let (body, addresses) = write([list])
        let reader = try PostingsReader(body: body)
        let address = addresses[0]
        let read = try readAll(reader, address)
        #expect(read.docs == list.docs)
        #expect(read.positions == list.positions)
        try reader.verify(address: address, docCount: UInt32.max)
        // advance(to:) onto the first, a middle and the last doc of every block, each from a fresh
        // iterator, so the positions of a block are decoded without its predecessors.
        let blockSize = 128
        for start in stride(from: 0, to: count, by: blockSize) {
            let end = min(start + blockSize, count)
            for index in Set([start, (start + end) / 2, end - 1]) {
                var iterator = try reader.iterator(address)
                #expect(try iterator.advance(to: list.docs[index]) == list.docs[index])
                #expect(try iterator.positions() == list.positions![index])
                if index + 1 < count {
                    #expect(try iterator.next() == list.docs[index + 1])
                    #expect(try iterator.positions() == list.positions![index + 1])
                }
            }
        }
        // Skipping docs inside a block: every third doc's positions only.
        var iterator = try reader.iterator(address)
        var index = 0
        while index < count {
            #expect(try iterator.advance(to: list.docs[index]) == list.docs[index])
            #expect(try iterator.positions() == list.positions![index])
            index += 3
        }
    }

    @Test("a word at one position of every line costs about a bit per doc; one occurrence costs no count")
    func templateSize() throws {
        let docs = (0..<12_800).map { UInt32($0) * 2 }
        var writer = PostingsWriter()
        let start = writer.byteCount
        _ = writer.add(docs: docs, positions: docs.map { _ in [12] })
        let templateBytes = writer.byteCount - start
        // 100 blocks: 12-byte skip entries, a width byte and 16 bytes of doc gaps (1 bit each), and
        // two width-0 runs of 2 to 3 bytes for the positions.
        #expect(templateBytes <= 100 * (12 + 17 + 6))
        let varied = writer.byteCount
        var random = SplitMix64(seed: 5)
        _ = writer.add(docs: docs, positions: docs.map { _ in [UInt32.random(in: 0..<32, using: &random)] })
        // Positions below 32: 5 bits per doc on top of the above.
        #expect(writer.byteCount - varied <= 100 * (12 + 17 + 6 + 80))
    }

    @Test("a version 1 body (positions as varints in every block) is still read")
    func versionOne() throws {
        // Ten docs 3, 4, ..., 12 in one partial block, doc i with positions [i, i + 2].
        var body: [UInt8] = [1, 0, 0, 0]
        body.append(3)
        body.append(contentsOf: [UInt8](repeating: 0, count: 9))
        for i in 0..<10 { body.append(contentsOf: [2, UInt8(i), 2]) }
        let reader = try PostingsReader(body: body)
        #expect(reader.version == 1)
        let address = PostingsAddress(offset: 4, docCount: 10, hasPositions: true)
        let read = try readAll(reader, address)
        #expect(read.docs == (3...12).map { UInt32($0) })
        #expect(read.positions == (0..<10).map { [UInt32($0), UInt32($0) + 2] })
        try reader.verify(address: address, docCount: 13)
        // The same list written today takes the packed form, and reads back the same.
        var writer = PostingsWriter()
        let current = writer.add(docs: read.docs, positions: read.positions)
        let rewritten = try PostingsReader(body: writer.finish())
        #expect(rewritten.version == PostingsWriter.formatVersion)
        #expect(try readAll(rewritten, current).positions == read.positions)
    }

    @Test("flipped bytes in packed positions are caught or read as other positions, never trap")
    func flippedPositions() throws {
        var random = SplitMix64(seed: 0xB17)
        var many = makeList(count: 12, spacing: .consecutive, withPositions: true, random: &random)
        many.positions = makePositions(count: 12, shape: .many, random: &random)
        var few = makeList(count: 150, spacing: .small, withPositions: true, random: &random)
        few.positions = makePositions(count: 150, shape: .few, random: &random)
        var template = makeList(count: 200, spacing: .small, withPositions: true, random: &random)
        template.positions = makePositions(count: 200, shape: .template, random: &random)
        let (body, addresses) = write([many, few, template])
        var detected = 0
        // Every byte of the short lists, a sample of the long one's (a debug build reads slowly).
        let indices = Array(4..<body.count).filter { $0 >= Int(addresses[1].offset) || $0 % 7 == 0 }
        for index in indices {
            var damaged = body
            damaged[index] ^= UInt8.random(in: 1...255, using: &random)
            do {
                let reader = try PostingsReader(body: damaged)
                for address in addresses { try exercise(reader, address) }
            } catch {
                detected += 1
            }
        }
        #expect(detected > 0)
    }
}

@Suite("Postings breakdown")
struct PostingsBreakdownTests {
    @Test("the split covers the body exactly: skip tables, doc ids, positions, header")
    func coversBody() throws {
        var random = SplitMix64(seed: 0xB4EA)
        var writer = PostingsWriter()
        var addresses: [PostingsAddress] = []
        var plainBytes = 0
        for count in [1, 5, 129, 300] {
            let start = writer.byteCount
            let docs = (0..<count).map { UInt32($0) * 3 }
            addresses.append(writer.add(docs: docs.span))
            plainBytes += writer.byteCount - start
        }
        for count in [1, 7, 8, 200, 1_000] {
            let list = makeList(count: count, spacing: .small, withPositions: true, random: &random)
            addresses.append(writer.add(docs: list.docs, positions: list.positions))
        }
        let body = writer.finish()
        let reader = try PostingsReader(body: body)
        let split = try reader.breakdown(addresses.shuffled(using: &random))
        #expect(split.skipBytes + split.docBytes + split.positionBytes + split.otherBytes == UInt64(body.count))
        #expect(split.otherBytes == UInt64(PostingsWriter.headerSize))
        #expect(split.positionBytes > 0)
        #expect(split.docBytes + split.skipBytes > UInt64(plainBytes))
        // Lists without positions are skip data and doc ids only (129 and 300 docs have skip tables);
        // given alone, the last one runs to the end of the body.
        let plain = try reader.breakdown(Array(addresses.prefix(4)))
        #expect(plain.positionBytes == 0)
        // Two bit widths and 2 or 3 packed entries each: doc ids up to 897 (10 bits), offsets below 128.
        let twoEntries: Int = 2 + (2 * (10 + 6) + 7) / 8
        let threeEntries: Int = 2 + (3 * (10 + 7) + 7) / 8
        #expect(plain.skipBytes == UInt64(twoEntries + threeEntries))
        #expect(plain.skipBytes + plain.docBytes + plain.otherBytes == UInt64(body.count))
    }
}
