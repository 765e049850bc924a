import LogboxCore
import LogboxParse
import LogboxStore
import Testing

/// Seeded random events covering every shape a record must carry.
enum RandomEvents {
    static let lines: [[UInt8]] = [
        [],
        Array("plain ascii line with some words".utf8),
        Array("Grüße aus Zürich — 東京 🚀 ok".utf8),
        [0xFF, 0xFE, 0x41, 0xC3, 0x28, 0x00, 0x80, 0x0A, 0x22, 0x5C],
        Array(#"{"msg":"a\"b\\c\u00e9","n":12}"#.utf8),
    ]

    static func line(_ random: inout SeededRandom, maxLength: Int = 300) -> [UInt8] {
        switch random.next() % 4 {
        case 0: return Self.lines[Int(random.next() % UInt64(Self.lines.count))]
        case 1:
            let count = Int(random.next() % UInt64(maxLength + 1))
            return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        default:
            let words = ["sshd", "Failed", "password", "for", "root", "from", "10.0.0.1", "port", "22", "größe", "\""]
            var line: [UInt8] = []
            let count = Int(random.next() % 30)
            for index in 0..<count {
                if index > 0 { line.append(UInt8(ascii: " ")) }
                line += Array(words[Int(random.next() % UInt64(words.count))].utf8)
            }
            return line
        }
    }

    static func event(_ random: inout SeededRandom, maxLineLength: Int = 300) -> StoredEvent {
        let line = Self.line(&random, maxLength: maxLineLength)
        var fields: [StoredField] = []
        let fieldCount = Int(random.next() % 8)
        for _ in 0..<fieldCount {
            let start = line.isEmpty ? 0 : Int(random.next() % UInt64(line.count + 1))
            let length = Int(random.next() % UInt64(line.count - start + 1))
            let kind = ValueKind(rawValue: UInt8(random.next() % 9))!
            var payload: Int64 = 0
            switch kind {
            case .integer: payload = Int64(bitPattern: random.next()) >> Int64(random.next() % 64)
            case .decimal: payload = Int64(bitPattern: random.next())
            case .boolean: payload = Int64(random.next() % 2)
            case .level: payload = Int64(random.next() % 9)
            default: payload = 0
            }
            let name: UInt32 =
                random.next() % 4 == 0 ? UInt32(truncatingIfNeeded: random.next()) : UInt32(random.next() % 40)
            fields.append(
                StoredField(name: name, kind: kind, start: Int32(start), length: Int32(length), payload: payload)
            )
        }
        let hasIssue = random.next() % 3 == 0
        let reasons = ParseIssue.Reason.allCases
        let edgeTimes: [Int64] = [0, -1, Int64.min, Int64.max, -86_400_000_000_000, 1_793_491_361_019_000_000]
        let timestamp =
            random.next() % 4 == 0
            ? edgeTimes[Int(random.next() % UInt64(edgeTimes.count))] : Int64(bitPattern: random.next()) >> 2
        return StoredEvent(
            timestamp: timestamp,
            timestampDigits: Int8(Int(random.next() % 11) - 1),
            issue: hasIssue
                ? ParseIssue(
                    reasons[Int(random.next() % UInt64(reasons.count))],
                    column: Int(Int32(truncatingIfNeeded: random.next()))
                )
                : nil,
            truncatedBytes: random.next() % 5 == 0 ? Int64(random.next() % 1_000_000) : 0,
            source: UInt32(truncatingIfNeeded: random.next() % 3 == 0 ? random.next() : random.next() % 8),
            file: random.next() % 2 == 0
                ? StoredEvent.noFile : UInt32(truncatingIfNeeded: random.next()) % (UInt32.max - 1),
            line: line,
            fields: fields
        )
    }

    static func record(_ event: StoredEvent, base: Int64) -> [UInt8] {
        var writer = ByteWriter()
        EventRecord.encode(event, timestampBase: base, into: &writer)
        return writer.bytes
    }

    static func decode(_ bytes: ArraySlice<UInt8>, base: Int64) throws(StoreError) -> StoredEvent {
        var reader = ByteReader(bytes)
        let event = try EventRecord.decode(&reader, timestampBase: base)
        guard reader.isAtEnd else { throw StoreError(.corrupt, "trailing bytes") }
        return event
    }
}

@Suite("Event records")
struct EventRecordTests {
    @Test("random events round-trip against any timestamp base")
    func randomRoundTrip() throws {
        var random = SeededRandom(seed: 0x5EED_0001)
        for _ in 0..<2_000 {
            let event = RandomEvents.event(&random)
            let base =
                random.next() % 2 == 0
                ? event.timestamp &- Int64(random.next() % 1000) : Int64(bitPattern: random.next())
            let bytes = RandomEvents.record(event, base: base)
            #expect(try RandomEvents.decode(bytes[...], base: base) == event)
        }
    }

    @Test("records follow one another in a buffer and decode in order")
    func sequence() throws {
        var random = SeededRandom(seed: 7)
        let events = (0..<200).map { _ in RandomEvents.event(&random) }
        var writer = ByteWriter()
        for event in events { EventRecord.encode(event, timestampBase: 1_000, into: &writer) }
        var reader = ByteReader(writer.bytes)
        for event in events { #expect(try EventRecord.decode(&reader, timestampBase: 1_000) == event) }
        #expect(reader.isAtEnd)
    }

    @Test("decoding record after record into one reused event gives each event, nothing left from the one before")
    func decodeIntoReusedEvent() throws {
        var random = SeededRandom(seed: 0x5EED_0002)
        var events: [StoredEvent] = []
        for index in 0..<300 {
            var event = RandomEvents.event(&random)
            if index % 3 == 0 {
                // A value not in the line (an enrich step's): the next event has none.
                event.extra = Array("enriched-\(index)".utf8)
                event.fields.append(
                    StoredField(name: 7, kind: .text, start: Int32(event.line.count), length: Int32(event.extra.count))
                )
            }
            events.append(event)
        }
        var writer = ByteWriter()
        for event in events { EventRecord.encode(event, timestampBase: 1_000, into: &writer) }
        var reader = ByteReader(writer.bytes)
        var reused = StoredEvent(timestamp: 0, line: [])
        for event in events {
            try EventRecord.decode(&reader, timestampBase: 1_000, into: &reused)
            #expect(reused == event)
        }
        #expect(reader.isAtEnd)
    }

    @Test(
        "edge shapes round-trip",
        arguments: [
            StoredEvent(timestamp: 0, line: []),
            StoredEvent(
                timestamp: -5,
                timestampDigits: 0,
                line: [],
                fields: [StoredField(name: 0, kind: .text, start: 0, length: 0)]
            ),
            StoredEvent(
                timestamp: Int64.min,
                timestampDigits: 9,
                issue: ParseIssue(.invalidUTF8, column: 1),
                truncatedBytes: 1,
                source: UInt32.max,
                file: UInt32.max - 1,
                line: [0xC3, 0x28, 0xFF],
                fields: [StoredField(name: UInt32.max, kind: .null, start: 3, length: 0)]
            ),
            StoredEvent(
                timestamp: Int64.max,
                timestampDigits: 3,
                line: Array("x=1 y=2.5 z=true".utf8),
                fields: [
                    StoredField(name: 1, kind: .integer, start: 2, length: 1, payload: Int64.min),
                    StoredField(
                        name: 2,
                        kind: .decimal,
                        start: 6,
                        length: 3,
                        payload: Int64(bitPattern: (2.5).bitPattern)
                    ),
                    StoredField(name: 3, kind: .boolean, start: 12, length: 4, payload: 1),
                    StoredField(name: 4, kind: .level, start: 0, length: 0, payload: Int64(Level.emergency.rawValue)),
                    StoredField(name: 5, kind: .json, start: 0, length: 16),
                    StoredField(name: 6, kind: .jsonEscaped, start: 0, length: 3),
                    StoredField(name: 7, kind: .structuredDataEscaped, start: 4, length: 5),
                ]
            ),
        ]
    )
    func edges(event: StoredEvent) throws {
        for base in [0, event.timestamp, Int64.min, Int64.max] {
            #expect(try RandomEvents.decode(RandomEvents.record(event, base: base)[...], base: base) == event)
        }
    }

    @Test("a 1 MB line round-trips, and records in one block store small timestamp deltas")
    func hugeLineAndDeltas() throws {
        var random = SeededRandom(seed: 3)
        let line = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let event = StoredEvent(
            timestamp: 1_793_491_361_019_000_000,
            timestampDigits: 3,
            line: line,
            fields: [StoredField(name: 1, kind: .text, start: 0, length: Int32(line.count))]
        )
        let bytes = RandomEvents.record(event, base: 0)
        #expect(try RandomEvents.decode(bytes[...], base: 0) == event)

        let small = StoredEvent(timestamp: 1_793_491_361_019_000_000, line: [])
        #expect(
            RandomEvents.record(small, base: small.timestamp - 1_000).count < RandomEvents.record(small, base: 0).count
        )
        #expect(RandomEvents.record(small, base: small.timestamp).count == 5)
    }

    @Test("numbers and levels the text spells are not stored twice; other payloads are")
    func derivedPayloads() throws {
        let line = Array("200 0.25 WARN 34".utf8)
        func event(_ status: Int64, _ time: Double, _ level: Level, _ facility: Int64) -> StoredEvent {
            StoredEvent(
                timestamp: 0,
                line: line,
                fields: [
                    StoredField(name: 0, kind: .integer, start: 0, length: 3, payload: status),
                    StoredField(
                        name: 1,
                        kind: .decimal,
                        start: 4,
                        length: 4,
                        payload: Int64(bitPattern: time.bitPattern)
                    ),
                    StoredField(name: 2, kind: .level, start: 9, length: 4, payload: Int64(level.rawValue)),
                    StoredField(name: 3, kind: .integer, start: 14, length: 2, payload: facility),
                ]
            )
        }
        let spelled = event(200, 0.25, .warning, 34)
        let other = event(201, 0.5, .error, 4)
        let spelledBytes = RandomEvents.record(spelled, base: 0)
        let otherBytes = RandomEvents.record(other, base: 0)
        #expect(otherBytes.count == spelledBytes.count + 2 + 8 + 1 + 1)
        #expect(try RandomEvents.decode(spelledBytes[...], base: 0) == spelled)
        #expect(try RandomEvents.decode(otherBytes[...], base: 0) == other)
    }

    @Test("timestamp deltas are stored in units of the line's last fraction digit when they divide")
    func scaledTimestamps() throws {
        let base: Int64 = 1_793_491_361_000_000_000
        let cases: [(Int64, Int8, Int)] = [
            (base + 5_000_000_000, 0, 5),  // 5 s at second precision: 1 byte
            (base + 5_123_000_000, 3, 6),  // 5,123 ms: 2 bytes
            (base + 5_123_456_789, 9, 9),  // nanoseconds are never scaled
            (base + 5_000_000_000, -1, 9),  // nor receive times
            (base + 5_000_000_001, 0, 9),  // a delta the unit does not divide is stored as it is
            (base - 7_000_000_000, 0, 5),
        ]
        for (timestamp, digits, size) in cases {
            let event = StoredEvent(timestamp: timestamp, timestampDigits: digits, line: [])
            let bytes = RandomEvents.record(event, base: base)
            #expect(bytes.count == size)
            #expect(try RandomEvents.decode(bytes[...], base: base) == event)
        }
    }

    @Test("a field range outside its line is clipped when written, so the record still decodes")
    func clipping() throws {
        let event = StoredEvent(
            timestamp: 1,
            line: Array("abc".utf8),
            fields: [
                StoredField(name: 0, kind: .text, start: 2, length: 10),
                StoredField(name: 1, kind: .text, start: -4, length: 2),
                StoredField(name: 2, kind: .text, start: 9, length: 1),
            ]
        )
        let decoded = try RandomEvents.decode(RandomEvents.record(event, base: 0)[...], base: 0)
        #expect(decoded.fields.map(\.range) == [2..<3, 0..<0, 3..<3])
        #expect(decoded.rawBytes(decoded.fields[0]) == ArraySlice(Array("c".utf8)))
        #expect(event.rawBytes(event.fields[2]).isEmpty)
    }

    @Test("every truncation throws; flipped bytes throw or decode, never trap")
    func damage() throws {
        var random = SeededRandom(seed: 11)
        for _ in 0..<40 {
            let event = RandomEvents.event(&random, maxLineLength: 40)
            let bytes = RandomEvents.record(event, base: 17)
            for end in 0..<bytes.count {
                var reader = ByteReader(bytes[..<end])
                #expect(throws: StoreError.self) { try EventRecord.decode(&reader, timestampBase: 17) }
            }
            for position in 0..<bytes.count {
                for mask: UInt8 in [0x01, 0x80, 0xFF] {
                    var damaged = bytes
                    damaged[position] ^= mask
                    var reader = ByteReader(damaged)
                    if let decoded = try? EventRecord.decode(&reader, timestampBase: 17) {
                        for field in decoded.fields {
                            #expect(field.range.upperBound <= decoded.line.count + decoded.extra.count)
                        }
                    }
                }
            }
        }
    }

    @Test("unknown kinds and reasons, bad flags, ranges outside the line and huge ids are corrupt")
    func invalidValues() {
        var valid = ByteWriter()
        EventRecord.encode(
            StoredEvent(
                timestamp: 0,
                issue: ParseIssue(.badTag, column: 3),
                line: Array("ab".utf8),
                fields: [StoredField(name: 1, kind: .text, start: 1, length: 1)]
            ),
            timestampBase: 0,
            into: &valid
        )
        // line length, ts, flags, reason, column, source, field count, name, kind, start,
        // end (1: end of line), 'a', 'b'
        #expect(valid.bytes.count == 13)
        func corrupt(_ edit: (inout [UInt8]) -> Void) -> Bool {
            var bytes = valid.bytes
            edit(&bytes)
            var reader = ByteReader(bytes)
            do {
                _ = try EventRecord.decode(&reader, timestampBase: 0)
                return false
            } catch {
                return error.kind == .corrupt
            }
        }
        #expect(!corrupt { _ in })
        #expect(corrupt { $0[2] |= 0x80 })  // a scaled timestamp without fraction digits
        #expect(corrupt { $0[2] = ($0[2] & 0xF0) | 0x0B })  // 10 fraction digits
        #expect(corrupt { $0[3] = 200 })  // unknown reason
        #expect(corrupt { $0[8] = 9 })  // unknown kind
        #expect(corrupt { $0[8] = 0x80 })  // a derived payload for text
        #expect(corrupt { $0[9] = 3 })  // start 0 - 2, before the line
        #expect(corrupt { $0[10] = 4 })  // ends at a byte 0x01 the line does not hold
        #expect(corrupt { $0[10] = 0 })  // a stored length ('a' = 97) past the line
        #expect(corrupt { $0[10] = 0xFF })  // a varint running into the line
        var bigSource = ByteWriter()
        bigSource.varint(0)
        bigSource.signedVarint(0)
        bigSource.u8(0)
        bigSource.varint(UInt64(UInt32.max) + 1)
        bigSource.varint(0)
        var reader = ByteReader(bigSource.bytes)
        #expect(throws: StoreError.self) { try EventRecord.decode(&reader, timestampBase: 0) }
    }

    @Test("values read as text: escapes decoded, levels and booleans by name")
    func strings() {
        let line = Array(#"a\"b x\]y WARN 1.5 true"#.utf8)
        let event = StoredEvent(
            timestamp: 0,
            line: line,
            fields: [
                StoredField(name: 0, kind: .jsonEscaped, start: 0, length: 4),
                StoredField(name: 1, kind: .structuredDataEscaped, start: 5, length: 4),
                StoredField(name: 2, kind: .level, start: 10, length: 4, payload: Int64(Level.warning.rawValue)),
                StoredField(
                    name: 3,
                    kind: .decimal,
                    start: 15,
                    length: 3,
                    payload: Int64(bitPattern: (1.5).bitPattern)
                ),
                StoredField(name: 4, kind: .boolean, start: 19, length: 4, payload: 1),
                StoredField(name: 5, kind: .null, start: 0, length: 0),
            ]
        )
        #expect(event.fields.map { event.string($0) } == [#"a"b"#, "x]y", "warning", "1.5", "true", "null"])
        #expect(event.fields[3].number == 1.5)
        #expect(event.field(4)?.kind == .boolean)
    }

    @Test("JSON: timestamp first, source and file after the fields, raw and parse_error for a failed line")
    func json() {
        let names = ["message", "status", "source"]
        let sources = ["auth.log", "/var/log/auth.log"]
        let parsed = StoredEvent(
            timestamp: 1_793_491_361_019_000_000,
            timestampDigits: 3,
            truncatedBytes: 5,
            source: 0,
            file: 1,
            line: Array("ok 200".utf8),
            fields: [
                StoredField(name: 0, kind: .text, start: 0, length: 2),
                StoredField(name: 1, kind: .integer, start: 3, length: 3, payload: 200),
            ]
        )
        #expect(
            String(decoding: parsed.json(names: names, sources: sources), as: UTF8.self)
                == #"{"timestamp":"2026-11-01T00:02:41.019Z","message":"ok","status":200,"source":"auth.log","#
                + #""file":"/var/log/auth.log","truncated_bytes":5}"# + "\n"
        )
        let failed = StoredEvent(
            timestamp: 9,
            issue: ParseIssue(.invalidUTF8, column: 2),
            source: 7,
            line: [0x61, 0xFF],
            fields: [
                StoredField(name: 0, kind: .text, start: 0, length: 2),
                StoredField(name: 2, kind: .text, start: 0, length: 1),
            ]
        )
        #expect(
            String(decoding: failed.json(names: names, sources: sources), as: UTF8.self)
                == #"{"message":"a\\xff","source":"a","raw":"a\\xff","parse_error":"invalid UTF-8 at column 2"}"# + "\n"
        )
        let unnamed = StoredEvent(
            timestamp: 0,
            line: [],
            fields: [StoredField(name: 99, kind: .null, start: 0, length: 0)]
        )
        #expect(
            String(decoding: unnamed.json(names: [], sources: []), as: UTF8.self) == ##"{"#99":null,"source":"#0"}"##
                + "\n"
        )
    }
}
