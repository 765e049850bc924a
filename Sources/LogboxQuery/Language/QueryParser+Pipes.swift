/// The pipes after the filter: `| stats …`, `| top …`, `| sort …`, and so on.
///
/// Names in pipes (fields, aliases) are field-name runs or quoted strings; counts are decimal.
extension QuerySyntaxParser {
    static let pipeNames = ["stats", "top", "rare", "timechart", "sort", "head", "tail", "fields", "where"]
    static let functionNames = [
        "count", "count_uniq", "sum", "avg", "min", "max", "quantile", "p50", "p90", "p95", "p99",
    ]

    mutating func parsePipes() throws(QueryError) -> [Pipe] {
        var pipes: [Pipe] = []
        while true {
            self.scanner.skipSpace()
            guard self.scanner.peek() != nil else { return pipes }
            guard self.scanner.peek() == "|" else {
                throw QueryError(
                    .syntax,
                    "unexpected '\(self.lexemeAtReadPosition())'",
                    column: self.scanner.column
                )
            }
            self.scanner.index += 1
            self.scanner.skipSpace()
            let nameStart = self.scanner.index
            let length = self.scanner.nameLength(at: nameStart)
            guard length > 0 else {
                throw QueryError(
                    .syntax,
                    "expected a pipe after '|'",
                    column: nameStart + 1,
                    hint: "pipes: \(Self.pipeNames.joined(separator: ", ")); write OR between alternatives"
                )
            }
            let name = self.scanner.text(nameStart..<(nameStart + length))
            self.scanner.index += length
            let pipe = try self.parsePipe(name, column: nameStart + 1)
            pipes.append(pipe)
            self.scanner.skipSpace()
            if let s = self.scanner.peek(), s != "|" {
                throw QueryError(
                    .syntax,
                    "unexpected '\(self.lexemeAtReadPosition())' after the '\(name)' pipe",
                    column: self.scanner.column,
                    hint: "pipes are separated by '|'"
                )
            }
        }
    }

    private mutating func parsePipe(_ name: String, column: Int) throws(QueryError) -> Pipe {
        switch name {
        case "stats":
            let aggregations = try self.parseAggregations(after: "stats")
            return .stats(aggregations: aggregations, by: try self.parseBy())
        case "top", "rare":
            var limit = 10
            var written = name
            self.scanner.skipSpace()
            if let s = self.scanner.peek(), QueryScanner.isDigit(s) {
                let count = try self.readCount(after: name)
                limit = count
                written += " \(count)"
            }
            let field = try self.readName("a field", after: written)
            return .top(limit: limit, field: field, rare: name == "rare")
        case "timechart":
            let span = try self.parseSpan()
            let aggregations = try self.parseAggregations(after: "span=\(span.text)")
            return .timechart(spanNanoseconds: span.nanoseconds, aggregations: aggregations, by: try self.parseBy())
        case "sort":
            _ = self.consumeKeyword("by")
            return .sort(try self.parseSortKeys())
        case "head", "tail":
            self.scanner.skipSpace()
            var limit = 10
            if let s = self.scanner.peek(), QueryScanner.isDigit(s) { limit = try self.readCount(after: name) }
            return name == "head" ? .head(limit) : .tail(limit)
        case "fields":
            return .fields(try self.parseNameList(after: "fields", allowSpaces: true))
        case "where":
            self.scanner.skipSpace()
            if self.scanner.isAtEnd || self.scanner.peek() == "|" {
                throw QueryError(
                    .syntax,
                    "expected a filter after 'where'",
                    column: self.scanner.column,
                    hint: "such as where count > 10 or where level:error"
                )
            }
            let filter = try self.parseOr(.whereFilter, depth: 0)
            try self.expectEndOfFilter()
            return .where(filter)
        default:
            let suggestion = FieldSuggestions.closest(to: name, among: Self.pipeNames, limit: 1).first
            throw QueryError(
                .syntax,
                "unknown pipe '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                column: column,
                hint: "pipes: \(Self.pipeNames.joined(separator: ", "))"
            )
        }
    }

    // MARK: Aggregations

    /// One or more aggregations separated by commas; what follows must be `by`, `|` or the end.
    private mutating func parseAggregations(after: String) throws(QueryError) -> [Aggregation] {
        var aggregations: [Aggregation] = []
        var previous = after
        while true {
            let start = self.scanner.index
            aggregations.append(try self.parseAggregation(after: previous))
            previous = self.scanner.text(start..<self.scanner.index).trimmingLeadingSpace
            self.scanner.skipSpace()
            guard self.scanner.peek() == "," else { break }
            self.scanner.index += 1
            previous = ","
        }
        if let s = self.scanner.peek(), s != "|", !self.scanner.hasKeyword("by") {
            throw QueryError(
                .syntax,
                "expected ',' or 'by' after '\(previous)'",
                column: self.scanner.column
            )
        }
        return aggregations
    }

    private mutating func parseAggregation(after: String) throws(QueryError) -> Aggregation {
        self.scanner.skipSpace()
        let start = self.scanner.index
        let length = self.scanner.nameLength(at: start)
        guard length > 0, !self.scanner.hasKeyword("by") else {
            let place = self.scanner.hasKeyword("by") ? "before 'by'" : "after '\(after)'"
            throw QueryError(
                .syntax,
                "expected an aggregation such as count() \(place)",
                column: start + 1,
                hint: "aggregations: count(), count(f), count_uniq(f), sum(f), avg(f), min(f), max(f), "
                    + "quantile(0.9, f), p50(f), p90(f), p95(f), p99(f)"
            )
        }
        let function = self.scanner.text(start..<(start + length))
        guard let kind = Self.function(named: function) else {
            let suggestion = FieldSuggestions.closest(to: function, among: Self.functionNames, limit: 1).first
            throw QueryError(
                .invalid,
                "unknown function '\(function)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                column: start + 1,
                hint: "functions: \(Self.functionNames.joined(separator: ", "))"
            )
        }
        self.scanner.index += length
        self.scanner.skipSpace()
        guard self.scanner.peek() == "(" else {
            throw QueryError(
                .syntax,
                "expected '(' after '\(function)'",
                column: self.scanner.column,
                hint: "write \(function == "count" ? "count()" : "\(function)(field)")"
            )
        }
        let open = self.scanner.index
        self.scanner.index += 1
        self.scanner.skipSpace()
        var resolved = kind
        var fractionText = ""
        if function == "quantile" {
            let numberStart = self.scanner.index
            let numberLength = self.scanner.nameLength(at: numberStart)
            fractionText = self.scanner.text(numberStart..<(numberStart + numberLength))
            guard numberLength > 0, let fraction = Double(fractionText), fraction >= 0, fraction <= 1 else {
                throw QueryError(
                    .invalid,
                    "expected a fraction from 0 to 1 in 'quantile('",
                    column: numberStart + 1,
                    hint: "such as quantile(0.9, request_time)"
                )
            }
            resolved = .quantile(fraction)
            self.scanner.index += numberLength
            self.scanner.skipSpace()
            guard self.scanner.peek() == "," else {
                throw QueryError(
                    .syntax,
                    "expected ',' after the fraction in 'quantile('",
                    column: self.scanner.column,
                    hint: "such as quantile(0.9, request_time)"
                )
            }
            self.scanner.index += 1
            self.scanner.skipSpace()
        }
        var field: String?
        if let s = self.scanner.peek(), s != ")", s != "|" {
            field = try self.readName("a field", after: "\(function)(")
        }
        self.scanner.skipSpace()
        guard self.scanner.peek() == ")" else {
            throw QueryError(
                .syntax,
                "expected ')' to close '\(function)(' at column \(open + 1)",
                column: self.scanner.column
            )
        }
        guard field != nil || function == "count" else {
            throw QueryError(
                .syntax,
                "expected a field inside '\(function)()'",
                column: self.scanner.column,
                hint: "such as \(function)(\(function == "quantile" ? "0.9, " : "")request_time)"
            )
        }
        self.scanner.index += 1
        var name: String
        switch (function, field) {
        case ("count", nil): name = "count"
        case ("quantile", let field?): name = "quantile(\(fractionText), \(field))"
        case (_, let field?): name = "\(function)(\(field))"
        case (_, nil): name = function
        }
        if self.consumeKeyword("as") { name = try self.readName("a name", after: "as") }
        return Aggregation(function: resolved, field: field, name: name)
    }

    /// `count`, `sum`, … and `pNN` (NN from 1 to 99, a percentile).
    static func function(named name: String) -> Aggregation.Function? {
        switch name {
        case "count": return .count
        case "count_uniq": return .countUnique
        case "sum": return .sum
        case "avg": return .average
        case "min": return .minimum
        case "max": return .maximum
        case "quantile": return .quantile(0)
        default:
            let scalars = Array(name.unicodeScalars)
            guard scalars.count == 2 || scalars.count == 3, scalars[0] == "p",
                scalars.dropFirst().allSatisfy(QueryScanner.isDigit)
            else { return nil }
            let percent = scalars.dropFirst().reduce(0) { $0 * 10 + Int($1.value - 0x30) }
            guard percent >= 1, percent <= 99 else { return nil }
            return .quantile(Double(percent) / 100)
        }
    }

    /// `by (a, b)` or `by a, b`; empty when there is no `by`.
    private mutating func parseBy() throws(QueryError) -> [String] {
        guard self.consumeKeyword("by") else { return [] }
        return try self.parseNameList(after: "by", allowSpaces: false)
    }

    /// Names separated by commas, optionally in parentheses; at least one.
    private mutating func parseNameList(after: String, allowSpaces: Bool) throws(QueryError) -> [String] {
        self.scanner.skipSpace()
        let open = self.scanner.peek() == "(" ? self.scanner.index : nil
        if open != nil { self.scanner.index += 1 }
        var names = [try self.readName("a field", after: open == nil ? after : "\(after) (")]
        while true {
            self.scanner.skipSpace()
            if self.scanner.peek() == "," {
                self.scanner.index += 1
                names.append(try self.readName("a field", after: ","))
            } else if allowSpaces, let s = self.scanner.peek(), s == "\"" || QueryScanner.isNameScalar(s) {
                names.append(try self.readName("a field", after: names.last ?? after))
            } else {
                break
            }
        }
        if let open { try self.expectClose(open) }
        return names
    }

    // MARK: timechart, sort

    private mutating func parseSpan() throws(QueryError) -> (nanoseconds: Int64, text: String) {
        self.scanner.skipSpace()
        guard self.scanner.hasKeyword("span") else {
            throw QueryError(
                .syntax,
                "expected 'span=' after 'timechart'",
                column: self.scanner.column,
                hint: "such as timechart span=5m count()"
            )
        }
        self.scanner.index += 4
        self.scanner.skipSpace()
        guard self.scanner.peek() == "=" else {
            throw QueryError(.syntax, "expected '=' after 'span'", column: self.scanner.column, hint: "such as span=5m")
        }
        self.scanner.index += 1
        self.scanner.skipSpace()
        let start = self.scanner.index
        let length = self.scanner.nameLength(at: start)
        let text = self.scanner.text(start..<(start + length))
        guard let span = Self.spanNanoseconds(text) else {
            throw QueryError(
                .syntax,
                length == 0 ? "expected a span after 'span='" : "'\(text)' is not a span",
                column: start + 1,
                hint: "write a whole number and s, m, h or d, such as span=5m"
            )
        }
        guard span > 0 else {
            throw QueryError(.invalid, "the span must be greater than 0", column: start + 1, hint: "such as span=5m")
        }
        self.scanner.index += length
        return (span, text)
    }

    /// `5m` as nanoseconds; nil when it is not digits and one of `s m h d`, or overflows.
    static func spanNanoseconds(_ text: String) -> Int64? {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 2, let unit = scalars.last else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3_600
        case "d": seconds = 86_400
        default: return nil
        }
        var value: Int64 = 0
        for s in scalars.dropLast() {
            guard QueryScanner.isDigit(s) else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(s.value - 0x30))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        let (total, overflow) = value.multipliedReportingOverflow(by: seconds * 1_000_000_000)
        return overflow ? nil : total
    }

    private mutating func parseSortKeys() throws(QueryError) -> [SortKey] {
        self.scanner.skipSpace()
        let open = self.scanner.peek() == "(" ? self.scanner.index : nil
        if open != nil { self.scanner.index += 1 }
        var keys: [SortKey] = []
        var after = open == nil ? "sort by" : "sort by ("
        while true {
            let field = try self.readName("a field", after: after)
            var descending = false
            self.scanner.skipSpace()
            let length = self.scanner.nameLength(at: self.scanner.index)
            let word = self.scanner.text(self.scanner.index..<(self.scanner.index + length)).lowercased()
            if word == "desc" || word == "asc" {
                descending = word == "desc"
                self.scanner.index += length
            }
            keys.append(SortKey(field: field, descending: descending))
            self.scanner.skipSpace()
            guard self.scanner.peek() == "," else { break }
            self.scanner.index += 1
            after = ","
        }
        if let open { try self.expectClose(open) }
        return keys
    }

    // MARK: Pieces

    /// A field name or alias: a field-name run, or a quoted string.
    private mutating func readName(_ what: String, after: String) throws(QueryError) -> String {
        self.scanner.skipSpace()
        if self.scanner.peek() == "\"" {
            let start = self.scanner.index
            let name = try self.scanner.scanQuoted()
            guard !name.isEmpty else { throw QueryError(.syntax, "expected \(what), not \"\"", column: start + 1) }
            return name
        }
        let start = self.scanner.index
        let length = self.scanner.nameLength(at: start)
        guard length > 0 else {
            throw QueryError(.syntax, "expected \(what) after '\(after)'", column: start + 1)
        }
        self.scanner.index += length
        return self.scanner.text(start..<(start + length))
    }

    /// A whole number of at least 1 at the read position (which is a digit).
    private mutating func readCount(after: String) throws(QueryError) -> Int {
        let start = self.scanner.index
        let length = self.scanner.nameLength(at: start)
        let text = self.scanner.text(start..<(start + length))
        guard text.unicodeScalars.allSatisfy(QueryScanner.isDigit) else {
            throw QueryError(.syntax, "'\(text)' is not a count", column: start + 1, hint: "such as \(after) 10")
        }
        guard let count = Int(text), count >= 1 else {
            throw QueryError(
                .invalid,
                "the count after '\(after)' must be from 1 to \(Int.max)",
                column: start + 1
            )
        }
        self.scanner.index += length
        return count
    }

    /// Consumes `word` (after spaces) when it is the next whole name.
    private mutating func consumeKeyword(_ word: String) -> Bool {
        let saved = self.scanner.index
        self.scanner.skipSpace()
        if self.scanner.hasKeyword(word) {
            self.scanner.index += word.unicodeScalars.count
            return true
        }
        self.scanner.index = saved
        return false
    }

    /// The name run or single scalar at the read position, for error messages.
    func lexemeAtReadPosition() -> String {
        let length = self.scanner.nameLength(at: self.scanner.index)
        return self.scanner.text(self.scanner.index..<(self.scanner.index + max(length, 1)))
    }
}

extension String {
    fileprivate var trimmingLeadingSpace: String {
        String(self.drop(while: \.isWhitespace))
    }
}
