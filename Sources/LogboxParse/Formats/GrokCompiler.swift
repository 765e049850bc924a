/// One field a grok pattern captures: its name, its PCRE2 group, and how to type its value.
public struct GrokField: Sendable, Hashable {
    /// How a parser should type the captured text.
    public enum ValueType: Sendable, Hashable {
        /// No hint: a plain integer or decimal becomes a number, anything else text.
        case automatic
        /// `%{NAME:field:int}`: a 64-bit integer (text if it does not parse).
        case int
        /// `%{NAME:field:float}`: a floating-point number (text if it does not parse).
        case float
    }

    /// The field name as written (`client_ip`, `sd.req@32473.status`).
    public var name: String
    /// The PCRE2 group number holding the value.
    public var group: Int
    /// The type hint.
    public var type: ValueType

    public init(name: String, group: Int, type: ValueType) {
        self.name = name
        self.group = group
        self.type = type
    }
}

/// A grok pattern compiled to one PCRE2 regex, with the field each group feeds.
public struct GrokPattern: Sendable {
    /// The pattern as the user wrote it.
    public let source: String
    /// The PCRE2 pattern the blocks expanded to.
    public let expanded: String
    /// The compiled expansion.
    public let regex: PCRE2Regex
    /// One entry per capturing field, ordered by group number. A field name may appear
    /// more than once (in alternatives, or captured twice); each group that took part in a
    /// match holds one value.
    public let fields: [GrokField]
}

/// Expands grok references (`%{NAME}`, `%{NAME:field}`, `%{NAME:field:int|float}`) into a
/// PCRE2 pattern and compiles it.
///
/// Field names may hold letters, digits and `_ . @ -`, which PCRE2 group names cannot, so
/// each captured reference becomes a generated group (`g1`, `g2`, ...) and the compiler
/// keeps the mapping to the field name and type. Named groups written directly in the
/// pattern (`(?<user>\w+)`) are fields too, under their own names. Every error carries the
/// 1-based column in the pattern as written; a problem inside a library block points at
/// the top-level reference that led to it.
///
/// `%{` always starts a reference, even inside a character class or `\Q...\E`; write `\%{`
/// for a literal `%{`. Expansion is bounded (``maximumDepth``, ``maximumExpandedSize``) so a
/// library of blocks that double each other cannot exhaust memory.
public struct GrokCompiler: Sendable {
    /// Deepest allowed nesting of blocks.
    public static let maximumDepth = 64
    /// Largest allowed expansion, in bytes.
    public static let maximumExpandedSize = 1 << 20

    /// The blocks `%{NAME}` refers to.
    public var library: GrokLibrary

    public init(library: GrokLibrary = .standard) {
        self.library = library
    }

    /// Expands and compiles `pattern`.
    ///
    /// - Throws: ``RegexError`` for an unknown block, a malformed `%{`, a recursive block,
    ///   an expansion that is too large, or a PCRE2 syntax error (its column mapped back to
    ///   the pattern as written).
    public func compile(_ pattern: String, options: PCRE2Regex.Options = []) throws(RegexError) -> GrokPattern {
        let expansion = try self.expand(pattern)
        let regex: PCRE2Regex
        do {
            regex = try PCRE2Regex(expansion.pattern, options: options)
        } catch {
            throw expansion.locate(error, options: options)
        }
        var fields: [GrokField] = []
        for (name, group) in regex.captureNames {
            if let generated = expansion.generatedGroups[name] {
                fields.append(GrokField(name: generated.field, group: group, type: generated.type))
            } else {
                fields.append(GrokField(name: name, group: group, type: .automatic))
            }
        }
        fields.sort { $0.group < $1.group }
        return GrokPattern(source: pattern, expanded: expansion.pattern, regex: regex, fields: fields)
    }

    /// Expands the blocks in `pattern` without compiling the result.
    public func expand(_ pattern: String) throws(RegexError) -> GrokExpansion {
        var expander = Expander(library: self.library, prefix: "g")
        try expander.expandTop(Array(pattern.utf8))
        // A generated name must not clash with a named group the user wrote; pick a
        // prefix no such group uses and expand again (rare).
        var prefix = "g"
        while expander.userGroupNames.contains(where: { Self.hasGeneratedShape($0, prefix: prefix) }) {
            prefix += "_"
            expander = Expander(library: self.library, prefix: prefix)
            try expander.expandTop(Array(pattern.utf8))
        }
        return GrokExpansion(
            pattern: String(decoding: expander.output, as: UTF8.self),
            generatedGroups: expander.generatedGroups,
            segments: expander.segments
        )
    }

    private static func hasGeneratedShape(_ name: String, prefix: String) -> Bool {
        guard name.hasPrefix(prefix) else { return false }
        let rest = name.utf8.dropFirst(prefix.utf8.count)
        return !rest.isEmpty && rest.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

/// The result of expanding a grok pattern: the PCRE2 text and how to read its groups.
public struct GrokExpansion: Sendable {
    /// The PCRE2 pattern.
    public let pattern: String
    /// Generated group name → the field it carries.
    public let generatedGroups: [String: (field: String, type: GrokField.ValueType)]
    /// Where each stretch of `pattern` came from, for mapping PCRE2 error offsets back.
    let segments: [Segment]

    /// A stretch of the expansion: copied from the source at `sourceOffset` (literal) or
    /// produced by the reference `%{block}` that starts there.
    struct Segment: Sendable {
        var expandedOffset: Int
        var sourceOffset: Int
        var block: String?
    }

    /// `error` (offsets in the expansion) pinned to the pattern as written.
    ///
    /// A block that does not compile on its own (`(x` leaves a parenthesis open) makes PCRE2
    /// complain only at the end of the whole expansion, so each top-level reference's
    /// expansion is tried alone first and a failing one is blamed at its own column.
    func locate(_ error: RegexError, options: PCRE2Regex.Options) -> RegexError {
        let utf8 = Array(self.pattern.utf8)
        for (index, segment) in self.segments.enumerated() {
            guard let block = segment.block else { continue }
            let end = index + 1 < self.segments.count ? self.segments[index + 1].expandedOffset : utf8.count
            let text = String(decoding: utf8[segment.expandedOffset..<end], as: UTF8.self)
            do {
                _ = try PCRE2Regex(text, options: options)
            } catch {
                return RegexError(
                    kind: error.kind,
                    message: "\(error.message) (in %{\(block)})",
                    column: segment.sourceOffset + 1
                )
            }
        }
        return self.mapToSource(error)
    }

    /// `error` (offsets in the expansion) with its column moved to the pattern as written.
    func mapToSource(_ error: RegexError) -> RegexError {
        let offset = error.column - 1
        guard let segment = self.segments.last(where: { $0.expandedOffset <= offset }) else { return error }
        var mapped = error
        if let block = segment.block {
            mapped.column = segment.sourceOffset + 1
            mapped.message = "\(error.message) (in %{\(block)})"
        } else {
            mapped.column = segment.sourceOffset + (offset - segment.expandedOffset) + 1
        }
        return mapped
    }
}

/// The expansion state: output bytes, generated groups and the source map.
private struct Expander {
    let library: GrokLibrary
    let prefix: String
    var output: [UInt8] = []
    var generatedGroups: [String: (field: String, type: GrokField.ValueType)] = [:]
    var segments: [GrokExpansion.Segment] = []
    var userGroupNames: Set<String> = []
    var nextGroup = 1
    /// Expansions of blocks that capture nothing, reused when a block is referenced again.
    var capturelessBodies: [String: [UInt8]] = [:]

    init(library: GrokLibrary, prefix: String) {
        self.library = library
        self.prefix = prefix
    }

    /// A parsed `%{NAME:field:type}` and the offset just past its `}`.
    struct Reference {
        var block: String
        var field: String?
        var type: GrokField.ValueType
        var end: Int
    }

    /// Expands the user's pattern, recording which output came from where.
    mutating func expandTop(_ bytes: [UInt8]) throws(RegexError) {
        self.segments.append(.init(expandedOffset: 0, sourceOffset: 0, block: nil))
        var i = 0
        while i < bytes.count {
            if let reference = try Self.reference(in: bytes, at: i, errorColumn: nil, chain: []) {
                self.segments.append(.init(expandedOffset: self.output.count, sourceOffset: i, block: reference.block))
                try self.emit(reference, column: i + 1, chain: [])
                self.segments.append(.init(expandedOffset: self.output.count, sourceOffset: reference.end, block: nil))
                i = reference.end
            } else {
                i = self.copyToken(bytes, at: i)
            }
        }
    }

    /// Emits the expansion of one reference, wrapped in a named or non-capturing group.
    mutating func emit(_ reference: Reference, column: Int, chain: [String]) throws(RegexError) {
        let path = chain + [reference.block]
        guard let definition = self.library[reference.block] else {
            let inside = chain.isEmpty ? "" : " (in %{\(chain.joined(separator: "} → %{"))})"
            throw RegexError(
                kind: .unknownBlock(reference.block),
                message: "unknown grok block '\(reference.block)'\(inside)",
                column: column
            )
        }
        guard !chain.contains(reference.block) else {
            throw RegexError(
                kind: .recursiveBlock(reference.block),
                message: "grok block '\(reference.block)' refers to itself (%{\(path.joined(separator: "} → %{"))})",
                column: column
            )
        }
        guard path.count <= GrokCompiler.maximumDepth else {
            throw RegexError(kind: .tooComplex, message: "grok blocks nest too deeply", column: column)
        }
        if let field = reference.field {
            let name = "\(self.prefix)\(self.nextGroup)"
            self.nextGroup += 1
            self.generatedGroups[name] = (field: field, type: reference.type)
            self.output.append(contentsOf: "(?<\(name)>".utf8)
        } else {
            self.output.append(contentsOf: "(?:".utf8)
        }
        if let body = self.capturelessBodies[reference.block] {
            self.output.append(contentsOf: body)
        } else {
            let bodyStart = self.output.count
            let groupsBefore = self.nextGroup
            let bytes = Array(definition.utf8)
            var i = 0
            while i < bytes.count {
                if let inner = try Self.reference(in: bytes, at: i, errorColumn: column, chain: path) {
                    try self.emit(inner, column: column, chain: path)
                    i = inner.end
                } else {
                    i = self.copyToken(bytes, at: i)
                }
                try self.checkSize(column: column)
            }
            if self.nextGroup == groupsBefore {
                self.capturelessBodies[reference.block] = Array(self.output[bodyStart...])
            }
        }
        try self.checkSize(column: column)
        self.output.append(UInt8(ascii: ")"))
    }

    private func checkSize(column: Int) throws(RegexError) {
        guard self.output.count <= GrokCompiler.maximumExpandedSize else {
            throw RegexError(kind: .tooComplex, message: "grok pattern expands to more than 1 MiB", column: column)
        }
    }

    /// Copies one token (an escape pair or a single byte) and notes named groups; returns
    /// the next offset.
    mutating func copyToken(_ bytes: [UInt8], at i: Int) -> Int {
        let byte = bytes[i]
        if byte == UInt8(ascii: "\\") {
            let end = min(i + 2, bytes.count)
            self.output.append(contentsOf: bytes[i..<end])
            return end
        }
        if byte == UInt8(ascii: "("), let name = Self.groupName(in: bytes, at: i) {
            self.userGroupNames.insert(name)
        }
        self.output.append(byte)
        return i + 1
    }

    /// The name of a named group opening at `i`: `(?<name>`, `(?'name'` or `(?P<name>`.
    static func groupName(in bytes: [UInt8], at i: Int) -> String? {
        var j = i + 1
        guard j < bytes.count, bytes[j] == UInt8(ascii: "?") else { return nil }
        j += 1
        if j < bytes.count, bytes[j] == UInt8(ascii: "P") { j += 1 }
        guard j < bytes.count, bytes[j] == UInt8(ascii: "<") || bytes[j] == UInt8(ascii: "'") else { return nil }
        let close = bytes[j] == UInt8(ascii: "<") ? UInt8(ascii: ">") : UInt8(ascii: "'")
        j += 1
        let start = j
        while j < bytes.count, isNameByte(bytes[j]) { j += 1 }
        guard j > start, j < bytes.count, bytes[j] == close else { return nil }
        return String(decoding: bytes[start..<j], as: UTF8.self)
    }

    /// Parses a reference starting at `i`, or returns nil when `i` does not start `%{`.
    ///
    /// `errorColumn` is the column to report for a reference inside a block (the top-level
    /// reference); nil reports the offending byte's own column.
    static func reference(
        in bytes: [UInt8],
        at i: Int,
        errorColumn: Int?,
        chain: [String]
    ) throws(RegexError) -> Reference? {
        guard bytes[i] == UInt8(ascii: "%"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") else {
            return nil
        }
        let inside = chain.last.map { " in %{\($0)}" } ?? ""
        func malformed(_ what: String, at offset: Int) -> RegexError {
            RegexError(kind: .malformedReference, message: what + inside, column: errorColumn ?? offset + 1)
        }
        var j = i + 2
        let nameStart = j
        while j < bytes.count, isNameByte(bytes[j]) { j += 1 }
        guard j > nameStart else {
            guard j < bytes.count else { throw malformed("'%{' is not closed", at: i) }
            throw malformed("expected a block name after '%{'", at: j)
        }
        let block = String(decoding: bytes[nameStart..<j], as: UTF8.self)
        var field: String?
        var type = GrokField.ValueType.automatic
        if j < bytes.count, bytes[j] == UInt8(ascii: ":") {
            j += 1
            let fieldStart = j
            while j < bytes.count, isFieldByte(bytes[j]) { j += 1 }
            guard j > fieldStart else {
                guard j < bytes.count else { throw malformed("'%{' is not closed", at: i) }
                throw malformed("expected a field name after '%{\(block):'", at: j)
            }
            field = String(decoding: bytes[fieldStart..<j], as: UTF8.self)
            if j < bytes.count, bytes[j] == UInt8(ascii: ":") {
                j += 1
                let typeStart = j
                while j < bytes.count, isNameByte(bytes[j]) { j += 1 }
                switch String(decoding: bytes[typeStart..<j], as: UTF8.self) {
                case "int": type = .int
                case "float": type = .float
                case let other:
                    guard j < bytes.count || !other.isEmpty else { throw malformed("'%{' is not closed", at: i) }
                    throw malformed("unknown type '\(other)' (expected int or float)", at: typeStart)
                }
            }
        }
        guard j < bytes.count else { throw malformed("'%{' is not closed", at: i) }
        guard bytes[j] == UInt8(ascii: "}") else {
            throw malformed("unexpected \(describe(bytes[j])) in '%{'", at: j)
        }
        return Reference(block: block, field: field, type: type, end: j + 1)
    }

    /// A byte for an error message: the character when printable ASCII, else its hex.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20, byte < 0x7f { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(byte < 0x10 ? "0" : "")\(hex)"
    }

    /// Block and group names: ASCII letters, digits, `_`.
    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    /// Field names: name bytes plus `.`, `@`, `-`.
    static func isFieldByte(_ byte: UInt8) -> Bool {
        isNameByte(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "-")
    }
}
