/// How a field value reads, given its kind, its bytes as written and its payload: one definition
/// for events in a batch (`EventBatch`) and events read back from the store.
public enum FieldValueText {
    /// Appends the value's text: escapes decoded, numbers as written, a level as its normalized
    /// name, `true`/`false`/`null` for those kinds.
    public static func appendText(kind: ValueKind, raw: ArraySlice<UInt8>, payload: Int64, into out: inout [UInt8]) {
        switch kind {
        case .jsonEscaped: Escapes.decodeJSON(raw, into: &out)
        case .structuredDataEscaped: Escapes.decodeStructuredData(raw, into: &out)
        case .level:
            out.append(contentsOf: (Level(rawValue: UInt8(truncatingIfNeeded: payload))?.description ?? "").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .boolean: out.append(contentsOf: (payload != 0 ? "true" : "false").utf8)
        case .integer:
            // Numbers as written, unless the text is not the value: syslog's `severity` and
            // `facility` are computed from the PRI digits (`<12>` is facility 1, severity 4).
            if Self.readsAsInteger(raw, payload) {
                out.append(contentsOf: raw)
            } else {
                EventJSONWriter.appendInteger(payload, into: &out)
            }
        case .text, .decimal, .json: out.append(contentsOf: raw)
        }
    }

    /// Whether `raw` is the plain decimal spelling of `value` (an optional `-`, then digits).
    static func readsAsInteger(_ raw: ArraySlice<UInt8>, _ value: Int64) -> Bool {
        var digits = raw[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 19 else { return false }
        var magnitude: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
            magnitude = magnitude * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return negative ? value < 0 && value.magnitude == magnitude : value >= 0 && UInt64(value) == magnitude
    }

    /// The value's text as a `String` (invalid UTF-8 becomes U+FFFD). Allocates: for output only.
    public static func string(kind: ValueKind, raw: ArraySlice<UInt8>, payload: Int64) -> String {
        var text: [UInt8] = []
        self.appendText(kind: kind, raw: raw, payload: payload, into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the value as JSON: numbers, booleans and null bare, arrays as written, everything
    /// else a string (`EventJSONWriter.appendString`). `scratch` is reused for decoded escapes.
    public static func appendJSON(
        kind: ValueKind,
        raw: ArraySlice<UInt8>,
        payload: Int64,
        scratch: inout [UInt8],
        into out: inout [UInt8]
    ) {
        switch kind {
        case .integer:
            EventJSONWriter.appendInteger(payload, into: &out)
        case .decimal:
            // Swift's shortest round-trip form; infinities and NaN stay text as written.
            let value = Double(bitPattern: UInt64(bitPattern: payload))
            if value.isFinite {
                out.append(contentsOf: "\(value)".utf8)
            } else {
                EventJSONWriter.appendString(raw, into: &out)
            }
        case .boolean, .null:
            self.appendText(kind: kind, raw: raw, payload: payload, into: &out)
        case .json:
            // Arrays were validated by the JSON parser.
            out.append(contentsOf: raw)
        case .text:
            EventJSONWriter.appendString(raw, into: &out)
        case .level, .jsonEscaped, .structuredDataEscaped:
            scratch.removeAll(keepingCapacity: true)
            self.appendText(kind: kind, raw: raw, payload: payload, into: &scratch)
            EventJSONWriter.appendString(scratch[...], into: &out)
        }
    }
}
