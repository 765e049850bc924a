/// Why a TCP syslog stream could not be split into messages; the connection is closed.
///
/// After an octet-counting frame goes wrong the receiver cannot know where the next message
/// starts, so it counts the error, keeps the messages before it and closes the connection.
public struct SyslogFramingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// An octet-counting frame must open with its length; this byte came instead.
        case expectedLength(UInt8)
        /// The length must be followed by one space; this byte came instead.
        case expectedSpace(UInt8)
        /// The length is larger than the receiver accepts (`maxFrameLength`).
        case frameTooLong(limit: Int)
        /// The connection ended inside a frame, this many bytes short.
        case endInsideFrame(missing: Int)
    }

    public var kind: Kind
    /// Offset of the offending byte from the start of the connection's stream.
    public var byteOffset: Int64

    public init(kind: Kind, byteOffset: Int64) {
        self.kind = kind
        self.byteOffset = byteOffset
    }

    public var description: String {
        switch self.kind {
        case .expectedLength(let byte):
            "octet counting: expected a length, found \(Self.show(byte)) at byte \(self.byteOffset)"
        case .expectedSpace(let byte):
            "octet counting: expected a space after the length, found \(Self.show(byte)) at byte \(self.byteOffset)"
        case .frameTooLong(let limit):
            "octet counting: frame length at byte \(self.byteOffset) is over the limit of \(limit) bytes"
        case .endInsideFrame(let missing):
            "octet counting: connection closed \(missing) bytes short of the frame's end at byte \(self.byteOffset)"
        }
    }

    static func show(_ byte: UInt8) -> String {
        let hex = "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        return byte >= 0x21 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))' (\(hex))" : hex
    }
}
