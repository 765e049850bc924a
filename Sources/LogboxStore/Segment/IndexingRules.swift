public import LogboxCore

/// What the index makes of each field: defined once, used by the segment builder and the query planner.
///
/// - `message`: full-text terms from `Tokenizer` (lower-cased words), with positions for phrases.
/// - every other field: one exact term, the value as text — escapes decoded, numbers as written,
///   a level as its normalized name (`warning`) — cut to `maximumExactTermLength` bytes (counted).
/// - integers and decimals: also a numeric column, for ranges and statistics.
/// - text values up to `maximumKeywordLength` bytes: also a keyword (dictionary) column for
///   `stats … by (field)`; a field with more than `maximumKeywordValues` distinct values in a
///   segment loses its column (the term dictionary still has it).
/// - `source` and `file` (the input's name and path): exact terms and keyword columns.
/// - the event time (its own, else when it was received): the timestamp column. The fields that
///   carry it as text (`ts`, `time`, `timestamp`, `@timestamp`) stay in the stored event but get no
///   exact term: each value is unique, and time is queried by range through the column.
/// - at most `maximumFieldsPerSegment` distinct field names are indexed per segment; events keep
///   the rest in the doc store, and the count of skipped values is reported.
/// - message spans: where another field's value is a stretch of the message (an access line's
///   `user_agent`, `referrer`, `path`, `protocol`) whose value is frequent in the segment, its words
///   are indexed as one message term, `spanMarker` + the value as written, at the position of its
///   first word; the words after it keep their positions. A word's occurrences are then its own
///   postings plus those of every span term holding it, shifted by its place in the span: the
///   query engine takes that union, so phrases stay exact without reading the events. A user agent
///   of 22 words costs one doc id and one position per line instead of 22 of each.
/// - hashed fields: a field whose values in a flushed segment are nearly all distinct hex ids
///   (trace and span ids, UUIDs: `isHashedField`) keeps, instead of its terms, a 4-byte hash of
///   each (`termHash`) under the name `hashedFieldName(name)`. Random ids are incompressible, so
///   their text in the dictionary cost as much as in the doc store; the hash costs a fifth. A
///   lookup gives the docs whose value has that hash, and the query engine reads them to keep
///   those whose value is the one asked for; prefixes, patterns and ranges on such a field read
///   every event that has it. Merges copy the hashed terms as they are (same hash, same bytes), so
///   a merged segment may hold both forms of a field. Input field names starting with
///   `hashedFieldMarker` are reserved: their values are stored under `_`, unindexed.
public enum IndexingRules {
    public static let messageField = "message"
    public static let sourceField = "source"
    public static let fileField = "file"
    public static let maximumExactTermLength = 256
    public static let maximumKeywordLength = 128
    public static let maximumKeywordValues = 4096
    public static let maximumFieldsPerSegment = 1024
    public static let timeFields: Set<String> = ["ts", "time", "timestamp", "@timestamp"]
    /// First byte of a span term: never a word byte, so no word term starts with it, and span terms
    /// sort before every word.
    public static let spanMarker: UInt8 = 0x01
    /// A value becomes a span once this many docs of the segment have it (counting this one): a
    /// rarer value would cost a dictionary entry of its whole text for a few postings saved.
    public static let minimumSpanDocs: UInt32 = 8
    /// Span values are 2...`maximumSpanLength` bytes and at least 2 words long.
    public static let maximumSpanLength = 255
    /// Distinct span terms a flushed segment makes at most, and at most per field, so that the
    /// query engine's per-segment span table stays small (it is read once per open segment)
    /// whatever the values: past them, values are indexed word by word. The per-field cap keeps a field of many frequent values (client
    /// addresses) from crowding out the few that pay most (user agents, referrers).
    public static let maximumSpanTerms = 1024
    public static let maximumSpanTermsPerField = 256

    /// First byte of the name a hashed field's terms are kept under in the term dictionary.
    public static let hashedFieldMarker: Character = "\u{1}"
    /// A flushed segment hashes a field with at least this many distinct values, ...
    public static let hashedFieldMinimumTerms = 1024
    /// ... each at least this many bytes of hex digits and dashes (so never an address, a path or
    /// words, whose prefixes, ranges and CIDR blocks are queried), ...
    public static let hashedFieldMinimumLength = 16
    /// ... of which at most one in ten is in more than one event.
    public static let hashedFieldMaximumRepeatedShare = 0.1

    /// The dictionary field holding the hashed terms of `name`.
    public static func hashedFieldName(_ name: String) -> String { String(Self.hashedFieldMarker) + name }

    /// Whether a dictionary field name is a hashed field's (or an input name this build reserves).
    public static func isHashedFieldName(_ name: String) -> Bool { name.first == Self.hashedFieldMarker }

    /// Whether a field with `terms` distinct values, `repeated` of them in more than one event, the
    /// shortest `shortest` bytes long, and every byte of them a hex digit or a dash (`hexIDs`), is hashed.
    public static func isHashedField(terms: Int, repeated: Int, shortest: Int, hexIDs: Bool) -> Bool {
        terms >= Self.hashedFieldMinimumTerms && shortest >= Self.hashedFieldMinimumLength && hexIDs
            && Double(repeated) <= Double(terms) * Self.hashedFieldMaximumRepeatedShare
    }

    /// Whether `byte` may be part of a hashed field's value: 0-9, a-f, A-F or `-`.
    @inline(__always)
    public static func isHexIDByte(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10 || (byte | 0x20) &- 0x61 < 6 || byte == 0x2D
    }

    /// The hashed term of an exact term: FNV-1a 64 of its bytes, folded to 32 bits (high xor low),
    /// big-endian, so that hashed terms sort as the numbers do.
    public static func termHash(_ term: Span<UInt8>) -> [UInt8] {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in term.indices {
            hash ^= UInt64(term[i])
            hash &*= 0x0000_0100_0000_01B3
        }
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        return [
            UInt8(folded >> 24), UInt8(truncatingIfNeeded: folded >> 16), UInt8(truncatingIfNeeded: folded >> 8),
            UInt8(truncatingIfNeeded: folded),
        ]
    }

    /// Whether a message term is a span term (its words are `Tokenizer`'s of the bytes after the marker).
    @inline(__always)
    public static func isSpanTerm(_ term: some Collection<UInt8>) -> Bool {
        term.first == Self.spanMarker
    }

    /// Whether the exact term of a value of `kind` is its bytes as written (text, decimal, JSON), so an
    /// indexer can take it from the line without a copy (`exactTerm(asWritten:)`).
    public static func isTermAsWritten(_ kind: ValueKind) -> Bool {
        kind == .text || kind == .decimal || kind == .json
    }

    /// The exact term of a value whose kind `isTermAsWritten`: `raw` cut to `maximumExactTermLength`
    /// bytes, and whether it had to be cut. The same term `exactTerm(of:raw:payload:into:)` appends.
    @inline(__always)
    public static func exactTerm(asWritten raw: UnsafeBufferPointer<UInt8>) -> (
        term: UnsafeBufferPointer<UInt8>, truncated: Bool
    ) {
        guard raw.count > Self.maximumExactTermLength else { return (raw, false) }
        return (UnsafeBufferPointer(rebasing: raw[..<Self.maximumExactTermLength]), true)
    }

    /// Appends the exact term of a value, what `field:value` in a query is compared with, to `out`
    /// (expected empty); returns whether it had to be cut.
    @discardableResult
    public static func exactTerm(of kind: ValueKind, raw: ArraySlice<UInt8>, payload: Int64, into out: inout [UInt8])
        -> Bool
    {
        FieldValueText.appendText(kind: kind, raw: raw, payload: payload, into: &out)
        guard out.count > Self.maximumExactTermLength else { return false }
        out.removeSubrange(Self.maximumExactTermLength...)
        return true
    }
}
