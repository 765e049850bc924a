import LogboxCore
import LogboxParse
import LogboxStore

/// One event as the brute-force evaluator reads it, from the store or from a parsed batch.
protocol EventAccess {
    var timestamp: Int64 { get }
    var fieldCount: Int { get }
    func nameEquals(_ field: Int, _ name: String) -> Bool
    func kind(_ field: Int) -> ValueKind
    func raw(_ field: Int) -> ArraySlice<UInt8>
    func payload(_ field: Int) -> Int64
    var line: ArraySlice<UInt8> { get }
    var sourceName: String { get }
    var fileName: String? { get }
}

struct StoredEventAccess: EventAccess {
    let event: StoredEvent
    let names: [String]
    let sources: [String]

    var timestamp: Int64 { self.event.timestamp }
    var fieldCount: Int { self.event.fields.count }
    func nameEquals(_ field: Int, _ name: String) -> Bool {
        let id = Int(self.event.fields[field].name)
        return id < self.names.count && self.names[id] == name
    }
    func kind(_ field: Int) -> ValueKind { self.event.fields[field].kind }
    func raw(_ field: Int) -> ArraySlice<UInt8> { self.event.rawBytes(self.event.fields[field]) }
    func payload(_ field: Int) -> Int64 { self.event.fields[field].payload }
    var line: ArraySlice<UInt8> { self.event.line[...] }
    var sourceName: String {
        Int(self.event.source) < self.sources.count ? self.sources[Int(self.event.source)] : ""
    }
    var fileName: String? {
        guard self.event.file != StoredEvent.noFile, Int(self.event.file) < self.sources.count else { return nil }
        return self.sources[Int(self.event.file)]
    }
}

struct BatchEventAccess: EventAccess {
    let batch: EventBatch
    let index: Int
    let source: String
    let file: String?

    private func slot(_ field: Int) -> FieldSlot {
        self.batch.fields[Int(self.batch.events[self.index].fieldStart) + field]
    }
    var timestamp: Int64 { self.batch.events[self.index].timestamp }
    var fieldCount: Int { Int(self.batch.events[self.index].fieldCount) }
    func nameEquals(_ field: Int, _ name: String) -> Bool {
        self.batch.names.nameBytes(self.slot(field).name).elementsEqual(name.utf8)
    }
    func kind(_ field: Int) -> ValueKind { self.slot(field).kind }
    func raw(_ field: Int) -> ArraySlice<UInt8> {
        let range = self.slot(field).range
        let bytes = self.batch.lines.bytes
        return bytes[max(0, range.lowerBound)..<min(bytes.count, max(range.lowerBound, range.upperBound))]
    }
    func payload(_ field: Int) -> Int64 { self.slot(field).payload }
    var line: ArraySlice<UInt8> { self.batch.lines.bytes[self.batch.lineSlot(of: self.index).range] }
    var sourceName: String { self.source }
    var fileName: String? { self.file }
}

extension PreparedNode {
    /// The reference semantics: whether one event matches.
    func matches(_ event: some EventAccess, _ state: inout EvaluationState) -> Bool {
        switch self {
        case .all: return true
        case .none: return false
        case .and(let children):
            for child in children where !child.matches(event, &state) { return false }
            return true
        case .or(let children):
            for child in children where child.matches(event, &state) { return true }
            return false
        case .not(let child): return !child.matches(event, &state)
        case .leaf(let leaf): return leaf.matches(event, &state)
        }
    }
}

extension PreparedLeaf {
    func matches(_ event: some EventAccess, _ state: inout EvaluationState) -> Bool {
        let message = IndexingRules.messageField
        switch self.test {
        case .messageTerms(let terms):
            var fields = 0
            for field in 0..<event.fieldCount where event.nameEquals(field, message) {
                fields += 1
                Self.tokenize(event, field, &state)
                if Self.hasPhrase(terms, state.tokenizer) { return true }
            }
            return fields > 1 && terms.count > 1 && Self.phraseAcrossFields(terms, event, &state)
        case .messagePrefix(let prefix):
            for field in 0..<event.fieldCount where event.nameEquals(field, message) {
                Self.tokenize(event, field, &state)
                for index in 0..<state.tokenizer.count where state.tokenizer.term(index).starts(with: prefix) {
                    return true
                }
            }
            return false
        case .messagePrefixPhrase(let terms, let prefix):
            let fields = Self.messageFields(event)
            var lists: [[[UInt8]]] = []
            for field in fields {
                Self.tokenize(event, field, &state)
                lists.append((0..<state.tokenizer.count).map { Array(state.tokenizer.term($0)) })
            }
            let length = lists.map(\.count).max() ?? 0
            let n = terms.count
            for p in 0..<length {
                var ok = true
                for i in 0...n {
                    let found = lists.contains { list in
                        guard p + i < list.count else { return false }
                        return i < n ? list[p + i] == terms[i] : list[p + i].starts(with: prefix)
                    }
                    if !found {
                        ok = false
                        break
                    }
                }
                if ok { return true }
            }
            return false
        case .messageWildcard(let glob):
            for field in 0..<event.fieldCount where event.nameEquals(field, message) {
                Self.tokenize(event, field, &state)
                for index in 0..<state.tokenizer.count where glob.matches(state.tokenizer.term(index)) { return true }
            }
            return false
        case .messageRegex(let regex, _):
            let matcher = state.matcher(self.id, regex)
            var fields = 0
            for field in 0..<event.fieldCount where event.nameEquals(field, message) {
                fields += 1
                state.scratch.removeAll(keepingCapacity: true)
                FieldValueText.appendText(
                    kind: event.kind(field),
                    raw: event.raw(field),
                    payload: event.payload(field),
                    into: &state.scratch
                )
                if state.scratch.withUnsafeBufferPointer({ matcher.matches($0.span) }) { return true }
            }
            return fields == 0 && event.line.withUnsafeBufferPointer { matcher.matches($0.span) }
        case .messageExists:
            return (0..<event.fieldCount).contains { event.nameEquals($0, message) }
        case .fieldExists(let name):
            return Self.fieldMatches(name, .exists, event, &state)
        case .field(let name, let test), .verifyField(let name, let test):
            return Self.fieldMatches(name, test, event, &state)
        case .numericRange(let name, let lower, let lowerInclusive, let upper, let upperInclusive):
            return Self.fieldMatches(
                name,
                .numericRange(
                    lower: lower,
                    lowerInclusive: lowerInclusive,
                    upper: upper,
                    upperInclusive: upperInclusive
                ),
                event,
                &state
            )
        case .timeRange(let from, let to):
            return TimeWindow(from: from, to: to).contains(event.timestamp)
        }
    }

    private static func messageFields(_ event: some EventAccess) -> [Int] {
        (0..<event.fieldCount).filter { event.nameEquals($0, IndexingRules.messageField) }
    }

    /// Tokenizes a message field as the index does (escapes decoded first).
    private static func tokenize(_ event: some EventAccess, _ field: Int, _ state: inout EvaluationState) {
        let kind = event.kind(field)
        if kind == .jsonEscaped || kind == .structuredDataEscaped {
            state.scratch.removeAll(keepingCapacity: true)
            if kind == .jsonEscaped {
                Escapes.decodeJSON(event.raw(field), into: &state.scratch)
            } else {
                Escapes.decodeStructuredData(event.raw(field), into: &state.scratch)
            }
            let scratch = state.scratch
            scratch.withUnsafeBufferPointer { state.tokenizer.tokenize($0) }
        } else {
            event.raw(field).withUnsafeBufferPointer { state.tokenizer.tokenize($0) }
        }
    }

    private static func hasPhrase(_ terms: [[UInt8]], _ tokens: Tokenizer) -> Bool {
        guard tokens.count >= terms.count else { return false }
        for p in 0...(tokens.count - terms.count) {
            var ok = true
            for i in 0..<terms.count where !tokens.term(p + i).elementsEqual(terms[i]) {
                ok = false
                break
            }
            if ok { return true }
        }
        return false
    }

    /// The index keeps one position list per doc, so with several message fields a phrase may
    /// take its terms from different fields at consecutive positions; match that too.
    private static func phraseAcrossFields(
        _ terms: [[UInt8]],
        _ event: some EventAccess,
        _ state: inout EvaluationState
    ) -> Bool {
        let fields = Self.messageFields(event)
        guard fields.count > 1, terms.count > 1 else { return false }
        var lists: [[[UInt8]]] = []
        for field in fields {
            Self.tokenize(event, field, &state)
            lists.append((0..<state.tokenizer.count).map { Array(state.tokenizer.term($0)) })
        }
        let length = lists.map(\.count).max() ?? 0
        for p in 0..<length {
            var ok = true
            for i in 0..<terms.count {
                if !lists.contains(where: { p + i < $0.count && $0[p + i] == terms[i] }) {
                    ok = false
                    break
                }
            }
            if ok { return true }
        }
        return false
    }

    /// Whether any value of field `name` passes `test`; `source` and `file` also offer the
    /// input's name and path, as the index does.
    private static func fieldMatches(
        _ name: String,
        _ test: ValueTest,
        _ event: some EventAccess,
        _ state: inout EvaluationState
    ) -> Bool {
        if name == IndexingRules.sourceField {
            if Self.termMatches(Array(event.sourceName.utf8)[...], kind: .text, payload: 0, test, &state) {
                return true
            }
        } else if name == IndexingRules.fileField, let file = event.fileName {
            if Self.termMatches(Array(file.utf8)[...], kind: .text, payload: 0, test, &state) { return true }
        }
        for field in 0..<event.fieldCount where event.nameEquals(field, name) {
            let kind = event.kind(field)
            if case .numericRange(let lower, let lowerInclusive, let upper, let upperInclusive) = test {
                let value: NumericValue
                switch kind {
                case .integer: value = .integer(event.payload(field))
                case .decimal: value = .decimal(Double(bitPattern: UInt64(bitPattern: event.payload(field))))
                default: continue
                }
                if ByteOrder.numericInRange(value, lower, lowerInclusive, upper, upperInclusive) { return true }
                continue
            }
            if case .exists = test { return true }
            state.scratch.removeAll(keepingCapacity: true)
            IndexingRules.exactTerm(
                of: kind,
                raw: event.raw(field),
                payload: event.payload(field),
                into: &state.scratch
            )
            let term = state.scratch
            if Self.termMatches(term[...], kind: kind, payload: event.payload(field), test, &state) { return true }
        }
        return false
    }

    private static func termMatches(
        _ term: ArraySlice<UInt8>,
        kind: ValueKind,
        payload: Int64,
        _ test: ValueTest,
        _ state: inout EvaluationState
    ) -> Bool {
        switch test {
        case .exists: return true
        case .numericRange: return false
        case .regex(let regex, _):
            // One matcher per regex object and evaluation.
            let matcher = state.regexMatcher(regex)
            return term.withUnsafeBufferPointer { matcher.matches($0.span) }
        default:
            return test.matches(term) { fatalError("regex handled above") }
        }
    }
}

extension EvaluationState {
    /// A matcher for a field regex, cached by the regex's identity.
    mutating func regexMatcher(_ regex: PCRE2Regex) -> PCRE2Matcher {
        for case let matcher? in self.matchers where matcher.regex === regex { return matcher }
        let matcher = PCRE2Matcher(regex)
        self.matchers.append(matcher)
        return matcher
    }
}
