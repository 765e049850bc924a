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
        case .text, .integer, .decimal, .json: out.append(contentsOf: raw)
        }
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
