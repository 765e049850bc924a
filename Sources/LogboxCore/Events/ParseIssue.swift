/// Why a line could not be parsed (or was parsed but carries bad bytes), and where.
///
/// A line with an issue is never dropped: it is kept raw, its `message` is the whole line, and
/// the issue is counted and shown as `parse_error`.
public struct ParseIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: Reason
    /// 1-based byte column in the line.
    public var column: Int32

    @inlinable
    public init(_ reason: Reason, column: Int) {
        self.reason = reason
        self.column = Int32(truncatingIfNeeded: column)
    }

    public var description: String { "\(self.reason) at column \(self.column)" }

    public enum Reason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case invalidUTF8
        case nulByte
        case binaryData
        case emptyLine
        case unexpectedEnd
        case badPriority
        case badVersion
        case badTimestamp
        case badHostname
        case badAppName
        case badProcessID
        case badMessageID
        case badStructuredData
        case missingSpace
        case badTag
        case badRequestLine
        case badStatus
        case badNumber
        case unterminatedQuote
        case badEscape
        case invalidJSON
        case notAnObject
        case trailingData
        case tooDeep
        case noKeyValue
        case patternMismatch
        case unrecognizedFormat

        public var description: String {
            switch self {
            case .invalidUTF8: "invalid UTF-8"
            case .nulByte: "NUL byte"
            case .binaryData: "binary data"
            case .emptyLine: "empty line"
            case .unexpectedEnd: "line ends early"
            case .badPriority: "bad priority"
            case .badVersion: "bad version"
            case .badTimestamp: "bad timestamp"
            case .badHostname: "bad hostname"
            case .badAppName: "bad app name"
            case .badProcessID: "bad process id"
            case .badMessageID: "bad message id"
            case .badStructuredData: "bad structured data"
            case .missingSpace: "expected a space"
            case .badTag: "bad tag"
            case .badRequestLine: "bad request line"
            case .badStatus: "bad status"
            case .badNumber: "bad number"
            case .unterminatedQuote: "unterminated quote"
            case .badEscape: "bad escape"
            case .invalidJSON: "invalid JSON"
            case .notAnObject: "JSON line is not an object"
            case .trailingData: "unexpected data after the value"
            case .tooDeep: "nesting too deep"
            case .noKeyValue: "no key=value pair"
            case .patternMismatch: "pattern did not match"
            case .unrecognizedFormat: "unrecognized format"
            }
        }
    }
}
