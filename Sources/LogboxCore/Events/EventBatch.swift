/// One parsed event: which line it came from and which run of `EventBatch.fields` is its own.
public struct EventSlot: Sendable, Hashable {
    /// Index of the line in `EventBatch.lines.slots`.
    public var line: Int32
    public var fieldStart: Int32
    public var fieldCount: Int32
    /// Nanoseconds since the epoch; meaningful only when `timestampDigits >= 0`.
    public var timestamp: Int64
    /// Fraction digits the timestamp had in the text (0...9), or -1 when the line carried none.
    public var timestampDigits: Int8
    /// Set when the line failed to parse or holds bad bytes.
    public var issue: ParseIssue?

    public var hasTimestamp: Bool { self.timestampDigits >= 0 }
    public var fieldRange: Range<Int> { Int(self.fieldStart)..<Int(self.fieldStart) + Int(self.fieldCount) }
}

/// The parsed form of a `LineBatch`: per line one event, its fields as byte ranges into the lines.
///
/// Parsers append to it through the `begin`/`append`/`finish` calls below while the driver reads
/// the line bytes; values stay bytes until a consumer asks for a `String` (`string(_:)`).
/// Call order for each line: `beginEvent(line:)`, any number of `append…`/`setTimestamp`, then
/// `finishEvent(issue:)`. Ranges given to `append…` are relative to the line's first byte.
public struct EventBatch: Sendable {
    public var lines: LineBatch
    public var events: [EventSlot] = []
    public var fields: [FieldSlot] = []
    public var names: FieldNameTable

    /// Offset of the current line in `lines.bytes`; added to line-relative ranges.
    public private(set) var lineBase: Int = 0
    private var current = EventSlot(line: 0, fieldStart: 0, fieldCount: 0, timestamp: 0, timestampDigits: -1)

    public init(lines: LineBatch = LineBatch(), names: FieldNameTable = FieldNameTable()) {
        self.lines = lines
        self.names = names
    }

    public var count: Int { self.events.count }

    /// Empties the batch for reuse, keeping the capacity of its events and fields and its interned names.
    public mutating func removeAll() {
        // The lines are not cleared in place: their storage is usually shared with the caller's
        // `LineBatch`, and clearing would copy it only to be replaced by the next batch.
        self.lines = LineBatch()
        self.events.removeAll(keepingCapacity: true)
        self.fields.removeAll(keepingCapacity: true)
    }

    // MARK: Building

    public mutating func beginEvent(line: Int) {
        self.lineBase = Int(self.lines.slots[line].offset)
        self.current = EventSlot(
            line: Int32(line),
            fieldStart: Int32(self.fields.count),
            fieldCount: 0,
            timestamp: 0,
            timestampDigits: -1
        )
    }

    /// Appends a field of the current event; `range` is relative to the line.
    @inlinable
    public mutating func append(_ name: FieldID, _ kind: ValueKind, _ range: Range<Int>, payload: Int64 = 0) {
        self.fields.append(
            FieldSlot(
                name: name,
                kind: kind,
                start: Int32(truncatingIfNeeded: self.lineBase + range.lowerBound),
                length: Int32(truncatingIfNeeded: range.count),
                payload: payload
            )
        )
    }

    /// Appends `range` as a number when it reads as one (DESIGN.md: an integer without leading zeros
    /// that fits in 64 bits, or a decimal), as text otherwise. `line` is the current line's bytes.
    public mutating func appendTyped(_ name: FieldID, _ range: Range<Int>, in line: Span<UInt8>) {
        let value = line.extracting(range)
        if let integer = NumberScanner.integer(value) {
            self.append(name, .integer, range, payload: integer)
        } else if let decimal = NumberScanner.decimal(value) {
            self.append(name, .decimal, range, payload: Int64(bitPattern: decimal.bitPattern))
        } else {
            self.append(name, .text, range)
        }
    }

    public mutating func setTimestamp(_ value: TimestampValue) {
        self.current.timestamp = value.nanoseconds
        self.current.timestampDigits = value.fractionDigits
    }

    /// Whether the current event already has a timestamp (a parser takes the first one it finds).
    public var currentHasTimestamp: Bool { self.current.timestampDigits >= 0 }

    /// Number of fields appended to the current event so far.
    public var currentFieldCount: Int { self.fields.count - Int(self.current.fieldStart) }

    /// Drops the fields and timestamp appended to the current event (a failed parse keeps nothing partial).
    public mutating func discardCurrentFields() {
        self.fields.removeSubrange(Int(self.current.fieldStart)...)
        self.current.timestampDigits = -1
    }

    public mutating func finishEvent(issue: ParseIssue? = nil) {
        self.current.fieldCount = Int32(self.fields.count) - self.current.fieldStart
        self.current.issue = issue
        self.events.append(self.current)
    }

    // MARK: Reading

    public func fields(of event: Int) -> ArraySlice<FieldSlot> { self.fields[self.events[event].fieldRange] }

    public func lineSlot(of event: Int) -> LineSlot { self.lines.slots[Int(self.events[event].line)] }

    /// The first field named `name` of `event`.
    public func field(_ name: FieldID, of event: Int) -> FieldSlot? {
        self.fields(of: event).first { $0.name == name }
    }

    /// The value's bytes as written in the line (escapes not decoded).
    public func rawBytes(_ field: FieldSlot) -> ArraySlice<UInt8> { self.lines.bytes[field.range] }

    /// The value as text: escapes decoded, numbers as written, a level as its normalized name,
    /// invalid UTF-8 replaced by U+FFFD. Allocates: not for the hot path.
    public func string(_ field: FieldSlot) -> String {
        FieldValueText.string(kind: field.kind, raw: self.rawBytes(field), payload: field.payload)
    }

    /// Appends the value's bytes with escapes decoded.
    public func decodedBytes(_ field: FieldSlot, into out: inout [UInt8]) {
        FieldValueText.appendText(kind: field.kind, raw: self.rawBytes(field), payload: field.payload, into: &out)
    }
}
