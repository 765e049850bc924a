/// How the bytes of a field value are to be read.
public enum ValueKind: UInt8, Sendable {
    /// Plain bytes, shown as they are.
    case text
    /// A JSON or logfmt string body (between the quotes) that may hold backslash escapes
    /// (`\"`, `\\`, `\/`, `\n`, `\t`, `\r`, `\b`, `\f`, `\uXXXX`); decoded only when read as a string.
    case jsonEscaped
    /// An RFC 5424 PARAM-VALUE body that may hold `\"`, `\\` and `\]`; other backslashes are literal.
    case structuredDataEscaped
    /// An integer; `payload` holds it.
    case integer
    /// A decimal number; `payload` holds its `Double` bit pattern.
    case decimal
    /// `true`/`false`; `payload` is 1 or 0.
    case boolean
    /// An explicit null (JSON `null`).
    case null
    /// JSON text kept as written (arrays).
    case json
    /// A normalized level; `payload` is `Level.rawValue`, the bytes are the word as written (may be empty).
    case level
}

/// One field of one event: a name, and a value as a byte range into the batch plus a typed payload.
///
/// 24 bytes, no heap object: a batch of 10,000 events keeps its fields in one array.
public struct FieldSlot: Sendable, Hashable {
    public var name: FieldID
    public var kind: ValueKind
    /// Byte offset of the value in `LineBatch.bytes`.
    public var start: Int32
    public var length: Int32
    public var payload: Int64

    @inlinable
    public init(name: FieldID, kind: ValueKind, start: Int32, length: Int32, payload: Int64 = 0) {
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
