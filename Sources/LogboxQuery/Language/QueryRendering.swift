/// Writing queries back as text: canonical syntax that `QueryParser` reads back to the same tree.
///
/// `QueryParser.parse(f.queryText).filter.withoutColumns() == f.withoutColumns()` holds for every
/// filter the parser can produce, which is every tree that is:
/// - flat: no `and` directly inside an `and`, no `or` inside an `or`, and no `and`/`or` with
///   fewer than two items (`flattened` makes a tree so);
/// - made of representable clauses: a field name of letters, digits and `_ . @ -` not starting
///   with `-` (in a `where` pipe also `name(args)` such as `p95(x)`); on the message (`field ==
///   nil`) only `word`, `phrase`, `prefix`, `wildcard` and `regex`, where words, phrases and
///   prefixes hold at least one letter or digit (a term); a non-empty `word` and `prefix`; a
///   `wildcard` with a `?`, or a `*` other than one alone at the end; a regex without `\/` or a
///   trailing lone `\`; a `CIDR` of 16 bytes whose `isIPv4` ones are `::ffff:` mapped with a
///   prefix of at least 96.
/// Columns are not text, so the round trip compares trees with `withoutColumns()`. Pipes round
/// trip too: aggregations whose `name` is not the default are written with `as`.
extension Query {
    /// The query in canonical syntax: the filter, then ` | ` and each pipe.
    public var queryText: String {
        ([self.filter.queryText] + self.pipes.map(\.queryText)).joined(separator: " | ")
    }

    /// The query with every clause's column set to 0, to compare trees regardless of layout.
    public func withoutColumns() -> Query {
        Query(text: self.text, filter: self.filter.withoutColumns(), pipes: self.pipes.map { $0.withoutColumns() })
    }
}

extension Filter {
    /// The filter in canonical query syntax.
    public var queryText: String { QueryRenderer.filter(self, inWhere: false) }

    /// The filter with every clause's column set to 0.
    public func withoutColumns() -> Filter {
        switch self {
        case .all:
            return .all
        case .and(let items):
            return .and(items.map { $0.withoutColumns() })
        case .or(let items):
            return .or(items.map { $0.withoutColumns() })
        case .not(let inner):
            return .not(inner.withoutColumns())
        case .match(let clause):
            var copy = clause
            copy.column = 0
            return .match(copy)
        }
    }

    /// The same filter with nested `and`s (and `or`s) merged and one-item groups unwrapped, as
    /// the parser builds them.
    public var flattened: Filter {
        switch self {
        case .all, .match: return self
        case .not(let inner): return .not(inner.flattened)
        case .and(let items):
            let flat = items.flatMap { item -> [Filter] in
                if case .and(let inner) = item.flattened { return inner }
                return [item.flattened]
            }
            return flat.count == 1 ? flat[0] : .and(flat)
        case .or(let items):
            let flat = items.flatMap { item -> [Filter] in
                if case .or(let inner) = item.flattened { return inner }
                return [item.flattened]
            }
            return flat.count == 1 ? flat[0] : .or(flat)
        }
    }
}

extension Pipe {
    /// The pipe in canonical syntax, without the leading `|`.
    public var queryText: String {
        switch self {
        case .stats(let aggregations, let by):
            return "stats " + aggregations.map(QueryRenderer.aggregation).joined(separator: ", ")
                + QueryRenderer.by(by)
        case .top(let limit, let field, let rare):
            return "\(rare ? "rare" : "top") \(limit) \(QueryRenderer.name(field))"
        case .timechart(let span, let aggregations, let by):
            return "timechart span=\(QueryRenderer.span(span)) "
                + aggregations.map(QueryRenderer.aggregation).joined(separator: ", ") + QueryRenderer.by(by)
        case .sort(let keys):
            let list = keys.map { QueryRenderer.name($0.field) + ($0.descending ? " desc" : "") }
            return "sort by (" + list.joined(separator: ", ") + ")"
        case .head(let count):
            return "head \(count)"
        case .tail(let count):
            return "tail \(count)"
        case .fields(let names):
            return "fields " + names.map(QueryRenderer.name).joined(separator: ", ")
        case .where(let filter):
            return "where " + QueryRenderer.filter(filter, inWhere: true)
        }
    }

    /// The pipe with the columns of a `where` filter set to 0.
    public func withoutColumns() -> Pipe {
        if case .where(let filter) = self { return .where(filter.withoutColumns()) }
        return self
    }
}

/// The text-writing rules, shared by the extensions above.
enum QueryRenderer {
    static func filter(_ filter: Filter, inWhere: Bool) -> String {
        switch filter {
        case .all:
            return "*"
        case .match(let clause):
            return Self.clause(clause, inWhere: inWhere)
        case .not(let inner):
            return "NOT " + Self.grouped(inner, inWhere: inWhere, unless: { _ in false })
        case .and(let items):
            guard !items.isEmpty else { return "*" }
            return items.map { Self.grouped($0, inWhere: inWhere, unless: { _ in false }) }.joined(separator: " ")
        case .or(let items):
            guard !items.isEmpty else { return "NOT *" }
            return items.map {
                Self.grouped($0, inWhere: inWhere) {
                    if case .and = $0 { return true }
                    return false
                }
            }.joined(separator: " OR ")
        }
    }

    /// An operand: `and` and `or` go in parentheses unless `bare` says the context binds looser.
    private static func grouped(_ filter: Filter, inWhere: Bool, unless bare: (Filter) -> Bool) -> String {
        switch filter {
        case .and, .or:
            if bare(filter) { return Self.filter(filter, inWhere: inWhere) }
            return "(" + Self.filter(filter, inWhere: inWhere) + ")"
        default:
            return Self.filter(filter, inWhere: inWhere)
        }
    }

    static func clause(_ clause: Clause, inWhere: Bool) -> String {
        guard let field = clause.field else {
            switch clause.matcher {
            case .word(let text): return Self.raw(text, onMessage: true, inWhere: inWhere)
            case .phrase(let text): return Self.quoted(text)
            case .prefix(let text): return Self.raw(text, onMessage: true, inWhere: inWhere, followedByStar: true) + "*"
            case .wildcard(let pattern):
                return Self.raw(pattern, onMessage: true, inWhere: inWhere, keepWildcards: true)
            case .regex(let body): return Self.regex(body)
            // Not expressible on the message: written on the `message` field instead.
            default: return Self.clause(Clause(field: "message", matcher: clause.matcher, column: 0), inWhere: inWhere)
            }
        }
        let prefix = Self.fieldName(field, inWhere: inWhere) + ":"
        switch clause.matcher {
        case .word(let text):
            return prefix + (text.isEmpty ? "\"\"" : Self.raw(text, onMessage: false))
        case .phrase(let text):
            return prefix + Self.quoted(text)
        case .prefix(let text):
            return prefix + Self.raw(text, onMessage: false, followedByStar: true) + "*"
        case .wildcard(let pattern):
            return prefix + Self.raw(pattern, onMessage: false, keepWildcards: true)
        case .exists:
            return prefix + "*"
        case .regex(let body):
            return prefix + Self.regex(body)
        case .range(let lower, let upper):
            return prefix + Self.range(lower: lower, upper: upper)
        case .cidr(let cidr):
            return prefix + CIDRText.format(cidr)
        }
    }

    static func fieldName(_ field: String, inWhere: Bool) -> String {
        // Other names cannot be written; the text shows them as they are.
        field
    }

    /// An unquoted word with `\` before every character that would end it or mean something.
    static func raw(
        _ text: String,
        onMessage: Bool,
        inWhere: Bool = false,
        keepWildcards: Bool = false,
        followedByStar: Bool = false
    ) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        let isOperator = text == "AND" || text == "OR" || text == "NOT"
        // A value that reads as a network (or a bad one) keeps its text by escaping the slash.
        var networkSlash: Int?
        if !onMessage, !keepWildcards, scalars.contains("/") {
            if case .notNetwork = CIDRText.read(scalars) {} else { networkSlash = scalars.lastIndex(of: "/") }
        }
        for (i, s) in scalars.enumerated() {
            var escape = QueryScanner.endsWord(s) || s == "\\"
            if !keepWildcards, s == "*" || s == "?" { escape = true }
            if onMessage, s == ":" { escape = true }
            // In `where`, `count>5` would read as a comparison.
            if onMessage, inWhere, s == ">" || s == "<" || s == "=" || s == "!" { escape = true }
            if i == 0 {
                switch s {
                case "[", "{", ">", "<", "=", "!": escape = true
                case "-": escape = escape || onMessage
                case "/": escape = escape || Self.wouldReadAsRegex(scalars, followedByStar: followedByStar)
                default: escape = escape || isOperator
                }
            }
            if i == networkSlash { escape = true }
            if escape { out.append("\\") }
            out.append(s)
        }
        return String(out)
    }

    /// Whether a word starting with `/` would be read as a regex (see `QueryScanner.scanRegex`)
    /// once written: when it has no other `/` (the regex could close in later text) or its
    /// first other `/` ends it.
    private static func wouldReadAsRegex(_ scalars: [Unicode.Scalar], followedByStar: Bool) -> Bool {
        guard let inner = scalars.dropFirst().firstIndex(of: "/") else { return true }
        return inner == scalars.count - 1 && !followedByStar
    }

    static func quoted(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("\"")
        for s in text.unicodeScalars {
            if s == "\"" || s == "\\" { out.append("\\") }
            out.append(s)
        }
        out.append("\"")
        return String(out)
    }

    static func regex(_ body: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("/")
        var iterator = body.unicodeScalars.makeIterator()
        while let s = iterator.next() {
            if s == "\\" {
                out.append(s)
                if let next = iterator.next() { out.append(next) }
            } else {
                if s == "/" { out.append("\\") }
                out.append(s)
            }
        }
        out.append("/")
        return String(out)
    }

    static func range(lower: RangeBound?, upper: RangeBound?) -> String {
        switch (lower, upper) {
        case (nil, nil):
            return "[* TO *]"
        case (let lower?, nil):
            return (lower.inclusive ? ">=" : ">") + Self.comparisonValue(lower.value)
        case (nil, let upper?):
            return (upper.inclusive ? "<=" : "<") + Self.comparisonValue(upper.value)
        case (let lower?, let upper?):
            return (lower.inclusive ? "[" : "{") + Self.bound(lower.value) + " TO " + Self.bound(upper.value)
                + (upper.inclusive ? "]" : "}")
        }
    }

    private static func comparisonValue(_ value: String) -> String {
        let plain =
            !value.isEmpty && value != "*" && value.unicodeScalars.first != "="
            && !value.unicodeScalars.contains { QueryScanner.endsWord($0) || $0 == "\\" }
        return plain ? value : Self.quoted(value)
    }

    private static func bound(_ value: String) -> String {
        let plain =
            !value.isEmpty && value != "*" && value != "TO"
            && !value.unicodeScalars.contains { QueryScanner.endsBound($0) || $0 == "\\" }
        return plain ? value : Self.quoted(value)
    }

    /// A name in a pipe: bare when it is a field-name run, else quoted.
    static func name(_ name: String) -> String {
        let bare = !name.isEmpty && name.unicodeScalars.allSatisfy(QueryScanner.isNameScalar)
        return bare ? name : Self.quoted(name)
    }

    static func by(_ fields: [String]) -> String {
        fields.isEmpty ? "" : " by (" + fields.map(Self.name).joined(separator: ", ") + ")"
    }

    static func span(_ nanoseconds: Int64) -> String {
        let second: Int64 = 1_000_000_000
        for (unit, size) in [("d", 86_400 * second), ("h", 3_600 * second), ("m", 60 * second)]
        where nanoseconds % size == 0 {
            return "\(nanoseconds / size)\(unit)"
        }
        return "\(nanoseconds / second)s"
    }

    static func aggregation(_ aggregation: Aggregation) -> String {
        let field = aggregation.field
        let argument = field.map(Self.name) ?? ""
        var text: String
        var defaultName: String
        switch aggregation.function {
        case .count:
            text = "count(\(argument))"
            defaultName = field.map { "count(\($0))" } ?? "count"
        case .countUnique, .sum, .average, .minimum, .maximum:
            let function = Self.functionName(aggregation.function)
            text = "\(function)(\(argument))"
            defaultName = "\(function)(\(field ?? ""))"
        case .quantile(let fraction):
            let percent = (1...99).first { Double($0) / 100 == fraction }
            if let percent, aggregation.name == "p\(percent)(\(field ?? ""))" {
                text = "p\(percent)(\(argument))"
                defaultName = aggregation.name
            } else {
                text = "quantile(\(fraction), \(argument))"
                defaultName = "quantile(\(fraction), \(field ?? ""))"
            }
        }
        if aggregation.name != defaultName { text += " as " + Self.name(aggregation.name) }
        return text
    }

    private static func functionName(_ function: Aggregation.Function) -> String {
        switch function {
        case .count: "count"
        case .countUnique: "count_uniq"
        case .sum: "sum"
        case .average: "avg"
        case .minimum: "min"
        case .maximum: "max"
        case .quantile: "quantile"
        }
    }
}
