/// Writes events as one JSON object per line, the machine-readable output of every command.
///
/// DESIGN.md's conventions: flat dotted keys; `timestamp` first, as RFC 3339 UTC text with the
/// fraction digits the line had, absent when the line carried none; numbers as JSON numbers; the
/// line under `raw` when asked, and `parse_error` with the reason and column for a failed line.
/// Bytes that are not valid UTF-8 become the four characters `\xNN` (written `\\xNN` in JSON), so
/// nothing is lost and the output stays valid JSON.
public struct EventJSONWriter: Sendable {
    /// Whether to add the whole line under `raw` for every event (failed ones always get it).
    public var includeRaw: Bool
    /// Extra fields that every event of the batch gets (`source`, `file`), written after the parsed ones.
    public var extraFields: [(key: String, value: String)]

    private var scratch: [UInt8] = []

    public init(includeRaw: Bool = false, extraFields: [(key: String, value: String)] = []) {
        self.includeRaw = includeRaw
        self.extraFields = extraFields
    }

    /// Appends event `index` of `batch` to `out`, followed by a newline.
    public mutating func write(event index: Int, of batch: EventBatch, into out: inout [UInt8]) {
        let event = batch.events[index]
        let line = batch.lineSlot(of: index)
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: ArraySlice<UInt8>, _ out: inout [UInt8]) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            Self.appendString(name, into: &out)
            out.append(UInt8(ascii: ":"))
        }
        if event.hasTimestamp {
            key(Self.timestampKey[...], &out)
            out.append(UInt8(ascii: "\""))
            RFC3339.format(
                TimestampValue(nanoseconds: event.timestamp, fractionDigits: event.timestampDigits),
                into: &out
            )
            out.append(UInt8(ascii: "\""))
        }
        for field in batch.fields(of: index) {
            key(batch.names.nameBytes(field.name), &out)
            self.appendValue(field, of: batch, into: &out)
        }
        for extra in self.extraFields {
            key(ArraySlice(extra.key.utf8), &out)
            Self.appendString(ArraySlice(extra.value.utf8), into: &out)
        }
        if line.truncatedBytes > 0 {
            key(Self.truncatedKey[...], &out)
            Self.appendInteger(line.truncatedBytes, into: &out)
        }
        if self.includeRaw || event.issue != nil {
            key(Self.rawKey[...], &out)
            Self.appendString(batch.lines.bytes[line.range], into: &out)
        }
        if let issue = event.issue {
            key(Self.parseErrorKey[...], &out)
            Self.appendString(ArraySlice(issue.description.utf8), into: &out)
        }
        out.append(UInt8(ascii: "}"))
        out.append(UInt8(ascii: "\n"))
    }

    private mutating func appendValue(_ field: FieldSlot, of batch: EventBatch, into out: inout [UInt8]) {
        FieldValueText.appendJSON(
            kind: field.kind,
            raw: batch.rawBytes(field),
            payload: field.payload,
            scratch: &self.scratch,
            into: &out
        )
    }

    private static let timestampKey = Array("timestamp".utf8)
    private static let rawKey = Array("raw".utf8)
    private static let parseErrorKey = Array("parse_error".utf8)
    private static let truncatedKey = Array("truncated_bytes".utf8)

    public static func appendInteger(_ value: Int64, into out: inout [UInt8]) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of stack for up to 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var n = 0
            while magnitude > 0 {
                buffer[n] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            }
            return n
        }
        withUnsafeBytes(of: &digits) { buffer in
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[i]) }
        }
    }

    /// Appends `bytes` as a JSON string: quotes, escapes, and `\\xNN` for bytes that are not UTF-8.
    public static func appendString(_ bytes: ArraySlice<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                let byte = buffer[i]
                if byte >= 0x80 {
                    let length = ByteCheck.sequenceLength(buffer, i)
                    if length == 0 {
                        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
                        out.append(hexDigits[Int(byte >> 4)])
                        out.append(hexDigits[Int(byte & 0x0F)])
                        i += 1
                    } else {
                        for j in i..<i + length { out.append(buffer[j]) }
                        i += length
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0..<0x20, 0x7F:
                    out.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    ])
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                default: out.append(byte)
                }
                i += 1
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
