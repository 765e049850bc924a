import LogboxCore

/// Takes an event's `timestamp`, `message` and `level` from the usual keys of structured lines
/// (JSON lines, logfmt, key=value), as DESIGN.md asks.
///
/// Rules, the same for the three formats (only top-level keys count):
/// - `ts`, `time`, `@timestamp` (any case): the field stays as written; the first value that reads
///   as a time (`TimestampParser.parseAny` over the whole value: RFC 3339, ISO 8601 in the
///   context's zone, HTTP date, BSD, Unix time by digit count) becomes the event timestamp.
///   A key spelled exactly `timestamp` wins over them and is not kept as a field when it reads as
///   a time (the event timestamp is that field); when it does not, it stays a plain field.
/// - `msg`, `log`, `Message`, … (any case): the field stays as written, and the first string value
///   is also added as `message` right after it. A key spelled exactly `message` is the `message`
///   field itself and replaces an alias-made one, so an event has one `message` unless the line
///   repeats the key.
/// - `lvl`, `severity`, `loglevel`, `log.level`, `Level`, … (any case): the field stays as written,
///   and the first value `Level(word:)` knows (or a pino/bunyan number 10, 20, …, 60) adds a
///   `level` field of kind `.level` over the same bytes. A key spelled exactly `level` whose value
///   is known becomes that `.level` field itself (and replaces an alias-made one); an unknown
///   value stays a plain `level` field.
///
/// The tracker lives in the parser and is reset per line; it keeps field indexes, not copies.
struct JSONUsualKeys: Sendable {
    /// What a key means besides being a field.
    enum Role {
        case none
        case timestampAlias, timestamp
        case messageAlias, message
        case levelAlias, level
    }

    /// Whether `msg`/`log` make a `message` (not for key=value, whose message is the whole line).
    var messageFromAliases = true

    /// Index in `EventBatch.fields` of the current `message` field, or -1.
    private var messageIndex = -1
    private var messageIsLiteral = false
    private var levelIndex = -1
    private var levelIsLiteral = false
    private var timestampIsLiteral = false

    /// Forgets the previous line.
    mutating func reset() {
        self.messageIndex = -1
        self.messageIsLiteral = false
        self.levelIndex = -1
        self.levelIsLiteral = false
        self.timestampIsLiteral = false
    }

    /// Marks the field at `index` (already appended) as the event's message, one that a literal
    /// `message` key replaces (key=value's whole-line message).
    mutating func setDefaultMessage(at index: Int) {
        self.messageIndex = index
    }

    /// Appends the field `name` = (`kind`, `range`, `payload`) of a top-level key with `role`,
    /// together with the timestamp, message or level it implies.
    mutating func append(
        _ name: FieldID,
        role: Role,
        _ kind: ValueKind,
        _ range: Range<Int>,
        payload: Int64,
        line: Span<UInt8>,
        into out: inout EventBatch,
        inference: inout YearInference
    ) {
        switch role {
        case .none:
            out.append(name, kind, range, payload: payload)
        case .timestamp:
            if let time = Self.timestamp(kind, line.extracting(range), &inference) {
                out.setTimestamp(time)
                self.timestampIsLiteral = true
            } else {
                out.append(name, kind, range, payload: payload)
            }
        case .timestampAlias:
            out.append(name, kind, range, payload: payload)
            if !self.timestampIsLiteral, !out.currentHasTimestamp,
                let time = Self.timestamp(kind, line.extracting(range), &inference)
            {
                out.setTimestamp(time)
            }
        case .message:
            if Self.isString(kind), !self.messageIsLiteral {
                self.messageIsLiteral = true
                if self.messageIndex >= 0 {
                    out.fields[self.messageIndex] = Self.slot(.message, kind, range, payload: 0, out)
                    return
                }
                self.messageIndex = out.fields.count
            }
            out.append(name, kind, range, payload: payload)
        case .messageAlias:
            out.append(name, kind, range, payload: payload)
            if self.messageFromAliases, self.messageIndex < 0, Self.isString(kind) {
                self.messageIndex = out.fields.count
                out.append(.message, kind, range)
            }
        case .level:
            if !self.levelIsLiteral, let level = Self.level(kind, payload, line.extracting(range)) {
                self.levelIsLiteral = true
                let rawLevel = Int64(level.rawValue)
                if self.levelIndex >= 0 {
                    out.fields[self.levelIndex] = Self.slot(.level, .level, range, payload: rawLevel, out)
                    return
                }
                self.levelIndex = out.fields.count
                out.append(.level, .level, range, payload: rawLevel)
            } else {
                out.append(name, kind, range, payload: payload)
            }
        case .levelAlias:
            out.append(name, kind, range, payload: payload)
            if self.levelIndex < 0, let level = Self.level(kind, payload, line.extracting(range)) {
                self.levelIndex = out.fields.count
                out.append(.level, .level, range, payload: Int64(level.rawValue))
            }
        }
    }

    private static func isString(_ kind: ValueKind) -> Bool { kind == .text || kind == .jsonEscaped }

    private static func slot(
        _ name: FieldID,
        _ kind: ValueKind,
        _ range: Range<Int>,
        payload: Int64,
        _ out: EventBatch
    ) -> FieldSlot {
        FieldSlot(
            name: name,
            kind: kind,
            start: Int32(truncatingIfNeeded: out.lineBase + range.lowerBound),
            length: Int32(truncatingIfNeeded: range.count),
            payload: payload
        )
    }

    /// The time a whole value spells (escaped strings are not looked at: times need no escapes).
    private static func timestamp(
        _ kind: ValueKind,
        _ value: Span<UInt8>,
        _ inference: inout YearInference
    ) -> TimestampValue? {
        switch kind {
        case .text, .integer, .decimal:
            guard let parsed = TimestampParser.parseAny(value, from: 0, inference: &inference),
                parsed.end == value.count
            else { return nil }
            return parsed.value
        default:
            return nil
        }
    }

    /// The level a value names: a level word, or a pino/bunyan number (10 trace … 60 fatal).
    private static func level(_ kind: ValueKind, _ payload: Int64, _ value: Span<UInt8>) -> Level? {
        switch kind {
        case .text:
            return Level(word: value)
        case .integer:
            switch payload {
            case 10: return .trace
            case 20: return .debug
            case 30: return .info
            case 40: return .warning
            case 50: return .error
            case 60: return .critical
            default: return nil
            }
        default:
            return nil
        }
    }

    // MARK: Key roles

    /// The role of a top-level key: exact `timestamp`, `message` and `level` are the fields
    /// themselves; the aliases match in any case.
    /// - Complexity: O(1): keys longer than 10 bytes are rejected by length.
    static func role(of key: Span<UInt8>) -> Role {
        let count = key.count
        guard count >= 2, count <= 10 else { return .none }
        let first = key[0] | 0x20
        switch count {
        case 2:
            return Self.matches(key, "ts") ? .timestampAlias : .none
        case 3:
            if first == UInt8(ascii: "m") { return Self.matches(key, "msg") ? .messageAlias : .none }
            if first == UInt8(ascii: "l") {
                if Self.matches(key, "log") { return .messageAlias }
                if Self.matches(key, "lvl") { return .levelAlias }
            }
            return .none
        case 4:
            return Self.matches(key, "time") ? .timestampAlias : .none
        case 5:
            guard Self.matches(key, "level") else { return .none }
            return Self.exactly(key, "level") ? .level : .levelAlias
        case 7:
            guard Self.matches(key, "message") else { return .none }
            return Self.exactly(key, "message") ? .message : .messageAlias
        case 8:
            if first == UInt8(ascii: "s") { return Self.matches(key, "severity") ? .levelAlias : .none }
            return Self.matches(key, "loglevel") ? .levelAlias : .none
        case 9:
            if first == UInt8(ascii: "t") {
                guard Self.matches(key, "timestamp") else { return .none }
                return Self.exactly(key, "timestamp") ? .timestamp : .timestampAlias
            }
            return Self.matches(key, "log.level") ? .levelAlias : .none
        case 10:
            return Self.matches(key, "@timestamp") ? .timestampAlias : .none
        default:
            return .none
        }
    }

    /// Whether `key` is `word` (lower case ASCII) in any case.
    private static func matches(_ key: Span<UInt8>, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { bytes in
            guard bytes.count == key.count else { return false }
            for i in 0..<bytes.count {
                let byte = key[i]
                let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                if folded != bytes[i] { return false }
            }
            return true
        }
    }

    private static func exactly(_ key: Span<UInt8>, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { bytes in
            guard bytes.count == key.count else { return false }
            for i in 0..<bytes.count where key[i] != bytes[i] { return false }
            return true
        }
    }
}
