import LogboxCore
public import LogboxParse

/// A parser to measure and the corpus files it reads.
public struct ParserEntry: Sendable {
    public var name: String
    public var fileNames: [String]
    public var make: @Sendable () -> any LogParser

    public init(_ name: String, files fileNames: [String], make: @escaping @Sendable () -> any LogParser) {
        self.name = name
        self.fileNames = fileNames
        self.make = make
    }
}

/// The parsers measured: the compile-time list to extend when a format lands in LogboxParse.
public enum ParserCatalog {
    /// The context every parser gets: UTC, and a reference time a day after the corpus starts
    /// (2026-11-02T00:00:00Z), so BSD syslog timestamps infer the year 2026.
    public static let context = ParseContext(zone: .utc, referenceTime: 1_793_577_600_000_000_000)

    /// Every parser with its files, in report order.
    public static let entries: [ParserEntry] = [
        ParserEntry("rfc3164", files: ["auth.log"]) { RFC3164Parser(context: Self.context) },
        ParserEntry("rfc5424", files: ["syslog5424.log"]) { RFC5424Parser(context: Self.context) },
        ParserEntry("nginx", files: ["nginx_access.log"]) { NginxParser(context: Self.context) },
        ParserEntry("json", files: ["app.jsonl"]) { JSONLinesParser(context: Self.context) },
        ParserEntry("logfmt", files: ["app.logfmt"]) { LogfmtParser(context: Self.context) },
        ParserEntry("kv", files: ["app.logfmt"]) { KeyValueParser(context: Self.context) },
        ParserEntry("auto", files: Corpus.fileNames) { AutoParser(context: Self.context) },
        // A format added to LogboxParse gets its line here.
    ]

    /// Parsers named by the benchmark plan that the list above does not measure yet.
    public static let pending = ["rfc3164", "rfc5424", "nginx", "json", "logfmt", "kv", "auto"]
        .filter { name in !Self.entries.contains { $0.name == name } }
}
