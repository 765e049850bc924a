import LogboxCore
import LogboxParse

/// `where <filter>` over result rows (or events as rows), compiled once.
///
/// A clause compares the cell's value: `word`/`phrase` are equality (as numbers when both the
/// cell and the text read as numbers), `range` compares numbers when both bounds and the cell are
/// numbers and bytes otherwise, `prefix`/`wildcard`/`regex` look at the cell's text (a time as
/// RFC 3339 UTC, so `_time:>=2026-11-29` works byte-wise), `exists` asks for a value; `level:WARN`
/// is normalized like the index does (`warning`). CIDR and bare words (no column) are refused
/// when compiling: rows have no message terms.
final class RowFilter {
    indirect enum Node {
        case all
        case and([Node])
        case or([Node])
        case not(Node)
        case test(field: String, Test)
    }

    enum Test {
        case equal(String, Double?)
        case prefix(String)
        case wildcard([UInt8])
        case exists
        case regex(PCRE2Matcher)
        case range(lower: (String, Double?, Bool)?, upper: (String, Double?, Bool)?)
    }

    let node: Node
    /// The columns the filter reads.
    let fields: [(String, Int)]

    init(_ filter: Filter) throws(QueryError) {
        var fields: [(String, Int)] = []
        self.node = try Self.compile(filter, &fields)
        self.fields = fields
    }

    private static func compile(_ filter: Filter, _ fields: inout [(String, Int)]) throws(QueryError) -> Node {
        switch filter {
        case .all:
            return .all
        case .and(let parts):
            var nodes: [Node] = []
            for part in parts { nodes.append(try compile(part, &fields)) }
            return .and(nodes)
        case .or(let parts):
            var nodes: [Node] = []
            for part in parts { nodes.append(try compile(part, &fields)) }
            return .or(nodes)
        case .not(let part):
            return .not(try compile(part, &fields))
        case .match(let clause):
            guard let field = clause.field else {
                throw QueryError(
                    .invalid,
                    "where compares columns: write column:value",
                    column: clause.column,
                    hint: "put words to search for before the first |"
                )
            }
            fields.append((field, clause.column))
            let test: Test
            switch clause.matcher {
            case .word(let text), .phrase(let text):
                // Level values are normalized names (`warning`), so `level:WARN` is normalized too.
                var text = text
                if field == "level" {
                    let bytes = Array(text.utf8)
                    if let level = Level(word: bytes.span) { text = level.description }
                }
                test = .equal(text, Self.number(text))
            case .prefix(let text):
                test = .prefix(text)
            case .wildcard(let pattern):
                test = .wildcard(Array(pattern.utf8))
            case .exists:
                test = .exists
            case .regex(let pattern):
                do {
                    test = .regex(PCRE2Matcher(try PCRE2Regex(pattern)))
                } catch {
                    throw QueryError(.invalid, "bad regex /\(pattern)/: \(error)", column: clause.column)
                }
            case .range(let lower, let upper):
                test = .range(
                    lower: lower.map { ($0.value, Self.number($0.value), $0.inclusive) },
                    upper: upper.map { ($0.value, Self.number($0.value), $0.inclusive) }
                )
            case .cidr:
                throw QueryError(.invalid, "where does not compare networks", column: clause.column)
            }
            return .test(field: field, test)
        }
    }

    /// The text as a number, when all of it is one.
    static func number(_ text: String) -> Double? {
        guard !text.isEmpty, let first = text.utf8.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
        else { return nil }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Whether the row whose column `name` reads `value(name)` passes.
    func matches(_ value: (String) throws -> ResultValue?) rethrows -> Bool {
        try self.evaluate(self.node, value)
    }

    private func evaluate(_ node: Node, _ value: (String) throws -> ResultValue?) rethrows -> Bool {
        switch node {
        case .all: return true
        case .and(let nodes):
            for node in nodes where !(try self.evaluate(node, value)) { return false }
            return true
        case .or(let nodes):
            for node in nodes where try self.evaluate(node, value) { return true }
            return false
        case .not(let node): return !(try self.evaluate(node, value))
        case .test(let field, let test):
            let cell = try value(field)
            return Self.test(test, cell)
        }
    }

    private static func test(_ test: Test, _ cell: ResultValue?) -> Bool {
        guard let cell else { return false }
        switch test {
        case .exists:
            return true
        case .equal(let text, let number):
            if let number, let own = Self.cellNumber(cell) { return own == number }
            return Self.text(cell) == text
        case .prefix(let prefix):
            return Self.text(cell).utf8.starts(with: prefix.utf8)
        case .wildcard(let pattern):
            return Self.wildcard(pattern[...], Array(Self.text(cell).utf8)[...])
        case .regex(let matcher):
            let bytes = Array(Self.text(cell).utf8)
            return matcher.firstMatch(in: bytes.span) != nil
        case .range(let lower, let upper):
            let own = Self.cellNumber(cell)
            let text = Self.text(cell)
            if let lower {
                let order = Self.order(own, text, lower.1, lower.0)
                if order < 0 || (order == 0 && !lower.2) { return false }
            }
            if let upper {
                let order = Self.order(own, text, upper.1, upper.0)
                if order > 0 || (order == 0 && !upper.2) { return false }
            }
            return true
        }
    }

    /// Order of a cell against a bound: numeric when both are numbers, else byte-wise; `*` is open.
    private static func order(_ number: Double?, _ text: String, _ boundNumber: Double?, _ bound: String) -> Int {
        if bound == "*" { return 0 }
        if let number, let boundNumber { return number < boundNumber ? -1 : (number == boundNumber ? 0 : 1) }
        if text == bound { return 0 }
        return text.utf8.lexicographicallyPrecedes(bound.utf8) ? -1 : 1
    }

    private static func cellNumber(_ cell: ResultValue) -> Double? {
        switch cell {
        case .integer(let value): Double(value)
        case .number(let value): value
        case .time(let value): Double(value)
        case .text(let text): Self.number(text)
        }
    }

    private static func text(_ cell: ResultValue) -> String {
        if case .text(let text) = cell { return text }
        return cell.description
    }

    /// `*` any run of bytes, `?` one byte, over the whole value.
    static func wildcard(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        var star: Int?
        var resume = t
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                star = p
                p += 1
                resume = t
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}
