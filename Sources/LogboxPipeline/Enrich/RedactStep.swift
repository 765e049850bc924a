public import LogboxCore
public import LogboxParse

/// `redact`: replaces secrets with a marker in the raw line and in every value outside it, and
/// counts each replacement per rule.
///
/// Built-in rules (each a PCRE2 regex; the first group, or the whole match, is the secret):
/// - `aws_access_key`: access key ids (`AKIA…`, `ASIA…`: 4 letters + 16 upper-case letters/digits);
/// - `bearer_token`: the token after `Bearer ` (`Authorization: Bearer eyJ…`);
/// - `url_password`: the password of `scheme://user:password@host` (also with JSON's `:\/\/`);
/// - `secret_param`: the value of `api_key=`, `password=`, `passwd=`, `token=`, `secret=`,
///   `access_token=`, `client_secret=` and their `key: value` / JSON `"key":"value"` forms;
/// - `private_key`: a whole `-----BEGIN … PRIVATE KEY-----` block (to its END line, or to the end
///   of the record when the END is not in it).
/// Extra rules come from the config's `patterns`.
///
/// The line is rewritten into the batch's arena (`EventBatch.redact`) and the event's fields follow
/// the new text, so neither the stored line nor any field keeps a byte of the secret. Matching runs
/// over the line once per rule (JIT-compiled); an event without a secret costs only those scans.
public struct RedactStep: EnrichStep {
    public let name: String
    /// The rules' names, in the order `counts` uses.
    public let ruleNames: [String]
    /// Replacements made by each rule since the step was made.
    public private(set) var counts: [Int]
    private let replacement: [UInt8]
    private let matchers: [PCRE2Matcher]
    private var found: [Range<Int>] = []
    private var value: [UInt8] = []

    /// The regex of each built-in rule.
    public static let builtInPatterns: [String: String] = [
        "aws_access_key": #"\b((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16})(?![A-Za-z0-9])"#,
        "bearer_token": #"(?i)\bbearer\s+([A-Za-z0-9\-._~+/]{8,}=*)"#,
        "url_password": #"\b[A-Za-z][A-Za-z0-9+.\-]*:(?:\\?/){2}[^\s/:@"']+:([^\s@/"']+)@"#,
        "secret_param":
            #"(?i)(?<![A-Za-z0-9])(?:api[_\-]?key|apikey|password|passwd|token|access[_\-]?token|auth[_\-]?token|secret|client[_\-]?secret|secret[_\-]?key)(?:\\?")?\s*[=:]\s*(?:\\?")?([^\s"&,;\\]+)"#,
        "private_key":
            #"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|[\s\S]*)"#,
    ]

    public init(name: String, config: RedactConfig) throws(RegexError) {
        var names: [String] = []
        var matchers: [PCRE2Matcher] = []
        for rule in config.rules {
            guard let pattern = Self.builtInPatterns[rule] else { continue }
            names.append(rule)
            matchers.append(PCRE2Matcher(try PCRE2Regex(pattern)))
        }
        for (ruleName, pattern) in config.patterns {
            names.append(ruleName)
            matchers.append(PCRE2Matcher(try PCRE2Regex(pattern)))
        }
        self.name = name
        self.ruleNames = names
        self.counts = Array(repeating: 0, count: names.count)
        self.replacement = Array(config.replacement.utf8)
        self.matchers = matchers
    }

    /// Replacements per rule name.
    public var countsByRule: [String: Int] {
        Dictionary(zip(self.ruleNames, self.counts), uniquingKeysWith: +)
    }

    public mutating func apply(to batch: inout EventBatch, selection: EventSelection) {
        for event in 0..<batch.count where selection.contains(event) {
            for rule in 0..<self.matchers.count {
                self.redactLine(event: event, rule: rule, in: &batch)
                self.redactValues(event: event, rule: rule, in: &batch)
            }
        }
    }

    /// Finds the secrets of `rule` in `bytes` (relative ranges), into `found`.
    private mutating func collect(_ bytes: Span<UInt8>, rule: Int) {
        self.found.removeAll(keepingCapacity: true)
        let matcher = self.matchers[rule]
        var from = 0
        while from <= bytes.count, let match = matcher.firstMatch(in: bytes, from: from) {
            let secret = matcher.regex.captureCount >= 1 ? (matcher.range(ofGroup: 1) ?? match) : match
            if !secret.isEmpty { self.found.append(secret) }
            from = max(match.upperBound, match.lowerBound + 1)
        }
    }

    private mutating func redactLine(event: Int, rule: Int, in batch: inout EventBatch) {
        var line = batch.lines.slots[Int(batch.events[event].line)].range
        do {
            let bytes = batch.lines.bytes
            self.collect(bytes.span.extracting(line), rule: rule)
        }
        guard !self.found.isEmpty else { return }
        // Last first, so the ranges before each replacement keep their place in the line.
        for secret in self.found.reversed() {
            batch.redact(
                event: event,
                range: (line.lowerBound + secret.lowerBound)..<(line.lowerBound + secret.upperBound),
                with: self.replacement
            )
            line = batch.lines.slots[Int(batch.events[event].line)].range
        }
        self.counts[rule] += self.found.count
        self.retypeRedactedNumbers(event: event, in: &batch)
    }

    /// Values outside the line (added by other steps or decoded) get the same treatment.
    private mutating func redactValues(event: Int, rule: Int, in batch: inout EventBatch) {
        let line = batch.lines.slots[Int(batch.events[event].line)].range
        for index in batch.events[event].fieldRange {
            let field = batch.fields[index]
            let range = field.range
            guard range.lowerBound >= line.upperBound || range.upperBound <= line.lowerBound, !range.isEmpty,
                field.kind == .text || field.kind == .jsonEscaped || field.kind == .structuredDataEscaped
            else { continue }
            do {
                let bytes = batch.lines.bytes
                guard range.upperBound <= bytes.count else { continue }
                self.collect(bytes.span.extracting(range), rule: rule)
                guard !self.found.isEmpty else { continue }
                self.value.removeAll(keepingCapacity: true)
                var at = range.lowerBound
                for secret in self.found {
                    self.value.append(contentsOf: bytes[at..<(range.lowerBound + secret.lowerBound)])
                    self.value.append(contentsOf: self.replacement)
                    at = range.lowerBound + secret.upperBound
                }
                self.value.append(contentsOf: bytes[at..<range.upperBound])
            }
            self.counts[rule] += self.found.count
            let new = batch.appendValue(self.value)
            batch.setField(index, kind: field.kind, range: new, payload: field.payload)
        }
    }

    /// A number field that overlapped a secret now holds the marker: it is text from here on.
    private func retypeRedactedNumbers(event: Int, in batch: inout EventBatch) {
        for index in batch.events[event].fieldRange {
            let field = batch.fields[index]
            guard field.kind == .integer || field.kind == .decimal || field.kind == .boolean else { continue }
            let reads: Bool = {
                let bytes = batch.lines.bytes
                guard field.range.upperBound <= bytes.count else { return false }
                let span = bytes.span.extracting(field.range)
                switch field.kind {
                case .integer: return NumberScanner.integer(span) == field.payload
                case .decimal:
                    return NumberScanner.decimal(span).map { Int64(bitPattern: $0.bitPattern) } == field.payload
                default: return true
                }
            }()
            if !reads { batch.setField(index, kind: .text, range: field.range) }
        }
    }
}
