public import LogboxCore

/// One event as the store keeps it: the raw line, values not in the line, its fields as byte
/// ranges into the two, and where it came from.
///
/// Field ranges are relative to `line ++ extra`: below `line.count` a value is text of the line,
/// from there on one of the `extra` values (what enrich steps add: a lookup result, a redaction
/// mark). `line` stays the raw line as received (or as a redaction rewrote it).
///
/// The decoded form of an `EventRecord`. Names and input names are small integers into tables the
/// owner (a segment or a WAL batch) keeps once, so an event carries no `String`. A `String` is made
/// only when a consumer asks (`string(_:)`, `json(names:sources:)`).
public struct StoredEvent: Sendable, Hashable {
    /// `file` of an event that came from no file (a network or stdin input).
    public static let noFile: UInt32 = .max

    /// Nanoseconds since the epoch; the receive time when the line carried none.
    public var timestamp: Int64
    /// Fraction digits the line's timestamp had (0...9), or -1 when the line had none and
    /// `timestamp` is the receive time.
    public var timestampDigits: Int8
    /// Why the line failed to parse or which bad byte it holds; nil for a clean line.
    public var issue: ParseIssue?
    /// Bytes cut from the end of an over-long line (0 for a whole line).
    public var truncatedBytes: Int64
    /// The input's name (`auth.log`), as an index into the owner's string table.
    public var source: UInt32
    /// The tailed or imported file's path, as an index into the same table; `noFile` for none.
    public var file: UInt32
    /// The line as received, without its terminator.
    public var line: [UInt8]
    /// Bytes of field values that are not in the line, back to back; ranges past `line.count` point here.
    public var extra: [UInt8]
    public var fields: [StoredField]

    public init(
        timestamp: Int64,
        timestampDigits: Int8 = -1,
        issue: ParseIssue? = nil,
        truncatedBytes: Int64 = 0,
        source: UInt32 = 0,
        file: UInt32 = StoredEvent.noFile,
        line: [UInt8],
        extra: [UInt8] = [],
        fields: [StoredField] = []
    ) {
        self.timestamp = timestamp
        self.timestampDigits = timestampDigits
        self.issue = issue
        self.truncatedBytes = truncatedBytes
        self.source = source
        self.file = file
        self.line = line
        self.extra = extra
        self.fields = fields
    }

    public var hasTimestamp: Bool { self.timestampDigits >= 0 }

    /// The first field whose name id is `name`.
    public func field(_ name: UInt32) -> StoredField? {
        self.fields.first { $0.name == name }
    }

    /// `line.count`: where the extra values start in the ranges of `fields`.
    public var lineLength: Int { self.line.count }

    /// The value's bytes as written in the line or in `extra` (escapes not decoded).
    ///
    /// A range that starts in the line is clipped to the line, one that starts past it to `extra`
    /// (a range across both, or outside both, is possible only in an event built by hand).
    public func rawBytes(_ field: StoredField) -> ArraySlice<UInt8> {
        let (inExtra, range) = self.rawLocation(field)
        return inExtra ? self.extra[range] : self.line[range]
    }

    /// Where `rawBytes(field)` lies: a range of `extra` (`inExtra`) or of `line`, so a caller that
    /// holds both as buffers reads the value without making an `ArraySlice` (and its retain).
    @inline(__always)
    func rawLocation(_ field: StoredField) -> (inExtra: Bool, range: Range<Int>) {
        let start = Int(field.start)
        let length = Int(max(field.length, 0))
        if start >= self.line.count && !self.extra.isEmpty {
            let lower = min(start - self.line.count, self.extra.count)
            let upper = min(lower + length, self.extra.count)
            return (true, lower..<upper)
        }
        let lower = min(max(start, 0), self.line.count)
        let upper = min(max(lower + length, lower), self.line.count)
        return (false, lower..<upper)
    }

    /// Appends the value's text (`FieldValueText`): escapes decoded, a level as its name.
    public func decodedBytes(_ field: StoredField, into out: inout [UInt8]) {
        FieldValueText.appendText(kind: field.kind, raw: self.rawBytes(field), payload: field.payload, into: &out)
    }

    /// The value as text: escapes decoded, numbers as written, a level as its normalized name,
    /// invalid UTF-8 replaced by U+FFFD. Allocates: for output, not for scanning.
    public func string(_ field: StoredField) -> String {
        FieldValueText.string(kind: field.kind, raw: self.rawBytes(field), payload: field.payload)
    }
}

/// One field of a stored event: a name id, and the value as a byte range into the event's line
/// (or its extra values) plus a typed payload (the same meaning as `FieldSlot`'s, with the range
/// relative to `line ++ extra`).
public struct StoredField: Sendable, Hashable {
    /// Index into the owner's field-name table.
    public var name: UInt32
    public var kind: ValueKind
    /// Offset of the value in `StoredEvent.line ++ StoredEvent.extra`.
    public var start: Int32
    public var length: Int32
    /// The integer, the `Double` bit pattern, the boolean (0/1) or `Level.rawValue`, by `kind`;
    /// 0 for text kinds.
    public var payload: Int64

    @inlinable
    public init(name: UInt32, kind: ValueKind, start: Int32, length: Int32, payload: Int64 = 0) {
        self.name = name
        self.kind = kind
        self.start = start
        self.length = length
        self.payload = payload
    }

    @inlinable
    public var range: Range<Int> { Int(self.start)..<Int(self.start) + Int(self.length) }

    /// The value as a number, when it was typed as one.
    @inlinable
    public var number: Double? {
        switch self.kind {
        case .integer: Double(self.payload)
        case .decimal: Double(bitPattern: UInt64(bitPattern: self.payload))
        default: nil
        }
    }
}
