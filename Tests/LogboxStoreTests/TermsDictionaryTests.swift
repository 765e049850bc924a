import LogboxStore
import Testing

/// A dictionary as the tests know it: fields in byte order, each with sorted distinct terms.
private struct ReferenceDictionary {
    var fields: [(name: String, terms: [[UInt8]], addresses: [[UInt8]: PostingsAddress])] = []

    func write() -> [UInt8] {
        var writer = TermDictionaryWriter()
        for field in self.fields {
            for term in field.terms {
                guard let address = field.addresses[term] else { continue }
                writer.add(field: field.name, term: term, address: address)
            }
        }
        return writer.finish()
    }
}

private func randomTerm(_ random: inout SplitMix64) -> [UInt8] {
    let hexDigits = Array("0123456789abcdef".utf8)
    switch Int.random(in: 0..<13, using: &random) {
    case 10:
        // Trace ids, hashes: stored hex-packed (odd and even lengths, sharing prefixes or not).
        return (0..<Int.random(in: 1...40, using: &random)).map { _ in hexDigits.randomElement(using: &random)! }
    case 11:
        return Array(
            String(UInt64.random(in: 0...UInt64.max, using: &random) >> UInt64.random(in: 0...63, using: &random)).utf8
        )
    case 12:
        // Nearly hex: one byte just outside the alphabet keeps the suffix as it is.
        var term = (0..<Int.random(in: 2...20, using: &random)).map { _ in hexDigits.randomElement(using: &random)! }
        term[Int.random(in: 0..<term.count, using: &random)] = Array("/:@AFG`g".utf8).randomElement(using: &random)!
        return term
    case 0..<4:
        // A small alphabet, so many terms share long prefixes.
        return (0..<Int.random(in: 0...12, using: &random)).map { _ in
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "c")].randomElement(using: &random)!
        }
    case 4..<6:
        let words = ["größe", "日本語", "ошибка", "café", "naïve", "🙂ok", "sshd", "Failed", "password"]
        return Array(words.randomElement(using: &random)!.utf8)
            + Array(String(Int.random(in: 0..<50, using: &random)).utf8)
    case 6..<8:
        return (0..<Int.random(in: 1...6, using: &random)).map { _ in
            [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF].randomElement(using: &random)!
        }
    default:
        return (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }
}

private func randomAddress(_ random: inout SplitMix64) -> PostingsAddress {
    PostingsAddress(
        offset: Bool.random(using: &random)
            ? UInt64.random(in: 4...100_000, using: &random) : UInt64.random(in: 0...UInt64.max, using: &random),
        docCount: Bool.random(using: &random)
            ? UInt32.random(in: 1...10, using: &random) : UInt32.random(in: 1...UInt32.max, using: &random),
        hasPositions: Bool.random(using: &random)
    )
}

private func makeReference(termCounts: [Int], seed: UInt64, huge: Bool = false) -> ReferenceDictionary {
    var random = SplitMix64(seed: seed)
    var names: Set<String> = [
        "", "a", "host", "message", "ünïcödé", "日本", "z.z", "sd.req@32473.status", "a\u{301}", "á",
    ]
    while names.count < termCounts.count { names.insert("f\(names.count)_\(Int.random(in: 0..<1000, using: &random))") }
    let sortedNames = names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    var reference = ReferenceDictionary()
    for (index, name) in sortedNames.prefix(termCounts.count).enumerated() {
        var terms = Set<[UInt8]>()
        if index % 3 == 0 { terms.insert([]) }
        if huge && index == 1 {
            let big = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            terms.formUnion([big, big + [0], big + [0xFF], Array(big.dropLast()), big + Array("x".utf8)])
        }
        while terms.count < termCounts[index] { terms.insert(randomTerm(&random)) }
        let sorted = terms.sorted { $0.lexicographicallyPrecedes($1) }
        var addresses: [[UInt8]: PostingsAddress] = [:]
        for term in sorted { addresses[term] = randomAddress(&random) }
        reference.fields.append((name, sorted, addresses))
    }
    return reference
}

@Suite("Term dictionary")
struct TermsDictionaryTests {
    @Test(
        "lookups find every present term and no absent one",
        arguments: [
            ([1], 1), ([31, 32, 33], 2), ([64, 65, 1, 200], 3), ([1000, 5, 97, 2, 32, 600, 1, 1, 3, 64, 1500], 4),
        ] as [([Int], UInt64)]
    )
    func lookups(termCounts: [Int], seed: UInt64) throws {
        let reference = makeReference(termCounts: termCounts, seed: seed)
        let reader = try TermDictionaryReader(body: reference.write())
        try reader.verify()
        #expect(reader.fields == reference.fields.map(\.name))
        var random = SplitMix64(seed: seed &+ 100)
        for field in reference.fields {
            #expect(reader.termCount(field: field.name) == field.terms.count)
            for term in field.terms {
                #expect(try reader.lookup(field: field.name, term: term) == field.addresses[term])
            }
            var absent: [[UInt8]] = [[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0], []]
            for _ in 0..<300 {
                let term = field.terms.randomElement(using: &random)!
                absent.append(contentsOf: [term + [0], term + [0xFF], Array(term.dropLast()), randomTerm(&random)])
                if let last = term.last {
                    absent.append(Array(term.dropLast()) + [last &+ 1])
                    absent.append(Array(term.dropLast()) + [last &- 1])
                }
            }
            for term in absent {
                #expect(try reader.lookup(field: field.name, term: term) == field.addresses[term])
            }
        }
        let someTerm = reference.fields[0].terms[0]
        #expect(try reader.lookup(field: "no such field", term: someTerm) == nil)
        #expect(reader.termCount(field: "no such field") == 0)
        // Other collection types: a slice and a collection without contiguous storage.
        let field = reference.fields[reference.fields.count - 1]
        let term = field.terms[field.terms.count - 1]
        #expect(try reader.lookup(field: field.name, term: ([9] + term)[1...]) == field.addresses[term])
        #expect(try reader.lookup(field: field.name, term: term.lazy.map { $0 }) == field.addresses[term])
    }

    @Test("64 KB terms, empty terms and 0xFF runs round-trip")
    func hugeTerms() throws {
        let reference = makeReference(termCounts: [40, 40, 3], seed: 77, huge: true)
        let reader = try TermDictionaryReader(body: reference.write())
        try reader.verify()
        for field in reference.fields {
            for term in field.terms {
                #expect(try reader.lookup(field: field.name, term: term) == field.addresses[term])
            }
            var seen: [[UInt8]] = []
            try reader.enumerate(field: field.name) { term, address in
                seen.append(Array(term))
                #expect(address == field.addresses[Array(term)])
                return true
            }
            #expect(seen == field.terms)
        }
    }

    @Test("range and prefix enumeration match a sorted reference", arguments: [UInt64(11), 12, 13])
    func enumeration(seed: UInt64) throws {
        let reference = makeReference(termCounts: [700, 33, 1, 90], seed: seed)
        let reader = try TermDictionaryReader(body: reference.write())
        var random = SplitMix64(seed: seed &* 3)
        func bound(_ terms: [[UInt8]]) -> [UInt8]? {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: nil
            case 1: randomTerm(&random)
            default: terms.randomElement(using: &random)!
            }
        }
        for field in reference.fields {
            for _ in 0..<150 {
                let lower = bound(field.terms)
                let upper = bound(field.terms)
                let lowerInclusive = Bool.random(using: &random)
                let upperInclusive = Bool.random(using: &random)
                let expected = field.terms.filter { term in
                    if let lower {
                        if term.lexicographicallyPrecedes(lower) || (!lowerInclusive && term == lower) { return false }
                    }
                    if let upper {
                        if upper.lexicographicallyPrecedes(term) || (!upperInclusive && term == upper) { return false }
                    }
                    return true
                }
                var seen: [[UInt8]] = []
                try reader.enumerate(
                    field: field.name,
                    from: lower,
                    lowerInclusive: lowerInclusive,
                    to: upper,
                    upperInclusive: upperInclusive
                ) { term, address in
                    seen.append(Array(term))
                    #expect(address == field.addresses[Array(term)])
                    return true
                }
                #expect(seen == expected)
                // Stopping early.
                let limit = Int.random(in: 1...5, using: &random)
                var stopped: [[UInt8]] = []
                try reader.enumerate(field: field.name, from: lower, to: upper) { term, _ in
                    stopped.append(Array(term))
                    return stopped.count < limit
                }
                let inclusive = field.terms.filter { term in
                    !(lower.map { term.lexicographicallyPrecedes($0) } ?? false)
                        && !(upper.map { $0.lexicographicallyPrecedes(term) } ?? false)
                }
                #expect(stopped == Array(inclusive.prefix(limit)))
            }
            var prefixes: [[UInt8]] = [[], [0xFF], [0x00], Array("ab".utf8), Array("gr".utf8), Array("日".utf8)]
            for _ in 0..<100 {
                let term = field.terms.randomElement(using: &random)!
                prefixes.append(Array(term.prefix(Int.random(in: 0...term.count, using: &random))))
            }
            for prefix in prefixes {
                var seen: [[UInt8]] = []
                try reader.enumeratePrefix(field: field.name, prefix: prefix) { term, _ in
                    seen.append(Array(term))
                    return true
                }
                #expect(seen == field.terms.filter { $0.starts(with: prefix) })
            }
        }
        var none = 0
        try reader.enumerate(field: "absent") { _, _ in
            none += 1
            return true
        }
        #expect(none == 0)
    }

    @Test("an empty dictionary has no fields")
    func empty() throws {
        let reader = try TermDictionaryReader(body: TermDictionaryWriter().finish())
        #expect(reader.fields.isEmpty)
        #expect(try reader.lookup(field: "", term: [UInt8]()) == nil)
        try reader.verify()
    }

    @Test("verify checks doc counts and postings offsets against their limits")
    func verifyLimits() throws {
        var writer = TermDictionaryWriter()
        writer.add(
            field: "f",
            term: Array("a".utf8),
            address: PostingsAddress(offset: 4, docCount: 10, hasPositions: false)
        )
        writer.add(
            field: "f",
            term: Array("b".utf8),
            address: PostingsAddress(offset: 90, docCount: 3, hasPositions: true)
        )
        let reader = try TermDictionaryReader(body: writer.finish())
        try reader.verify(postingsLength: 91, docCount: 10)
        #expect(throws: StoreError.self) { try reader.verify(postingsLength: 90, docCount: 10) }
        #expect(throws: StoreError.self) { try reader.verify(postingsLength: 91, docCount: 9) }
    }
}

/// Drives every read path; returns normally or throws, and must never trap.
extension TermsDictionaryTests {
    @Test("hex suffixes are stored packed: 32-hex-digit ids take about half their text")
    func hexPacking() throws {
        var random = SplitMix64(seed: 0x7E)
        let digits = Array("0123456789abcdef".utf8)
        let ids = Set((0..<2_000).map { _ in (0..<32).map { _ in digits.randomElement(using: &random)! } }).sorted {
            $0.lexicographicallyPrecedes($1)
        }
        var writer = TermDictionaryWriter()
        for (index, id) in ids.enumerated() {
            writer.add(
                field: "trace_id",
                term: id,
                address: PostingsAddress(offset: UInt64(4 + index * 3), docCount: 1, hasPositions: false)
            )
        }
        let body = writer.finish()
        // 32 text bytes per id; packed, its suffix is at most 16, plus shared, length, offset and docs.
        #expect(body.count < ids.count * 21, "\(body.count) bytes for \(ids.count) ids")
        let reader = try TermDictionaryReader(body: body)
        try reader.verify()
        for (index, id) in ids.enumerated() {
            #expect(try reader.lookup(field: "trace_id", term: id)?.offset == UInt64(4 + index * 3))
            var upper = id
            upper[5] = upper[5] >= 0x61 ? upper[5] - 0x20 : upper[5]  // "A"-"F" or a digit: absent unless a digit
            if upper != id { #expect(try reader.lookup(field: "trace_id", term: upper) == nil) }
            #expect(try reader.lookup(field: "trace_id", term: id.dropLast()) == nil)
        }
        var seen: [[UInt8]] = []
        try reader.enumeratePrefix(field: "trace_id", prefix: Array(ids[700].prefix(2))) { term, _ in
            seen.append(Array(term))
            return true
        }
        #expect(seen == ids.filter { $0.starts(with: ids[700].prefix(2)) })
    }

    @Test("a version 1 body (lengths without the hex bit) still reads")
    func version1() throws {
        // One field, one block: "ab" (docs 1), "abc" (2), "b" (3), written as version 1 lays them out.
        var body: [UInt8] = [1, 0, 0, 0]
        let entries: [(shared: UInt8, suffix: String, offset: UInt8, docs: UInt8)] = [
            (0, "ab", 4, 1), (2, "c", 6, 2), (0, "b", 8, 3),
        ]
        var previous: UInt8 = 0
        for entry in entries {
            body += [entry.shared, UInt8(entry.suffix.utf8.count)] + Array(entry.suffix.utf8)
            body += [(entry.offset - previous) << 1, entry.docs << 1]  // zigzag of a positive delta
            previous = entry.offset
        }
        let blocksLength = body.count - 4
        body += [2] + Array("ab".utf8) + [0]  // sparse index: the block's first term, offset 0
        let sparseLength = body.count - 4 - blocksLength
        let tableOffset = body.count
        body += [1, 4] + Array("word".utf8) + [4, UInt8(blocksLength), UInt8(sparseLength), 3]
        body += (0..<8).map { UInt8(truncatingIfNeeded: UInt64(tableOffset) >> (8 * $0)) }
        let reader = try TermDictionaryReader(body: body)
        try reader.verify()
        #expect(
            try reader.lookup(field: "word", term: Array("abc".utf8))
                == PostingsAddress(offset: 6, docCount: 2, hasPositions: false)
        )
        #expect(try reader.lookup(field: "word", term: Array("b".utf8))?.docCount == 3)
        #expect(try reader.lookup(field: "word", term: Array("a".utf8)) == nil)
        var terms: [String] = []
        try reader.enumerate(field: "word") { term, _ in
            terms.append(String(decoding: term, as: UTF8.self))
            return true
        }
        #expect(terms == ["ab", "abc", "b"])
    }
}

private func exercise(_ body: ArraySlice<UInt8>, _ reference: ReferenceDictionary) throws {
    let reader = try TermDictionaryReader(body: body)
    defer { _ = reader.fields }
    for field in reference.fields {
        for term in field.terms { _ = try reader.lookup(field: field.name, term: term) }
        _ = try reader.lookup(field: field.name, term: [0xFF, 0xFF])
        try reader.enumerate(field: field.name) { _, _ in true }
        try reader.enumeratePrefix(field: field.name, prefix: Array("a".utf8)) { _, _ in true }
    }
    try reader.verify()
}

@Suite("Term dictionary corruption")
struct TermsDictionaryCorruptionTests {
    @Test("every truncation of the body throws")
    func truncation() throws {
        let reference = makeReference(termCounts: [40, 3, 1, 70], seed: 5)
        let body = reference.write()
        for length in 0..<body.count {
            #expect(throws: StoreError.self, "truncated to \(length) bytes") {
                try exercise(body[..<length], reference)
            }
        }
        try exercise(body[...], reference)
    }

    @Test("flipped bytes never trap")
    func flippedBytes() throws {
        let reference = makeReference(termCounts: [33, 2, 1], seed: 6)
        let body = reference.write()
        var random = SplitMix64(seed: 0xF1)
        var detected = 0
        for index in 0..<body.count {
            var damaged = body
            damaged[index] ^= UInt8.random(in: 1...255, using: &random)
            do { try exercise(damaged[...], reference) } catch { detected += 1 }
        }
        #expect(detected > 0)
    }
}
