import LogboxCore

extension StoredEvent {
    /// The event as one JSON object and a newline, in the shape `EventJSONWriter` gives a parsed event.
    ///
    /// `timestamp` first (RFC 3339 UTC, absent when the line had none), the fields in order, then
    /// `source` and `file` (skipped when a parsed field already has that key, so no key repeats),
    /// `truncated_bytes`, `raw` (when asked, and always for a failed line) and `parse_error`.
    /// `names` and `sources` are the owner's tables; an id past their end is written as `#id`
    /// rather than trapping.
    public func json(names: [String], sources: [String], includeRaw: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(self.line.count * 2 + 64)
        self.json(names: names, sources: sources, includeRaw: includeRaw, into: &out)
        return out
    }

    /// Appends what `json(names:sources:includeRaw:)` returns.
    public func json(names: [String], sources: [String], includeRaw: Bool = false, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: String, _ out: inout [UInt8]) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            EventJSONWriter.appendString(ArraySlice(name.utf8), into: &out)
            out.append(UInt8(ascii: ":"))
        }
        if self.hasTimestamp {
            key("timestamp", &out)
            out.append(UInt8(ascii: "\""))
            RFC3339.format(
                TimestampValue(nanoseconds: self.timestamp, fractionDigits: self.timestampDigits),
                into: &out
            )
            out.append(UInt8(ascii: "\""))
        }
        var hasSourceField = false
        var hasFileField = false
        var scratch: [UInt8] = []
        for field in self.fields {
            let name = Self.lookUp(field.name, in: names)
            if name == "source" { hasSourceField = true }
            if name == "file" { hasFileField = true }
            key(name, &out)
            self.appendValue(field, scratch: &scratch, into: &out)
        }
        if !hasSourceField {
            key("source", &out)
            EventJSONWriter.appendString(ArraySlice(Self.lookUp(self.source, in: sources).utf8), into: &out)
        }
        if self.file != Self.noFile && !hasFileField {
            key("file", &out)
            EventJSONWriter.appendString(ArraySlice(Self.lookUp(self.file, in: sources).utf8), into: &out)
        }
        if self.truncatedBytes > 0 {
            key("truncated_bytes", &out)
            EventJSONWriter.appendInteger(self.truncatedBytes, into: &out)
        }
        if includeRaw || self.issue != nil {
            key("raw", &out)
            EventJSONWriter.appendString(self.line[...], into: &out)
        }
        if let issue = self.issue {
            key("parse_error", &out)
            EventJSONWriter.appendString(ArraySlice(issue.description.utf8), into: &out)
        }
        out.append(UInt8(ascii: "}"))
        out.append(UInt8(ascii: "\n"))
    }

    private func appendValue(_ field: StoredField, scratch: inout [UInt8], into out: inout [UInt8]) {
        FieldValueText.appendJSON(
            kind: field.kind,
            raw: self.rawBytes(field),
            payload: field.payload,
            scratch: &scratch,
            into: &out
        )
    }

    private static func lookUp(_ id: UInt32, in table: [String]) -> String {
        Int(id) < table.count ? table[Int(id)] : "#\(id)"
    }
}
