public import LogboxCore

/// The binary record of one event: what the doc store (and the WAL) keep per event.
///
/// Layout (varints are unsigned LEB128, `zigzag` marks a zigzag-then-LEB128 signed varint):
/// ```
/// field            width     notes
/// line length      varint
/// flags            u8        bits 0-3: timestampDigits + 1 (0 = the line had no timestamp, 1...10 = 0...9 digits)
///                            bit 4: has issue, bit 5: has truncation, bit 6: has file,
///                            bit 7: the timestamp delta is in units of 10^(9 - digits) ns (digits 0...8)
/// timestamp        zigzag    timestamp - timestampBase (wrapping), so records of one block store small deltas
/// issue.reason     u8        ParseIssue.Reason raw value            (only with bit 4)
/// issue.column     zigzag                                           (only with bit 4)
/// truncatedBytes   varint    its Int64 bit pattern                  (only with bit 5)
/// source           varint    index into the owner's string table (< 2^32)
/// file             varint    same table, < UInt32.max               (only with bit 6; otherwise none)
/// field count      varint
/// per field:       name      varint: index into the owner's field-name table (< 2^32)
///                  kind      u8: bits 0-6 ValueKind raw value; bit 7: the payload is what the value's text
///                            reads as (NumberScanner for integer and decimal, Level(word:) for level), not stored
///                  start     zigzag: start minus the previous field's end (0 before the first field)
/// per field:       length    varint; every value lies inside the line
/// per field with a stored payload (no kind bit 7):
///                  payload   zigzag for integer, level, boolean; u64 (LE) Double bit pattern for decimal;
///                            nothing for text, jsonEscaped, structuredDataEscaped, null, json (payload 0)
/// line             bytes     the raw line
/// ```
/// Everything before the line is the record's *head*. The order is chosen for LZ4: the names,
/// kinds and separators of one format repeat byte for byte from event to event, so they come
/// together, apart from the lengths and payloads that vary; a payload the text already spells
/// is not stored twice; and the doc store keeps heads and lines in two runs per block (see
/// `DocStoreWriter`), so lines compress as text. A record is self-delimiting, and decoding
/// checks every range and raw value, so a damaged record throws `StoreError(.corrupt)` instead
/// of trapping. Writers clip a field range that falls outside its line and clamp timestamp
/// digits to -1...9, so every record written decodes.
public enum EventRecord {
    private static let hasIssue: UInt8 = 0x10
    private static let hasTruncation: UInt8 = 0x20
    private static let hasFile: UInt8 = 0x40
    private static let scaledTimestamp: UInt8 = 0x80
    private static let derivedPayload: UInt8 = 0x80

    /// Appends the record of `event`, its timestamp stored as a delta from `timestampBase`.
    public static func encode(_ event: StoredEvent, timestampBase: Int64, into out: inout ByteWriter) {
        Self.encodeHead(event, timestampBase: timestampBase, into: &out)
        out.bytes.append(contentsOf: event.line)
    }

    /// Appends the record of event `index` of `batch`, reading the batch directly.
    ///
    /// The ingest path: no `StoredEvent` is built and nothing is allocated beyond `out`'s growth.
    /// Field ranges, absolute in `batch.lines.bytes`, are stored relative to the line. An event
    /// without a timestamp gets `receivedAt`, marked as such (digits -1).
    /// - Parameters:
    ///   - nameIDs: the owner's name id for each `FieldID.rawValue` the batch uses.
    ///   - source: the owner's id for the input's name; `file` likewise, or `StoredEvent.noFile`.
    /// - Complexity: O(line length + fields).
    public static func encode(
        batch: EventBatch, event index: Int, nameIDs: [UInt32], source: UInt32, file: UInt32, receivedAt: Int64,
        timestampBase: Int64, into out: inout ByteWriter
    ) {
        Self.encodeHead(
            batch: batch, event: index, nameIDs: nameIDs, source: source, file: file, receivedAt: receivedAt,
            timestampBase: timestampBase, into: &out)
        let slot = batch.lines.slots[Int(batch.events[index].line)]
        out.bytes.append(contentsOf: batch.lines.bytes[slot.range])
    }

    /// The timestamp `encode(batch:…)` stores for event `index`: its own, or `receivedAt`.
    @inlinable
    public static func timestamp(of index: Int, in batch: EventBatch, receivedAt: Int64) -> Int64 {
        let event = batch.events[index]
        return event.hasTimestamp ? event.timestamp : receivedAt
    }

    /// Reads one record written with the same `timestampBase`.
    /// - Throws: `StoreError(.corrupt)` with the offset in `reader` when a length runs past the end,
    ///   a raw value is unknown, a field range leaves the line or a derived payload does not read.
    public static func decode(_ reader: inout ByteReader, timestampBase: Int64) throws(StoreError) -> StoredEvent {
        try Self.decode(head: &reader, timestampBase: timestampBase, line: nil)
    }

    // MARK: Heads and lines apart (the doc store)

    /// Appends the head of `event`'s record: the record without its line bytes.
    static func encodeHead(_ event: StoredEvent, timestampBase: Int64, into out: inout ByteWriter) {
        Self.writeHeader(
            lineCount: event.line.count, timestamp: event.timestamp, digits: event.timestampDigits,
            issue: event.issue, truncatedBytes: event.truncatedBytes, source: event.source, file: event.file,
            timestampBase: timestampBase, into: &out)
        Self.writeFields(StoredFields(fields: event.fields), line: event.line.span, into: &out)
    }

    /// Appends the head of the record of event `index` of `batch`.
    static func encodeHead(
        batch: EventBatch, event index: Int, nameIDs: [UInt32], source: UInt32, file: UInt32, receivedAt: Int64,
        timestampBase: Int64, into out: inout ByteWriter
    ) {
        let event = batch.events[index]
        let slot = batch.lines.slots[Int(event.line)]
        Self.writeHeader(
            lineCount: Int(slot.length), timestamp: event.hasTimestamp ? event.timestamp : receivedAt,
            digits: event.timestampDigits, issue: event.issue, truncatedBytes: slot.truncatedBytes, source: source,
            file: file, timestampBase: timestampBase, into: &out)
        Self.writeFields(
            BatchFields(
                fields: batch.fields, range: event.fieldRange, nameIDs: nameIDs, lineStart: Int(slot.offset)),
            line: batch.lines.bytes.span.extracting(slot.range), into: &out)
    }

    /// The line length a head starts with.
    static func lineCount(ofHead head: ArraySlice<UInt8>) throws(StoreError) -> Int {
        var reader = ByteReader(head)
        return try reader.count()
    }

    /// Reads a head, then the line: from `line` when given (it must have the head's line length),
    /// else from `reader` after the head.
    static func decode(head reader: inout ByteReader, timestampBase: Int64, line given: ArraySlice<UInt8>?)
        throws(StoreError) -> StoredEvent
    {
        let lineCount = try reader.count()
        let flagsAt = reader.offset
        let flags = try reader.u8()
        let digitsCode = flags & 0x0F
        guard digitsCode <= 10, flags & Self.scaledTimestamp == 0 || (1...9).contains(digitsCode) else {
            throw StoreError(.corrupt, offset: Int64(flagsAt), "bad record flags 0x\(String(flags, radix: 16))")
        }
        let digits = Int8(digitsCode) - 1
        var delta = try reader.signedVarint()
        if flags & Self.scaledTimestamp != 0 { delta = delta &* Self.unit(digits: digits) }
        let timestamp = timestampBase &+ delta
        var issue: ParseIssue?
        if flags & Self.hasIssue != 0 {
            let at = reader.offset
            guard let reason = ParseIssue.Reason(rawValue: try reader.u8()) else {
                throw StoreError(.corrupt, offset: Int64(at), "unknown parse issue reason")
            }
            let column = try reader.signedVarint()
            guard let column32 = Int32(exactly: column) else {
                throw StoreError(.corrupt, offset: Int64(at + 1), "issue column \(column) out of range")
            }
            issue = ParseIssue(reason, column: Int(column32))
        }
        var truncatedBytes: Int64 = 0
        if flags & Self.hasTruncation != 0 {
            truncatedBytes = Int64(bitPattern: try reader.varint())
        }
        let source = try Self.readID(&reader, limit: UInt64(UInt32.max), what: "source")
        var file = StoredEvent.noFile
        if flags & Self.hasFile != 0 {
            file = try Self.readID(&reader, limit: UInt64(UInt32.max) - 1, what: "file")
        }

        // Every field takes at least 4 bytes: a count beyond that is damage, not a reason to reserve memory.
        let fieldCount = try reader.count(limit: reader.remaining / 4)
        var fields: [StoredField] = []
        fields.reserveCapacity(fieldCount)
        // Which payloads are read from the text, once the line is there (a list only past 64 fields).
        var derivedMask: UInt64 = 0
        var derivedBeyond = [Bool](repeating: false, count: max(fieldCount - 64, 0))
        // Names, kinds and start deltas.
        for index in 0..<fieldCount {
            let name = try Self.readID(&reader, limit: UInt64(UInt32.max), what: "field name")
            let kindAt = reader.offset
            let kindByte = try reader.u8()
            guard let kind = ValueKind(rawValue: kindByte & ~Self.derivedPayload) else {
                throw StoreError(.corrupt, offset: Int64(kindAt), "unknown value kind \(kindByte)")
            }
            let deltaAt = reader.offset
            let startDelta = try reader.signedVarint()
            guard startDelta >= -Int64(lineCount), startDelta <= Int64(lineCount) else {
                throw StoreError(.corrupt, offset: Int64(deltaAt), "field start \(startDelta) away from a line of \(lineCount)")
            }
            if kindByte & Self.derivedPayload != 0 {
                if index < 64 { derivedMask |= 1 << UInt64(index) } else { derivedBeyond[index - 64] = true }
            }
            fields.append(StoredField(name: name, kind: kind, start: Int32(startDelta), length: 0))
        }
        // Lengths: the ranges follow.
        var previousEnd = 0
        for index in 0..<fieldCount {
            let at = reader.offset
            let length = try reader.varint()
            let start = previousEnd + Int(fields[index].start)
            guard start >= 0, start <= lineCount, length <= UInt64(lineCount - start) else {
                throw StoreError(
                    .corrupt, offset: Int64(at), "field range \(start)+\(length) outside a line of \(lineCount)")
            }
            fields[index].start = Int32(start)
            fields[index].length = Int32(length)
            previousEnd = start + Int(length)
        }
        for index in 0..<fieldCount {
            if index < 64 ? derivedMask & (1 << UInt64(index)) != 0 : derivedBeyond[index - 64] { continue }
            switch fields[index].kind {
            case .integer, .level, .boolean: fields[index].payload = try reader.signedVarint()
            case .decimal: fields[index].payload = try reader.i64()
            case .text, .jsonEscaped, .structuredDataEscaped, .null, .json: break
            }
        }

        let line: [UInt8]
        if let given {
            guard given.count == lineCount else {
                throw StoreError(.corrupt, offset: 0, "head says \(lineCount) line bytes, the block has \(given.count)")
            }
            line = Array(given)
        } else {
            line = Array(try reader.bytes(lineCount))
        }
        if derivedMask != 0 || derivedBeyond.contains(true) {
            try Self.derivePayloads(&fields, mask: derivedMask, beyond: derivedBeyond, line: line, at: flagsAt)
        }
        return StoredEvent(
            timestamp: timestamp, timestampDigits: digits, issue: issue, truncatedBytes: truncatedBytes,
            source: source, file: file, line: line, fields: fields)
    }

    /// Fills the payloads marked derived (`mask` bits for fields 0..<64, `beyond` for the rest) by reading
    /// each value's text.
    private static func derivePayloads(
        _ fields: inout [StoredField], mask: UInt64, beyond: [Bool], line bytes: [UInt8], at offset: Int
    ) throws(StoreError) {
        let line = bytes.span
        for index in fields.indices
        where index < 64 ? mask & (1 << UInt64(index)) != 0 : beyond[index - 64] {
            let field = fields[index]
            // A derived flag on a kind without one is damage; `payload(_:reading:)` is nil for those.
            guard let derived = Self.payload(field.kind, reading: line.extracting(field.range)) else {
                throw StoreError(
                    .corrupt, offset: Int64(offset), "field \(index) does not read as its \(field.kind) payload")
            }
            fields[index].payload = derived
        }
    }

    // MARK: Pieces

    @inline(__always)
    private static func writeHeader(
        lineCount: Int, timestamp: Int64, digits: Int8, issue: ParseIssue?, truncatedBytes: Int64, source: UInt32,
        file: UInt32, timestampBase: Int64, into out: inout ByteWriter
    ) {
        let digits = min(max(digits, -1), 9)
        var flags = UInt8(digits + 1)
        var delta = timestamp &- timestampBase
        if digits >= 0 && digits <= 8 {
            let unit = Self.unit(digits: digits)
            if delta % unit == 0 {
                flags |= Self.scaledTimestamp
                delta /= unit
            }
        }
        if issue != nil { flags |= Self.hasIssue }
        if truncatedBytes != 0 { flags |= Self.hasTruncation }
        if file != StoredEvent.noFile { flags |= Self.hasFile }
        out.varint(lineCount)
        out.u8(flags)
        out.signedVarint(delta)
        if let issue {
            out.u8(issue.reason.rawValue)
            out.signedVarint(Int64(issue.column))
        }
        if truncatedBytes != 0 { out.varint(UInt64(bitPattern: truncatedBytes)) }
        out.varint(UInt64(source))
        if file != StoredEvent.noFile { out.varint(UInt64(file)) }
    }

    /// Writes the field count and the three field runs (names/kinds/starts, lengths, payloads).
    @inline(__always)
    private static func writeFields(_ fields: some RecordFields, line: Span<UInt8>, into out: inout ByteWriter) {
        let count = fields.count
        out.varint(count)
        var previousEnd = 0
        for index in 0..<count {
            let field = fields[index]
            let range = Self.clip(field.start, field.length, to: line.count)
            let derived = Self.payload(field.kind, reading: line.extracting(range)) == field.payload
            out.varint(UInt64(field.name))
            out.u8(derived ? field.kind.rawValue | Self.derivedPayload : field.kind.rawValue)
            out.signedVarint(Int64(range.lowerBound - previousEnd))
            previousEnd = range.upperBound
        }
        for index in 0..<count {
            let field = fields[index]
            out.varint(Self.clip(field.start, field.length, to: line.count).count)
        }
        for index in 0..<count {
            let field = fields[index]
            switch field.kind {
            case .integer, .level, .boolean, .decimal:
                let range = Self.clip(field.start, field.length, to: line.count)
                if Self.payload(field.kind, reading: line.extracting(range)) == field.payload { continue }
                if field.kind == .decimal {
                    out.i64(field.payload)
                } else {
                    out.signedVarint(field.payload)
                }
            case .text, .jsonEscaped, .structuredDataEscaped, .null, .json:
                continue
            }
        }
    }

    /// `start..<start + length` clipped to `0..<lineCount`: a record that decodes is worth more
    /// than a range no reader accepts.
    @inline(__always)
    private static func clip(_ start: Int, _ length: Int, to lineCount: Int) -> Range<Int> {
        let lower = min(max(start, 0), lineCount)
        let upper = min(max(start + max(length, 0), lower), lineCount)
        return lower..<upper
    }

    /// The payload a value of `kind` reads as from its text, for kinds whose payload can be read back.
    @inline(__always)
    private static func payload(_ kind: ValueKind, reading text: Span<UInt8>) -> Int64? {
        switch kind {
        case .integer: NumberScanner.integer(text)
        case .decimal: NumberScanner.decimal(text).map { Int64(bitPattern: $0.bitPattern) }
        case .level: Level(word: text).map { Int64($0.rawValue) }
        case .text, .jsonEscaped, .structuredDataEscaped, .null, .json, .boolean: nil
        }
    }

    /// Nanoseconds per unit of the last fraction digit: 10^(9 - digits), digits 0...9.
    @inline(__always)
    private static func unit(digits: Int8) -> Int64 {
        var unit: Int64 = 1
        for _ in 0..<(9 - Int(digits)) { unit &*= 10 }
        return unit
    }

    private static func readID(_ reader: inout ByteReader, limit: UInt64, what: StaticString) throws(StoreError)
        -> UInt32
    {
        let at = reader.offset
        let value = try reader.varint()
        guard value <= limit else {
            throw StoreError(.corrupt, offset: Int64(at), "\(what) id \(value) out of range")
        }
        return UInt32(value)
    }
}

/// The fields of one event as the encoder sees them, whichever form they come in.
private protocol RecordFields {
    var count: Int { get }
    /// Field `index`: its name id, kind, range relative to the line, payload.
    subscript(index: Int) -> (name: UInt32, kind: ValueKind, start: Int, length: Int, payload: Int64) { get }
}

private struct StoredFields: RecordFields {
    let fields: [StoredField]
    var count: Int { self.fields.count }
    subscript(index: Int) -> (name: UInt32, kind: ValueKind, start: Int, length: Int, payload: Int64) {
        let field = self.fields[index]
        return (field.name, field.kind, Int(field.start), Int(field.length), field.payload)
    }
}

private struct BatchFields: RecordFields {
    let fields: [FieldSlot]
    let range: Range<Int>
    let nameIDs: [UInt32]
    /// Offset of the line in the batch's bytes: batch ranges are absolute.
    let lineStart: Int
    var count: Int { self.range.count }
    subscript(index: Int) -> (name: UInt32, kind: ValueKind, start: Int, length: Int, payload: Int64) {
        let field = self.fields[self.range.lowerBound + index]
        let nameIndex = Int(field.name.rawValue)
        precondition(nameIndex < self.nameIDs.count, "field name \(field.name) has no entry in nameIDs")
        return (self.nameIDs[nameIndex], field.kind, Int(field.start) - self.lineStart, Int(field.length), field.payload)
    }
}
