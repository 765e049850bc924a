/// One entry of a pipeline's `enrich:` list: what the step does and which events it applies to.
public struct EnrichStepConfig: Sendable {
    /// `enrich[2] (rename)` unless the config names it; used in messages and per-step counters.
    public var name: String
    /// Only events matching this query filter; nil for all.
    public var when: FilterText?
    /// Only events of these sources; empty for all.
    public var sources: [String] = []
    /// The line of the step's entry.
    public var line: Int = 0
    public var kind: Kind

    public init(name: String, kind: Kind, when: FilterText? = nil, sources: [String] = [], line: Int = 0) {
        self.name = name
        self.kind = kind
        self.when = when
        self.sources = sources
        self.line = line
    }

    public enum Kind: Sendable {
        /// `add` (only where the field is absent) or `set` (replacing it): values with `${VAR}` expanded.
        case assign(fields: [(name: String, value: String)], overwrite: Bool)
        case rename([(from: String, to: String)])
        case dropFields([String])
        case keepFields([String])
        /// Derive `level` from the first of these fields that reads as a level (severity numbers or words).
        case level(from: [String])
        case parse(ParseFieldConfig)
        case lookup(LookupConfig)
        case classifyIP(ClassifyIPConfig)
        case redact(RedactConfig)
        /// Drop the events that `when` matches.
        case drop
        /// Keep 1 event in `rate` (of those `when` matches), chosen by a hash of the line.
        case sample(rate: Int)

        public var typeName: String {
            switch self {
            case .assign(_, let overwrite): overwrite ? "set" : "add"
            case .rename: "rename"
            case .dropFields: "drop_fields"
            case .keepFields: "keep_fields"
            case .level: "level"
            case .parse: "parse"
            case .lookup: "lookup"
            case .classifyIP: "classify_ip"
            case .redact: "redact"
            case .drop: "drop"
            case .sample: "sample"
            }
        }
    }

    public static let typeNames = [
        "add", "set", "rename", "drop_fields", "keep_fields", "level", "parse", "lookup", "classify_ip", "redact",
        "drop", "sample",
    ]
}

/// Parse one field's value with another parser and add the fields it yields.
public struct ParseFieldConfig: Sendable {
    public var field: String = "message"
    public var parser: ParserConfig
    /// Prefix for the names of the fields found (`json.`), empty for none.
    public var prefix: String = ""

    public init(field: String = "message", parser: ParserConfig, prefix: String = "") {
        self.field = field
        self.parser = parser
        self.prefix = prefix
    }
}

/// Add the columns of a CSV table's row whose key column equals a field's value.
public struct LookupConfig: Sendable {
    /// The CSV file (first row: column names).
    public var file: String
    /// The event field whose value is looked up.
    public var field: String
    /// The CSV column holding the keys; the first column when not given.
    public var keyColumn: String?
    /// The columns added as fields; every other column when empty.
    public var columns: [String] = []
    /// Prefix for the added field names.
    public var prefix: String = ""

    public init(file: String, field: String) {
        self.file = file
        self.field = field
    }
}

/// Classify an IP address field: `<field>_class` (loopback, private, public, link_local, multicast,
/// unspecified, reserved) and `<field>_tag` from the user's networks.
public struct ClassifyIPConfig: Sendable {
    public var fields: [String]
    /// Networks and their tags; the most specific network that contains the address wins.
    public var networks: [(network: IPNetwork, tag: String)] = []

    public init(fields: [String]) {
        self.fields = fields
    }
}

/// Replace secrets with a marker, in the line and in every text field.
public struct RedactConfig: Sendable {
    /// The built-in rules to apply (all by default).
    public var rules: [String] = RedactConfig.builtInRules
    /// Extra rules: a name and a PCRE2 regex; the whole match (or its first group) is replaced.
    public var patterns: [(name: String, regex: String)] = []
    public var replacement: String = "[REDACTED]"

    public init() {}

    /// AWS access key ids, `Authorization: Bearer` tokens, `scheme://user:password@` passwords,
    /// `api_key=`/`password=`/`token=`/`secret=` values and PEM private key blocks.
    public static let builtInRules = ["aws_access_key", "bearer_token", "url_password", "secret_param", "private_key"]
}
