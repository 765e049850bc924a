public import LogboxCore

/// The binary record of one event: what the doc store (and the WAL) keep per event.
///
/// Layout, version 2 (varints are unsigned LEB128, `zigzag` marks a zigzag-then-LEB128 signed varint):
/// ```
/// field            width     notes
/// line length      varint    length << 1 | bit 0: values not in the line follow it (`extra`)
/// extra length     varint    bytes of those values                  (only with bit 0)
/// timestamp        zigzag    timestamp - timestampBase (wrapping): the caller picks a base close by
/// flags            u8        bits 0-3: timestampDigits + 1 (0 = the line had no timestamp, 1...10 = 0...9 digits)
///                            bit 4: has issue, bit 5: has truncation, bit 6: has file,
///                            bit 7: the timestamp delta is in units of 10^(9 - digits) ns (digits 0...8)
/// issue.reason     u8        ParseIssue.Reason raw value            (only with bit 4)
/// issue.column     zigzag                                           (only with bit 4)
/// truncatedBytes   varint    its Int64 bit pattern                  (only with bit 5)
/// source           varint    index into the owner's string table (< 2^32)
/// file             varint    same table, < UInt32.max               (only with bit 6; otherwise none)
/// field count      varint
/// per field:       name      varint: index into the owner's field-name table (< 2^32)
///                  kind      u8: bits 0-4 ValueKind raw value;
///                            bit 5: the value starts where the previous field's starts (no start below);
///                            bit 6: the value has the previous field's range (no start, no end below);
///                            bit 7: the payload is what the value's text reads as (NumberScanner for
///                            integer and decimal, Level(word:) for level), not stored
///                  start     zigzag: start minus the previous field's end (before the first field: 0..<0)
///                  end       varint: 0 = the length is stored below; 1 = the value runs to the end of the
///                            bytes; 2 = it is empty; 3 + b = it ends at the first byte b at or after its start
/// per field with end 0, in field order:
///                  length    varint
/// per field with a stored payload (no kind bit 7), in field order:
///                  payload   zigzag for integer, level, boolean; u64 (LE) Double bit pattern for decimal;
///                            nothing for text, jsonEscaped, structuredDataEscaped, null, json (payload 0)
/// line             bytes     the raw line
/// extra            bytes     the values not in the line, back to back   (only with bit 0)
/// ```
/// Field ranges are relative to the record's *bytes*, `line ++ extra`: a value in the line is a
/// range below the line length, one that an enrich step added (not in the line) a range in `extra`.
/// Version 1 (docs and WAL payloads written before values outside the line existed) is the same
/// without bit 0 and `extra`: its first varint is the line length itself; `decode(version: 1)` reads it.
/// Everything before the line is the record's *head*. It is laid out for LZ4, which has no
/// entropy coder and gains only from repeats: the names, kinds, separators and end bytes of one
/// format repeat byte for byte from event to event and sit together; lengths a reader can find
/// again in the line (most values end at a space, quote or bracket) and payloads the text already
/// spells are not stored. A record is self-delimiting, and decoding checks every range and raw
/// value, so a damaged record throws `StoreError(.corrupt)` instead of trapping. Writers clip a
/// field range that falls outside its bytes and clamp timestamp digits to -1...9, so every record
/// written decodes (to the event given, ranges clipped).
public enum EventRecord {
    /// The layout `encode` writes.
    public static let formatVersion = 2
    /// The layouts `decode` reads.
    public static let readableVersions = 1...2
    private static let hasIssue: UInt8 = 0x10
    private static let hasTruncation: UInt8 = 0x20
    private static let hasFile: UInt8 = 0x40
    private static let scaledTimestamp: UInt8 = 0x80
    private static let kindMask: UInt8 = 0x1F
    private static let sameStart: UInt8 = 0x20
    private static let sameRange: UInt8 = 0x40
    private static let derivedPayload: UInt8 = 0x80
    /// End codes (see the layout); 3 + b: the value ends at the first byte b.
    private static let explicitEnd = 0
    private static let lineEnd = 1
    private static let emptyValue = 2
    private static let terminatorBase = 3
    /// In a field being decoded: `start` when it is the previous field's start; `length` (negated
    /// end code) when the range is the previous field's.
    private static let startSentinel = Int32.min
    private static let rangeSentinel: Int32 = -1000

    /// Appends the record of `event`, its timestamp stored as a delta from `timestampBase`.
    public static func encode(_ event: StoredEvent, timestampBase: Int64, into out: inout ByteWriter) {
        Self.encodeHead(event, timestampBase: timestampBase, into: &out)
        out.bytes.append(contentsOf: event.line)
        out.bytes.append(contentsOf: event.extra)
    }

    /// Appends the record of event `index` of `batch`, reading the batch directly.
    ///
    /// The ingest path: no `StoredEvent` is built and nothing is allocated beyond `out`'s growth.
    /// Field ranges, absolute in `batch.lines.bytes`, are stored relative to the line; a non-empty
    /// value outside the event's line (one `EventBatch.appendValue` wrote) is stored as an extra
    /// value of the record (that event alone allocates a scratch buffer). An event without a
    /// timestamp gets `receivedAt`, marked as such (digits -1).
    /// - Parameters:
    ///   - nameIDs: the owner's name id for each `FieldID.rawValue` the batch uses.
    ///   - source: the owner's id for the input's name; `file` likewise, or `StoredEvent.noFile`.
    /// - Complexity: O(line length + fields).
    public static func encode(
        batch: EventBatch,
        event index: Int,
        nameIDs: [UInt32],
        source: UInt32,
        file: UInt32,
        receivedAt: Int64,
        timestampBase: Int64,
        into out: inout ByteWriter
    ) {
        let slot = batch.lines.slots[Int(batch.events[index].line)]
        if Self.hasValuesOutsideLine(batch: batch, event: index, line: slot.range) {
            Self.encodeWithExtra(
                batch: batch,
                event: index,
                nameIDs: nameIDs,
                source: source,
                file: file,
                receivedAt: receivedAt,
                timestampBase: timestampBase,
                into: &out
            )
            return
        }
        Self.encodeHead(
            batch: batch,
            event: index,
            nameIDs: nameIDs,
            source: source,
            file: file,
            receivedAt: receivedAt,
            timestampBase: timestampBase,
            into: &out
        )
        out.bytes.append(contentsOf: batch.lines.bytes[slot.range])
    }

    /// Whether a field of event `index` has bytes outside `line` (absolute in the batch).
    @inline(__always)
    private static func hasValuesOutsideLine(batch: EventBatch, event index: Int, line: Range<Int>) -> Bool {
        for field in batch.fields[batch.events[index].fieldRange] where field.length > 0 {
            if Int(field.start) < line.lowerBound || Int(field.start) + Int(field.length) > line.upperBound {
                return true
            }
        }
        return false
    }

    /// The record of an event with values outside its line: they are copied behind the line
    /// (ranges clipped to the batch's bytes; a value repeating the previous copied range is copied once).
    private static func encodeWithExtra(
        batch: EventBatch,
        event index: Int,
        nameIDs: [UInt32],
        source: UInt32,
        file: UInt32,
        receivedAt: Int64,
        timestampBase: Int64,
        into out: inout ByteWriter
    ) {
        let event = batch.events[index]
        let slot = batch.lines.slots[Int(event.line)]
        let line = slot.range
        let total = batch.lines.bytes.count
        var bytes = Array(batch.lines.bytes[line])
        var fields: [(name: UInt32, kind: ValueKind, start: Int, length: Int, payload: Int64)] = []
        fields.reserveCapacity(event.fieldRange.count)
        var lastCopied: (source: Range<Int>, at: Int)?
        for field in batch.fields[event.fieldRange] {
            let nameIndex = Int(field.name.rawValue)
            precondition(nameIndex < nameIDs.count, "field name \(field.name) has no entry in nameIDs")
            let start = Int(field.start)
            let length = Int(field.length)
            if length <= 0 || (start >= line.lowerBound && start + length <= line.upperBound) {
                fields.append((nameIDs[nameIndex], field.kind, start - line.lowerBound, length, field.payload))
                continue
            }
            let lower = min(max(start, 0), total)
            let upper = min(max(start + length, lower), total)
            let at: Int
            if let lastCopied, lastCopied.source == lower..<upper {
                at = lastCopied.at
            } else {
                at = bytes.count
                bytes.append(contentsOf: batch.lines.bytes[lower..<upper])
                lastCopied = (lower..<upper, at)
            }
            fields.append((nameIDs[nameIndex], field.kind, at, upper - lower, field.payload))
        }
        Self.writeHeader(
            lineCount: line.count,
            extraCount: bytes.count - line.count,
            timestamp: event.hasTimestamp ? event.timestamp : receivedAt,
            digits: event.timestampDigits,
            issue: event.issue,
            truncatedBytes: slot.truncatedBytes,
            source: source,
            file: file,
            timestampBase: timestampBase,
            into: &out
        )
        Self.writeFields(ListFields(fields: fields), line: bytes.span, into: &out)
        out.bytes.append(contentsOf: bytes)
    }

    /// The timestamp `encode(batch:…)` stores for event `index`: its own, or `receivedAt`.
    @inlinable
    public static func timestamp(of index: Int, in batch: EventBatch, receivedAt: Int64) -> Int64 {
        let event = batch.events[index]
        return event.hasTimestamp ? event.timestamp : receivedAt
    }

    /// Reads one record written with the same `timestampBase`, in layout `version` (1 or 2).
    /// - Throws: `StoreError(.corrupt)` with the offset in `reader` when a length runs past the end,
    ///   a raw value is unknown, a field range leaves the bytes or a derived payload does not read.
    public static func decode(
        _ reader: inout ByteReader,
        timestampBase: Int64,
        version: Int = EventRecord.formatVersion
    ) throws(StoreError) -> StoredEvent {
        var event = StoredEvent(timestamp: 0, line: [])
        try Self.decode(&reader, timestampBase: timestampBase, version: version, into: &event)
        return event
    }

    /// Reads one record as `decode(_:timestampBase:version:)` does, into `event`, reusing the
    /// capacity of its `line`, `extra` and `fields`: a loop over many records allocates nothing
    /// once they have grown. Every property of `event` is replaced.
    /// - Throws: as `decode(_:timestampBase:version:)`; `event` then holds unspecified values.
    /// - Complexity: O(record length).
    public static func decode(
        _ reader: inout ByteReader,
        timestampBase: Int64,
        version: Int = EventRecord.formatVersion,
        into event: inout StoredEvent
    ) throws(StoreError) {
        let recordAt = reader.offset
        let (lineLength, extraLength) = try Self.readLengths(&reader, version: version)
        let lineCount = lineLength + extraLength
        let (timestamp, flags) = try Self.readTimestamp(&reader, timestampBase: timestampBase)
        let digits = Int8(flags & 0x0F) - 1
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

        // Every field takes at least 2 bytes: a count beyond that is damage, not a reason to reserve memory.
        let fieldCount = try reader.count(limit: reader.remaining / 2)
        event.fields.removeAll(keepingCapacity: true)
        event.fields.reserveCapacity(fieldCount)
        // Which payloads are read from the text once the line is there (a mask, then a list past 64 fields).
        var derivedMask: UInt64 = 0
        var derivedBeyond = [Bool](repeating: false, count: max(fieldCount - 64, 0))
        // Names, kinds, start deltas and end codes; until the ranges are resolved, `start` holds the
        // delta (or `startSentinel`) and `length` minus the end code (or `rangeSentinel`).
        for index in 0..<fieldCount {
            let name = try Self.readID(&reader, limit: UInt64(UInt32.max), what: "field name")
            let kindAt = reader.offset
            let kindByte = try reader.u8()
            guard let kind = ValueKind(rawValue: kindByte & Self.kindMask) else {
                throw StoreError(.corrupt, offset: Int64(kindAt), "unknown value kind \(kindByte)")
            }
            var start = Self.startSentinel
            var length = Self.rangeSentinel
            if kindByte & Self.sameRange == 0 {
                if kindByte & Self.sameStart == 0 {
                    let deltaAt = reader.offset
                    let startDelta = try reader.signedVarint()
                    guard startDelta >= -Int64(lineCount), startDelta <= Int64(lineCount) else {
                        throw StoreError(
                            .corrupt,
                            offset: Int64(deltaAt),
                            "field start \(startDelta) away from a line of \(lineCount)"
                        )
                    }
                    start = Int32(startDelta)
                }
                let endAt = reader.offset
                let endCode = try reader.varint()
                guard endCode <= UInt64(Self.terminatorBase + 255) else {
                    throw StoreError(.corrupt, offset: Int64(endAt), "bad field end code \(endCode)")
                }
                length = -Int32(endCode)
            }
            if kindByte & Self.derivedPayload != 0 {
                if index < 64 { derivedMask |= 1 << UInt64(index) } else { derivedBeyond[index - 64] = true }
            }
            event.fields.append(StoredField(name: name, kind: kind, start: start, length: length))
        }
        for index in 0..<fieldCount where event.fields[index].length == 0 {
            event.fields[index].length = Int32(try reader.count(limit: lineCount))
        }
        for index in 0..<fieldCount {
            if index < 64 ? derivedMask & (1 << UInt64(index)) != 0 : derivedBeyond[index - 64] { continue }
            switch event.fields[index].kind {
            case .integer, .level, .boolean: event.fields[index].payload = try reader.signedVarint()
            case .decimal: event.fields[index].payload = try reader.i64()
            case .text, .jsonEscaped, .structuredDataEscaped, .null, .json: break
            }
        }

        let bytes = try reader.bytes(lineCount)
        try Self.resolve(&event.fields, derived: derivedMask, beyond: derivedBeyond, line: bytes.span, at: recordAt)
        event.line.removeAll(keepingCapacity: true)
        event.extra.removeAll(keepingCapacity: true)
        bytes.withUnsafeBufferPointer { bytes in
            // In bounds: `readLengths` checked that the line and the extra values fit the record.
            event.line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<lineLength]))
            if extraLength > 0 { event.extra.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineLength...])) }
        }
        event.timestamp = timestamp
        event.timestampDigits = digits
        event.issue = issue
        event.truncatedBytes = truncatedBytes
        event.source = source
        event.file = file
    }

    /// The line and extra lengths at the start of a record of layout `version`.
    @inline(__always)
    private static func readLengths(_ reader: inout ByteReader, version: Int) throws(StoreError)
        -> (line: Int, extra: Int)
    {
        guard version == 2 else {
            guard version == 1 else {
                throw StoreError(.corrupt, offset: Int64(reader.offset), "event record layout \(version) is unknown")
            }
            return (try reader.count(), 0)
        }
        let at = reader.offset
        let code = try reader.varint()
        guard code >> 1 <= UInt64(reader.remaining) else {
            throw StoreError(.corrupt, offset: Int64(at), "line of \(code >> 1) bytes, \(reader.remaining) left")
        }
        let line = Int(code >> 1)
        guard code & 1 != 0 else { return (line, 0) }
        let extra = try reader.count()
        guard extra > 0, extra <= reader.remaining - line else {
            throw StoreError(.corrupt, offset: Int64(at), "extra values of \(extra) bytes do not fit the record")
        }
        return (line, extra)
    }

    /// Bytes of the line and extra values at the end of `record`, a whole record of the current
    /// layout that `encode` wrote: the rest is its head.
    static func tailLength(_ record: [UInt8]) -> Int {
        // Read in place (`Span+Varint`): a `ByteReader` would copy the record.
        let bytes = record.span
        var offset = 0
        do throws(StoreError) {
            let code = try bytes.varint(at: &offset)
            let extra = code & 1 == 0 ? 0 : try bytes.varint(at: &offset)
            return Int(code >> 1) + Int(extra)
        } catch {
            preconditionFailure("a record encode wrote has no lengths: \(error)")
        }
    }

    /// The timestamp of the record at the start of `reader`, reading only its first fields.
    ///
    /// Lets the doc store chain records (each one's base is the timestamp before it) without
    /// decoding them.
    static func timestamp(
        ofRecord reader: inout ByteReader,
        timestampBase: Int64,
        version: Int = EventRecord.formatVersion
    )
        throws(StoreError) -> Int64
    {
        if try reader.varint() & 1 != 0 && version >= 2 { _ = try reader.varint() }
        return try Self.readTimestamp(&reader, timestampBase: timestampBase).timestamp
    }

    /// Reads the timestamp delta and the flags after it; checks the digits and the scale bit.
    private static func readTimestamp(_ reader: inout ByteReader, timestampBase: Int64) throws(StoreError)
        -> (timestamp: Int64, flags: UInt8)
    {
        var delta = try reader.signedVarint()
        let flagsAt = reader.offset
        let flags = try reader.u8()
        let digitsCode = flags & 0x0F
        guard digitsCode <= 10, flags & Self.scaledTimestamp == 0 || (1...9).contains(digitsCode) else {
            throw StoreError(.corrupt, offset: Int64(flagsAt), "bad record flags 0x\(String(flags, radix: 16))")
        }
        if flags & Self.scaledTimestamp != 0 { delta = delta &* Self.unit(digits: Int8(digitsCode) - 1) }
        return (timestampBase &+ delta, flags)
    }

    /// Turns start deltas and end codes into ranges, checking each lies in the line, then reads the
    /// payloads marked derived (`mask` bits for fields 0..<64, `beyond` for the rest) from the text.
    private static func resolve(
        _ fields: inout [StoredField],
        derived mask: UInt64,
        beyond: [Bool],
        line: Span<UInt8>,
        at offset: Int
    ) throws(StoreError) {
        var previousStart = 0
        var previousEnd = 0
        for index in fields.indices {
            let field = fields[index]
            var start = previousStart
            var end = previousEnd
            if field.length != Self.rangeSentinel {
                if field.start != Self.startSentinel { start = previousEnd + Int(field.start) }
                guard start >= 0, start <= line.count else {
                    throw StoreError(
                        .corrupt,
                        offset: Int64(offset),
                        "field \(index) starts at \(start), outside the line"
                    )
                }
                let code = -Int(field.length)
                if code <= 0 {
                    // An explicit length, already read (and at most the line's length).
                    end = start - code
                    guard end <= line.count else {
                        throw StoreError(
                            .corrupt,
                            offset: Int64(offset),
                            "field \(index) ends at \(end), outside the line"
                        )
                    }
                } else if code == Self.lineEnd {
                    end = line.count
                } else if code == Self.emptyValue {
                    end = start
                } else {
                    let terminator = UInt8(code - Self.terminatorBase)
                    end = start
                    while end < line.count, line[end] != terminator { end += 1 }
                    guard end < line.count else {
                        throw StoreError(
                            .corrupt,
                            offset: Int64(offset),
                            "field \(index) has no end byte \(terminator)"
                        )
                    }
                }
            }
            fields[index].start = Int32(start)
            fields[index].length = Int32(end - start)
            previousStart = start
            previousEnd = end
            guard index < 64 ? mask & (1 << UInt64(index)) != 0 : beyond[index - 64] else { continue }
            // A derived flag on a kind without one is damage; `payload(_:reading:)` is nil for those.
            guard let derived = Self.payload(field.kind, reading: line.extracting(start..<end)) else {
                throw StoreError(
                    .corrupt,
                    offset: Int64(offset),
                    "field \(index) does not read as its \(field.kind) payload"
                )
            }
            fields[index].payload = derived
        }
    }

    // MARK: Pieces

    /// Appends the head of `event`'s record: everything but the line bytes.
    private static func encodeHead(_ event: StoredEvent, timestampBase: Int64, into out: inout ByteWriter) {
        Self.writeHeader(
            lineCount: event.line.count,
            extraCount: event.extra.count,
            timestamp: event.timestamp,
            digits: event.timestampDigits,
            issue: event.issue,
            truncatedBytes: event.truncatedBytes,
            source: event.source,
            file: event.file,
            timestampBase: timestampBase,
            into: &out
        )
        if event.extra.isEmpty {
            Self.writeFields(StoredFields(fields: event.fields), line: event.line.span, into: &out)
        } else {
            let bytes = event.line + event.extra
            Self.writeFields(StoredFields(fields: event.fields), line: bytes.span, into: &out)
        }
    }

    /// Appends the head of the record of event `index` of `batch`.
    private static func encodeHead(
        batch: EventBatch,
        event index: Int,
        nameIDs: [UInt32],
        source: UInt32,
        file: UInt32,
        receivedAt: Int64,
        timestampBase: Int64,
        into out: inout ByteWriter
    ) {
        let event = batch.events[index]
        let slot = batch.lines.slots[Int(event.line)]
        Self.writeHeader(
            lineCount: Int(slot.length),
            extraCount: 0,
            timestamp: event.hasTimestamp ? event.timestamp : receivedAt,
            digits: event.timestampDigits,
            issue: event.issue,
            truncatedBytes: slot.truncatedBytes,
            source: source,
            file: file,
            timestampBase: timestampBase,
            into: &out
        )
        Self.writeFields(
            BatchFields(
                fields: batch.fields,
                range: event.fieldRange,
                nameIDs: nameIDs,
                lineStart: Int(slot.offset)
            ),
            line: batch.lines.bytes.span.extracting(slot.range),
            into: &out
        )
    }

    @inline(__always)
    private static func writeHeader(
        lineCount: Int,
        extraCount: Int,
        timestamp: Int64,
        digits: Int8,
        issue: ParseIssue?,
        truncatedBytes: Int64,
        source: UInt32,
        file: UInt32,
        timestampBase: Int64,
        into out: inout ByteWriter
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
        if extraCount > 0 {
            out.varint(UInt64(lineCount) << 1 | 1)
            out.varint(extraCount)
        } else {
            out.varint(UInt64(lineCount) << 1)
        }
        out.signedVarint(delta)
        out.u8(flags)
        if let issue {
            out.u8(issue.reason.rawValue)
            out.signedVarint(Int64(issue.column))
        }
        if truncatedBytes != 0 { out.varint(UInt64(bitPattern: truncatedBytes)) }
        out.varint(UInt64(source))
        if file != StoredEvent.noFile { out.varint(UInt64(file)) }
    }

    /// Writes the field count and the three field runs (shapes, explicit lengths, stored payloads).
    @inline(__always)
    private static func writeFields(_ fields: some RecordFields, line: Span<UInt8>, into out: inout ByteWriter) {
        let count = fields.count
        out.varint(count)
        // What the first pass learns for the next two (fields past 64 are worked out again).
        var explicitMask: UInt64 = 0
        var derivedMask: UInt64 = 0
        var previous = 0..<0
        for index in 0..<count {
            let field = fields[index]
            let range = Self.clip(field.start, field.length, to: line.count)
            let derived = Self.payload(field.kind, reading: line.extracting(range)) == field.payload
            var kindByte = field.kind.rawValue
            if derived { kindByte |= Self.derivedPayload }
            if range == previous {
                out.varint(UInt64(field.name))
                out.u8(kindByte | Self.sameRange)
            } else {
                let endCode = Self.endCode(range, in: line)
                if range.lowerBound == previous.lowerBound { kindByte |= Self.sameStart }
                out.varint(UInt64(field.name))
                out.u8(kindByte)
                if range.lowerBound != previous.lowerBound {
                    out.signedVarint(Int64(range.lowerBound - previous.upperBound))
                }
                out.varint(endCode)
                if index < 64 && endCode == Self.explicitEnd { explicitMask |= 1 << UInt64(index) }
            }
            if index < 64 && derived { derivedMask |= 1 << UInt64(index) }
            previous = range
        }
        for index in 0..<count {
            let explicit: Bool
            if index < 64 {
                explicit = explicitMask & (1 << UInt64(index)) != 0
            } else {
                let field = fields[index]
                let range = Self.clip(field.start, field.length, to: line.count)
                let before = fields[index - 1]
                explicit =
                    range != Self.clip(before.start, before.length, to: line.count)
                    && Self.endCode(range, in: line) == Self.explicitEnd
            }
            if explicit {
                let field = fields[index]
                out.varint(Self.clip(field.start, field.length, to: line.count).count)
            }
        }
        for index in 0..<count {
            let field = fields[index]
            switch field.kind {
            case .integer, .level, .boolean, .decimal:
                let derived =
                    index < 64
                    ? derivedMask & (1 << UInt64(index)) != 0
                    : Self.payload(
                        field.kind,
                        reading: line.extracting(Self.clip(field.start, field.length, to: line.count))
                    )
                        == field.payload
                if derived { continue }
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

    /// How a reader finds where a value ends (the end codes of the layout).
    /// - Complexity: O(value length).
    @inline(__always)
    private static func endCode(_ range: Range<Int>, in line: Span<UInt8>) -> Int {
        guard range.upperBound < line.count else { return Self.lineEnd }
        guard !range.isEmpty else { return Self.emptyValue }
        let terminator = line[range.upperBound]
        for index in range where line[index] == terminator { return Self.explicitEnd }
        return Self.terminatorBase + Int(terminator)
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

private struct ListFields: RecordFields {
    let fields: [(name: UInt32, kind: ValueKind, start: Int, length: Int, payload: Int64)]
    var count: Int { self.fields.count }
    subscript(index: Int) -> (name: UInt32, kind: ValueKind, start: Int, length: Int, payload: Int64) {
        self.fields[index]
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
        return (
            self.nameIDs[nameIndex], field.kind, Int(field.start) - self.lineStart, Int(field.length), field.payload
        )
    }
}
