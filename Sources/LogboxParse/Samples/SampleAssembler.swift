/// Joins a generator's time-sorted lines into file bytes, replacing some lines by malformed ones.
///
/// Malformed lines replace background lines only (never an incident or a secret), and are drawn
/// from their own random stream, so the well-formed lines are the same for every `malformedRate`.
struct SampleAssembler {
    /// The file and, per line (in sorted order), whether it was replaced.
    struct Result {
        var file: SampleFile
        var replaced: [Bool]
    }

    static func assemble(name: String, writer: SampleLineWriter, options: SampleLogGenerator.Options) -> Result {
        let count = writer.records.count
        var random = SeededRandom(seed: options.seed, stream: name + "/malformed")
        var kinds = [MalformedKind?](repeating: nil, count: count)
        var replaced = [Bool](repeating: false, count: count)
        let rate = min(max(options.malformedRate, 0), 1)
        if rate > 0, count > 0 {
            var wanted = max(1, Int((rate * Double(count)).rounded()))
            var eligible: [Int] = []
            eligible.reserveCapacity(count)
            for index in 0..<count where !writer.records[index].isProtected {
                eligible.append(index)
            }
            if let last = eligible.last, last == count - 1 {
                kinds[last] = .noFinalNewline
                eligible.removeLast()
                wanted -= 1
            }
            // A partial Fisher–Yates shuffle picks `wanted` distinct lines.
            wanted = min(wanted, eligible.count)
            for i in 0..<wanted {
                let j = i + Int(random.next(below: UInt64(eligible.count - i)))
                eligible.swapAt(i, j)
            }
            let cheapKinds: [MalformedKind] = [.truncated, .invalidUTF8, .nulBytes, .binaryGarbage]
            for i in 0..<wanted {
                kinds[eligible[i]] = random.pick(cheapKinds)
            }
            if let huge = options.hugeLineBytes, huge > 0, wanted > 0 {
                kinds[eligible[0]] = .hugeLine
            }
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(writer.arena.count + count + (options.hugeLineBytes ?? 0))
        var malformed: [(line: Int, kind: MalformedKind)] = []
        for index in 0..<count {
            let line = writer.lineBytes(index)
            guard let kind = kinds[index] else {
                bytes.append(contentsOf: line)
                bytes.append(UInt8(ascii: "\n"))
                continue
            }
            replaced[index] = true
            malformed.append((index + 1, kind))
            Self.appendMalformed(kind, of: line, to: &bytes, hugeLineBytes: options.hugeLineBytes ?? 0, using: &random)
            if kind != .noFinalNewline {
                bytes.append(UInt8(ascii: "\n"))
            }
        }
        return Result(file: SampleFile(name: name, bytes: bytes, malformedLines: malformed), replaced: replaced)
    }

    /// Byte sequences that are not UTF-8: Latin-1 `é`, a lead byte before ASCII, a truncated
    /// three-byte sequence, an overlong `/`, a UTF-16 surrogate, a five-byte form, stray bytes.
    private static let invalidSequences: [[UInt8]] = [
        [0xE9], [0xC3, 0x28], [0xE2, 0x82], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0xFF, 0xFE],
    ]

    private static func appendMalformed(
        _ kind: MalformedKind,
        of line: ArraySlice<UInt8>,
        to bytes: inout [UInt8],
        hugeLineBytes: Int,
        using random: inout SeededRandom
    ) {
        switch kind {
        case .truncated, .noFinalNewline:
            bytes.append(contentsOf: line.prefix(Self.cutLength(line, atMost: 40, using: &random)))
        case .invalidUTF8:
            // Bad bytes inside the text, past the timestamp, as when a program logs Latin-1 input.
            let cut = Self.boundary(
                in: line,
                near: random.int(in: (line.count / 2)...max(line.count / 2, line.count - 1))
            )
            bytes.append(contentsOf: line.prefix(cut))
            bytes.append(contentsOf: random.pick(Self.invalidSequences))
            bytes.append(contentsOf: line.dropFirst(cut))
        case .nulBytes:
            // A run of NULs, then a whole line, as after a crash on a preallocated file.
            for _ in 0..<random.int(in: 1...512) { bytes.append(0) }
            bytes.append(contentsOf: line)
        case .binaryGarbage:
            for _ in 0..<random.int(in: 16...300) {
                let byte = UInt8(truncatingIfNeeded: random.next())
                bytes.append(byte == UInt8(ascii: "\n") ? 0xFE : byte)
            }
        case .hugeLine:
            let head = line.prefix(hugeLineBytes)
            bytes.append(contentsOf: head)
            for _ in 0..<(hugeLineBytes - head.count) { bytes.append(UInt8(ascii: "x")) }
        }
    }

    /// `offset` moved back to the start of the UTF-8 character it falls in.
    private static func boundary(in line: ArraySlice<UInt8>, near offset: Int) -> Int {
        var cut = offset
        while cut > 0, cut < line.count, line[line.startIndex + cut] & 0xC0 == 0x80 {
            cut -= 1
        }
        return cut
    }

    /// A cut point in `5...atMost` (smaller for shorter lines) that does not split a UTF-8 character.
    private static func cutLength(_ line: ArraySlice<UInt8>, atMost limit: Int, using random: inout SeededRandom) -> Int
    {
        let upper = max(1, min(limit, line.count - 1))
        var cut = random.int(in: min(5, upper)...upper)
        while cut > 1, cut < line.count, line[line.startIndex + cut] & 0xC0 == 0x80 {
            cut -= 1
        }
        return cut
    }
}
