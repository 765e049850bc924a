/// Named regular-expression building blocks for grok patterns (`%{IPV4:client}`).
///
/// A definition is a PCRE2 pattern that may refer to other blocks with `%{NAME}` or
/// capture them with `%{NAME:field}`. The standard set covers the usual log vocabulary
/// (numbers, addresses, paths, URIs, dates, syslog and Apache/nginx access lines); the
/// names follow Logstash's so existing patterns carry over, but the expressions are our
/// own. They are written for PCRE2's JIT: bounded repeats, atomic groups where a run can
/// be taken whole, and no nested quantifiers that could backtrack exponentially. Blocks
/// that capture use Logbox's field names: `SYSLOGPROG` gives `program` and `pid`,
/// `SYSLOGBASE` adds `timestamp` and `host`, `COMMONAPACHELOG`/`COMBINEDAPACHELOG` give the
/// access-log fields of DESIGN.md (`client_ip`, `ident`, `user`, `timestamp`, `method`,
/// `path`, `protocol`, `status`, `bytes`, `referrer`, `user_agent`, or `request` when the
/// request line is not `METHOD target [protocol]`), leaving out a field written as `-`.
public struct GrokLibrary: Sendable {
    /// Block name → pattern text.
    public private(set) var definitions: [String: String]

    /// A library with exactly `definitions`.
    public init(definitions: [String: String] = [:]) {
        self.definitions = definitions
    }

    /// The pattern for `name`, or nil when the library has no such block.
    public subscript(name: String) -> String? {
        self.definitions[name]
    }

    /// Adds or replaces the block `name`.
    public mutating func define(_ name: String, as pattern: String) {
        self.definitions[name] = pattern
    }

    /// This library with `definitions` added, replacing blocks of the same name.
    public func adding(_ definitions: [String: String]) -> GrokLibrary {
        var copy = self
        copy.definitions.merge(definitions) { _, new in new }
        return copy
    }

    /// The built-in blocks.
    public static let standard = GrokLibrary(definitions: standardDefinitions)

    private static let standardDefinitions: [String: String] = [
        // Users and numbers.
        "USERNAME": #"[a-zA-Z0-9._-]+"#,
        "USER": #"%{USERNAME}"#,
        "INT": #"(?:[+-]?[0-9]+)"#,
        "BASE10NUM": #"(?<![0-9.+-])(?>[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"#,
        "NUMBER": #"(?:%{BASE10NUM})"#,
        "BASE16NUM": #"(?<![0-9A-Fa-f])(?:[+-]?(?:0[xX])?[0-9A-Fa-f]+)"#,
        "BASE16FLOAT": #"\b(?<![0-9A-Fa-f.])(?:[+-]?(?:0[xX])?(?:[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]*)?|\.[0-9A-Fa-f]+))\b"#,
        "POSINT": #"\b(?:[1-9][0-9]*)\b"#,
        "NONNEGINT": #"\b(?:[0-9]+)\b"#,

        // Words and free text.
        "WORD": #"\b\w+\b"#,
        "NOTSPACE": #"\S+"#,
        "SPACE": #"\s*"#,
        "DATA": #".*?"#,
        "GREEDYDATA": #".*"#,
        "QUOTEDSTRING": #"(?>"[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*'|`[^`\\]*(?:\\.[^`\\]*)*`)"#,
        "QS": #"%{QUOTEDSTRING}"#,
        "UUID": #"\b[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}\b"#,

        // Network addresses.
        "CISCOMAC": #"(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4}"#,
        "WINDOWSMAC": #"(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2}"#,
        "COMMONMAC": #"(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2}"#,
        "MAC": #"(?<![A-Fa-f0-9:.-])(?:%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC})(?![A-Fa-f0-9])"#,
        "IPV4": #"(?<![0-9])(?:%{IPV4OCTET}\.){3}%{IPV4OCTET}(?![0-9])"#,
        "IPV4OCTET": #"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"#,
        // RFC 4291 text forms: k leading groups, then "::" and up to 7-k more (or an IPv4
        // tail). The lookahead makes a shorter prefix ("::ffff:10" of "::ffff:10.0.0.1")
        // fail so the IPv4 alternative is tried.
        "IPV6": #"""
        (?<![0-9A-Fa-f:.])(?:\#
        (?:%{IPV6H}:){7}(?:%{IPV6H}|:)|\#
        (?:%{IPV6H}:){6}(?::%{IPV6H}|%{IPV4}|:)|\#
        (?:%{IPV6H}:){5}(?:(?::%{IPV6H}){1,2}|:%{IPV4}|:)|\#
        (?:%{IPV6H}:){4}(?:(?::%{IPV6H}){1,3}|(?::%{IPV6H})?:%{IPV4}|:)|\#
        (?:%{IPV6H}:){3}(?:(?::%{IPV6H}){1,4}|(?::%{IPV6H}){0,2}:%{IPV4}|:)|\#
        (?:%{IPV6H}:){2}(?:(?::%{IPV6H}){1,5}|(?::%{IPV6H}){0,3}:%{IPV4}|:)|\#
        %{IPV6H}:(?:(?::%{IPV6H}){1,6}|(?::%{IPV6H}){0,4}:%{IPV4}|:)|\#
        :(?:(?::%{IPV6H}){1,7}|(?::%{IPV6H}){0,5}:%{IPV4}|:)\#
        )(?:%[0-9A-Za-z._-]+)?(?![0-9A-Fa-f:]|\.[0-9])
        """#,
        "IPV6H": #"[0-9A-Fa-f]{1,4}"#,
        "IP": #"(?:%{IPV6}|%{IPV4})"#,
        // Starts only at the start of a name, not at each label of a long dotted run.
        "HOSTNAME": #"(?<![0-9A-Za-z_.-])(?>[0-9A-Za-z][0-9A-Za-z_-]{0,62})(?>\.[0-9A-Za-z][0-9A-Za-z_-]{0,62})*"#,
        "IPORHOST": #"(?:%{IP}|%{HOSTNAME})"#,
        "HOSTPORT": #"(?:\[%{IPV6}\]|%{IPORHOST}):%{POSINT}"#,
        "EMAILLOCALPART": #"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"#,
        "EMAILADDRESS": #"%{EMAILLOCALPART}@%{HOSTNAME}"#,

        // Paths and URIs.
        "UNIXPATH": #"(?>/(?>[^\x00-\x20\x7f"'/\\<>|?]+|\\.)*)+"#,
        "WINPATH": #"(?>[A-Za-z]:|\\\\[^\\\s]+)(?>\\[^\x00-\x20\\/:*?"<>|]*)+"#,
        "PATH": #"(?:%{UNIXPATH}|%{WINPATH})"#,
        "URIPROTO": #"[A-Za-z][A-Za-z0-9+.-]*"#,
        "URIHOST": #"(?:\[%{IPV6}\]|%{IPORHOST})(?::%{POSINT})?"#,
        "URIPATH": #"(?>/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\\\-]*)+"#,
        "URIPARAM": #"\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\\\-\[\]<>^]*"#,
        "URIPATHPARAM": #"%{URIPATH}(?:%{URIPARAM})?"#,
        "URI": #"%{URIPROTO}://(?:%{USER}(?::[^@\s]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?"#,

        // Dates and times.
        "MONTH": #"""
        \b(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|\#
        sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b
        """#,
        "MONTHNUM": #"(?<![0-9])(?:1[0-2]|0?[1-9])(?![0-9])"#,
        "MONTHNUM2": #"(?:0[1-9]|1[0-2])"#,
        "MONTHDAY": #"(?<![0-9])(?:3[01]|[12][0-9]|0?[1-9])(?![0-9])"#,
        "DAY": #"""
        \b(?i:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|\#
        sat(?:urday)?|sun(?:day)?)\b
        """#,
        "YEAR": #"(?<![0-9])(?:[0-9]{4}|[0-9]{2})(?![0-9])"#,
        "HOUR": #"(?:2[0-3]|[01]?[0-9])"#,
        "MINUTE": #"(?:[0-5][0-9])"#,
        "SECOND": #"(?:[0-5]?[0-9]|60)(?:[.,][0-9]+)?"#,
        "TIME": #"(?<![0-9])%{HOUR}:%{MINUTE}:%{SECOND}(?![0-9])"#,
        "DATE_US": #"%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}"#,
        "DATE_EU": #"%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}"#,
        "DATE": #"(?:%{DATE_US}|%{DATE_EU})"#,
        "DATESTAMP": #"%{DATE}[- ]%{TIME}"#,
        "ISO8601_TIMEZONE": #"(?:Z|[+-](?:2[0-3]|[01][0-9])(?::?[0-5][0-9])?)"#,
        "TIMESTAMP_ISO8601": #"""
        (?<![0-9])[0-9]{4}-%{MONTHNUM2}-(?:3[01]|[12][0-9]|0[1-9])[Tt ]\#
        (?:2[0-3]|[01][0-9]):?[0-5][0-9](?::?(?:[0-5][0-9]|60)(?:[.,][0-9]+)?)?%{ISO8601_TIMEZONE}?(?![0-9])
        """#,
        "SYSLOGTIMESTAMP": #"%{MONTH} +%{MONTHDAY} %{TIME}"#,
        "HTTPDATE": #"%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} [+-][0-9]{4}"#,

        // Syslog.
        "PROG": #"[\x21-\x39\x3b-\x5a\x5c\x5e-\x7e]+"#,
        "SYSLOGPROG": #"%{PROG:program}(?:\[%{POSINT:pid:int}\])?"#,
        "SYSLOGHOST": #"%{IPORHOST}"#,
        "SYSLOGFACILITY": #"<%{NONNEGINT:facility:int}\.%{NONNEGINT:severity:int}>"#,
        "SYSLOGBASE": #"%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:host} %{SYSLOGPROG}:"#,
        "SYSLOGLINE": #"%{SYSLOGBASE} ?%{GREEDYDATA:message}"#,
        "LOGLEVEL": #"""
        \b(?:[Tt]race|TRACE|[Dd]ebug|DEBUG|[Ii]nfo(?:rmation)?|INFO(?:RMATION)?|[Nn]otice|NOTICE|\#
        [Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Ff]atal|FATAL|\#
        [Aa]lert|ALERT|[Ee]merg(?:ency)?|EMERG(?:ENCY)?|[Pp]anic|PANIC|[Ss]evere|SEVERE)\b
        """#,

        // Apache and nginx access lines; "-" leaves the field absent.
        "QSCONTENT": #"[^"\\]*(?:\\.[^"\\]*)*"#,
        "HTTPDUSER": #"(?:%{EMAILADDRESS}|%{USER})"#,
        "COMMONAPACHELOG": #"""
        %{IPORHOST:client_ip} (?:-|%{NOTSPACE:ident}) (?:-|%{NOTSPACE:user}) \[%{HTTPDATE:timestamp}\] \#
        "(?:%{WORD:method} %{NOTSPACE:path}(?: %{NOTSPACE:protocol})?|%{QSCONTENT:request})" \#
        %{NONNEGINT:status:int} (?:-|%{NONNEGINT:bytes:int})
        """#,
        "COMBINEDAPACHELOG": #"""
        %{COMMONAPACHELOG} "(?:-|%{QSCONTENT:referrer})" "(?:-|%{QSCONTENT:user_agent})"
        """#,
    ]
}
