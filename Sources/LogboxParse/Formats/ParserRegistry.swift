import LogboxCore

/// Makes a parser from the name that config files and the CLI use.
public enum ParserRegistry {
    /// The names, in the order `--help` and error messages list them.
    public static let names = ["auto", "syslog", "rfc3164", "rfc5424", "nginx", "json", "logfmt", "kv", "pattern"]

    /// Makes parser `name`; `pattern` is required by (and only used by) `pattern`.
    /// - Throws: `ParserConfigError` naming the problem: an unknown name (with the known ones), a
    ///   missing pattern, or a pattern that does not compile (with its column).
    public static func make(_ name: String, pattern: String? = nil, context: ParseContext) throws(ParserConfigError)
        -> any LogParser
    {
        switch name {
        case "auto": return AutoParser(context: context)
        case "syslog": return SyslogParser(context: context)
        case "rfc3164": return RFC3164Parser(context: context)
        case "rfc5424": return RFC5424Parser(context: context)
        case "nginx": return NginxParser(context: context)
        case "json": return JSONLinesParser(context: context)
        case "logfmt": return LogfmtParser(context: context)
        case "kv": return KeyValueParser(context: context)
        case "pattern":
            guard let pattern, !pattern.isEmpty else {
                throw ParserConfigError(
                    message: "parser 'pattern' needs a pattern (--pattern '%{IP:client_ip} %{GREEDYDATA:message}')"
                )
            }
            do {
                return try PatternParser(pattern: pattern, context: context)
            } catch {
                throw ParserConfigError(message: "pattern: \(error)")
            }
        default:
            throw ParserConfigError(
                message: "unknown parser '\(name)'; known parsers: \(Self.names.joined(separator: ", "))"
            )
        }
    }
}

/// A parser name or pattern that cannot be used.
public struct ParserConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { self.message }
}
