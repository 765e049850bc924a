/// The normalized severity of an event, from syslog severity or a level word in the event.
///
/// Raw values order the levels from least to most severe, so `level >= .error` reads naturally.
public enum Level: UInt8, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case trace, debug, info, notice, warning, error, critical, alert, emergency

    public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        case .alert: "alert"
        case .emergency: "emergency"
        }
    }

    /// Maps a syslog severity (0 emergency … 7 debug).
    public init?(syslogSeverity: Int) {
        switch syslogSeverity {
        case 0: self = .emergency
        case 1: self = .alert
        case 2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        case 7: self = .debug
        default: return nil
        }
    }

    /// Recognizes a level word, case-insensitively: the nine names and the usual aliases
    /// (`warn`, `err`, `E`, `fatal`, `crit`, `panic`, `emerg`, `information`, `dbg`, `trc`, …).
    /// - Complexity: O(1): at most 11 bytes are looked at.
    public init?(word: Span<UInt8>) {
        guard word.count >= 1, word.count <= 11 else { return nil }
        // Fold to lower case into a packed integer; 8 bytes suffice to tell every alias apart
        // after a length check.
        var packed: UInt64 = 0
        for i in 0..<min(word.count, 8) {
            var byte = word[i]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            guard byte >= 0x61 && byte <= 0x7A else { return nil }
            packed |= UInt64(byte) << (8 * UInt64(i))
        }
        if word.count > 8 {
            for i in 8..<word.count {
                let byte = word[i] | 0x20
                guard byte >= 0x61 && byte <= 0x7A else { return nil }
            }
        }
        for (length, key, level) in Self.words where length == word.count && key == packed {
            self = level
            return
        }
        return nil
    }

    /// (length, first 8 bytes lower-cased and packed little-endian, level) for every accepted word.
    private static let words: [(Int, UInt64, Level)] = {
        let table: [(StaticString, Level)] = [
            ("t", .trace), ("trace", .trace), ("trc", .trace),
            ("d", .debug), ("debug", .debug), ("dbg", .debug),
            ("i", .info), ("info", .info), ("information", .info),
            ("n", .notice), ("notice", .notice),
            ("w", .warning), ("warn", .warning), ("warning", .warning),
            ("e", .error), ("err", .error), ("error", .error),
            ("f", .critical), ("crit", .critical), ("critical", .critical), ("fatal", .critical),
            ("a", .alert), ("alert", .alert),
            ("emerg", .emergency), ("emergency", .emergency), ("panic", .emergency),
        ]
        return table.map { (word, level) in (word.utf8CodeUnitCount, Self.pack(word), level) }
    }()

    private static func pack(_ text: StaticString) -> UInt64 {
        var packed: UInt64 = 0
        text.withUTF8Buffer { bytes in
            for i in 0..<min(bytes.count, 8) { packed |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        }
        return packed
    }
}
