/// The query text as Unicode scalars with a read position: the lexer under `QueryParser`.
///
/// Columns count Unicode scalars (1-based), as `QueryError.rendered(query:)` draws its caret, so a
/// column is simply `index + 1`. The scanner never traps: every read checks the index.
struct QueryScanner {
    let scalars: [Unicode.Scalar]
    var index = 0

    init(_ text: String) {
        self.scalars = Array(text.unicodeScalars)
    }

    var isAtEnd: Bool { self.index >= self.scalars.count }

    /// The scalar `offset` places after the read position, or nil past the end.
    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = self.index + offset
        return i >= 0 && i < self.scalars.count ? self.scalars[i] : nil
    }

    func scalar(at i: Int) -> Unicode.Scalar? {
        i >= 0 && i < self.scalars.count ? self.scalars[i] : nil
    }

    /// 1-based column of the read position.
    var column: Int { self.index + 1 }

    mutating func skipSpace() {
        while let s = self.peek(), Self.isSpace(s) { self.index += 1 }
    }

    /// The text of `range`, clamped to the query.
    func text(_ range: Range<Int>) -> String {
        let lower = max(0, min(range.lowerBound, self.scalars.count))
        let upper = max(lower, min(range.upperBound, self.scalars.count))
        var view = String.UnicodeScalarView()
        view.append(contentsOf: self.scalars[lower..<upper])
        return String(view)
    }

    /// Whether the scalars at the read position spell `word` (ASCII) and the word ends there.
    func hasKeyword(_ word: String) -> Bool {
        var j = self.index
        for s in word.unicodeScalars {
            guard self.scalar(at: j) == s else { return false }
            j += 1
        }
        guard let after = self.scalar(at: j) else { return true }
        return !Self.isNameScalar(after)
    }

    // MARK: Character classes

    static func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    /// Letters, digits and `_ . @ -`: what a field name is made of.
    static func isNameScalar(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x5F, 0x2E, 0x40, 0x2D: return true  // _ . @ -
        case 0..<0x80: return false
        default: return s.properties.isAlphabetic
        }
    }

    static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }

    /// Scalars that end an unquoted word or value (unless escaped with `\`).
    static func endsWord(_ s: Unicode.Scalar) -> Bool {
        Self.isSpace(s) || s == "(" || s == ")" || s == "\"" || s == "|"
    }

    /// Scalars that end an unquoted range bound.
    static func endsBound(_ s: Unicode.Scalar) -> Bool {
        Self.endsWord(s) || s == "]" || s == "}"
    }

    // MARK: Lexemes

    /// The length of the field-name run starting at `start` (0 when there is none).
    func nameLength(at start: Int) -> Int {
        var j = start
        while let s = self.scalar(at: j), Self.isNameScalar(s) { j += 1 }
        return j - start
    }

    /// A quoted string at the read position (which must be `"`): its text with `\"` and `\\`
    /// decoded (any other backslash stays as written), and the index after the closing quote.
    mutating func scanQuoted() throws(QueryError) -> String {
        let start = self.index
        var view = String.UnicodeScalarView()
        var j = start + 1
        while let s = self.scalar(at: j) {
            if s == "\\", let next = self.scalar(at: j + 1), next == "\"" || next == "\\" {
                view.append(next)
                j += 2
                continue
            }
            if s == "\"" {
                self.index = j + 1
                return String(view)
            }
            view.append(s)
            j += 1
        }
        throw QueryError(
            .syntax,
            "unclosed quote started at column \(start + 1)",
            column: start + 1,
            hint: "end the phrase with '\"'; write \\\" for a quote inside it"
        )
    }

    /// A `/regex/` at the read position (which must be `/`), or nil when the text there is not one.
    ///
    /// The regex ends at the first unescaped `/` followed by the end, a space, `)` or `|`. It is
    /// not a regex when a `/` is followed by `*` (`path:/api/*` is a prefix), nor when a space
    /// comes after an inner `/` (`file:/var/log/x OR /timeout/` is a path, then a regex), so a
    /// regex may hold spaces (`/timeout after \d+ms/`) or slashes (`/api/v[0-9]+/users/`) but
    /// write `\/` for a slash when it holds both. Inside, `\/` is a slash and every other escape
    /// stays as written for PCRE2.
    mutating func scanRegex() -> String? {
        var body = String.UnicodeScalarView()
        var sawInnerSlash = false
        var j = self.index + 1
        while let s = self.scalar(at: j) {
            if s == "\\" {
                guard let next = self.scalar(at: j + 1) else { return nil }
                if next != "/" { body.append(s) }
                body.append(next)
                j += 2
                continue
            }
            if s == "/" {
                guard let after = self.scalar(at: j + 1), !Self.isSpace(after), after != ")", after != "|" else {
                    self.index = j + 1
                    return String(body)
                }
                if after == "*" { return nil }
                sawInnerSlash = true
            } else if sawInnerSlash, Self.isSpace(s) {
                return nil
            }
            body.append(s)
            j += 1
        }
        return nil
    }

    /// An unquoted word at the read position, up to a scalar in `ends`; `\` makes the next scalar
    /// literal. Each scalar carries whether it was escaped, so `*` and `?` can be told apart from
    /// wildcards.
    mutating func scanRawWord(endingAt ends: (Unicode.Scalar) -> Bool) throws(QueryError) -> RawWord {
        var word = RawWord(start: self.index)
        while let s = self.peek(), !ends(s) {
            if s == "\\" {
                guard let next = self.peek(1) else {
                    throw QueryError(
                        .syntax,
                        "expected a character after '\\'",
                        column: self.column,
                        hint: "write \\\\ for a backslash"
                    )
                }
                word.scalars.append(next)
                word.escaped.append(true)
                self.index += 2
                continue
            }
            word.scalars.append(s)
            word.escaped.append(false)
            self.index += 1
        }
        word.end = self.index
        return word
    }
}

/// An unquoted word as scanned: its scalars with backslash escapes removed, and which were escaped.
struct RawWord {
    var scalars: [Unicode.Scalar] = []
    var escaped: [Bool] = []
    /// Index of the first scalar in the query, and the index after the word.
    var start: Int
    var end: Int

    init(start: Int) {
        self.start = start
        self.end = start
    }

    var isEmpty: Bool { self.scalars.isEmpty }

    var text: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: self.scalars)
        return String(view)
    }

    var hasEscapes: Bool { self.escaped.contains(true) }

    /// Whether the word is exactly `keyword`, unescaped.
    func isExactly(_ keyword: String) -> Bool {
        !self.hasEscapes && self.scalars.elementsEqual(keyword.unicodeScalars)
    }

    /// Indexes of unescaped `*` and `?`.
    var wildcardIndexes: [Int] {
        self.scalars.indices.filter { !self.escaped[$0] && (self.scalars[$0] == "*" || self.scalars[$0] == "?") }
    }
}
