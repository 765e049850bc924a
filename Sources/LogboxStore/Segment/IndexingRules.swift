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
    /// Distinct span terms a flushed segment makes at most, so that hostile values cannot make the
    /// query engine's per-segment span table big; values past it are indexed word by word.
    public static let maximumSpanTerms = 4096

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
