/// A field name interned into a small integer, so events carry 4 bytes per name instead of a string.
///
/// The names of DESIGN.md have fixed ids (the static members below), the same in every process;
/// other names get the next free id of the `FieldNameTable` that interned them.
public struct FieldID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: UInt32

    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable
    public static func < (lhs: FieldID, rhs: FieldID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "FieldID(\(self.rawValue))" }
}

extension FieldID {
    /// The well-known names, in id order. Never reorder: ids are stable across releases.
    public static let wellKnownNames: [String] = [
        "timestamp", "message", "source", "host", "level", "file", "peer",
        "facility", "severity", "program", "pid", "msgid",
        "client_ip", "ident", "user", "method", "path", "protocol", "status", "bytes",
        "referrer", "user_agent", "request_time",
    ]

    public static let timestamp = FieldID(rawValue: 0)
    public static let message = FieldID(rawValue: 1)
    public static let source = FieldID(rawValue: 2)
    public static let host = FieldID(rawValue: 3)
    public static let level = FieldID(rawValue: 4)
    public static let file = FieldID(rawValue: 5)
    public static let peer = FieldID(rawValue: 6)
    public static let facility = FieldID(rawValue: 7)
    public static let severity = FieldID(rawValue: 8)
    public static let program = FieldID(rawValue: 9)
    public static let pid = FieldID(rawValue: 10)
    public static let msgid = FieldID(rawValue: 11)
    public static let clientIP = FieldID(rawValue: 12)
    public static let ident = FieldID(rawValue: 13)
    public static let user = FieldID(rawValue: 14)
    public static let method = FieldID(rawValue: 15)
    public static let path = FieldID(rawValue: 16)
    public static let httpProtocol = FieldID(rawValue: 17)
    public static let status = FieldID(rawValue: 18)
    public static let bytes = FieldID(rawValue: 19)
    public static let referrer = FieldID(rawValue: 20)
    public static let userAgent = FieldID(rawValue: 21)
    public static let requestTime = FieldID(rawValue: 22)
}
