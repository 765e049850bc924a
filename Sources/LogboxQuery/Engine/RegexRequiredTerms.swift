import LogboxCore

/// The message terms that every text a regular expression matches must hold as whole terms, so that
/// a message regex reads only the events whose postings have them all instead of every event.
///
/// Found conservatively: any construct this does not understand yields fewer terms, never a wrong
/// one, and a pattern with alternation, an option group other than a leading `(?i)`, or an escape
/// with arguments (`\x41`, `\Q`, `\1`, `\p{…}`) yields none. The pattern is cut into runs of
/// literal bytes every match must contain in order (a quantified atom, a class, a group, `.` or an
/// escape like `\d` ends a run, and a `?`, `*` or `{` drops the atom before it). A word of a run
/// (the `Tokenizer`'s word bytes) counts only when separator bytes of the same run stand on both
/// its sides: `from 203\.0\.113\.\d+ port` gives `203 0 113` (`from` could end a longer word,
/// `port` begin one). Terms are folded and cut as the `Tokenizer` does; after `(?i)` a term is
/// kept only when it has no letter whose caseless match the tokenizer does not fold to it.
enum RegexRequiredTerms {
    static func terms(of pattern: String) -> [[UInt8]] {
        var bytes = Array(pattern.utf8)
        let caselessOption = Array("(?i)".utf8)
        let caseless = bytes.starts(with: caselessOption)
        if caseless { bytes.removeFirst(caselessOption.count) }
        var runs: [[UInt8]] = []
        var run: [UInt8] = []
        func endRun() {
            if !run.isEmpty { runs.append(run) }
            run = []
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "|"):
                return []
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return [] }
                let next = bytes[index + 1]
                if Tokenizer.isWordByte(next) {
                    // Escapes without arguments only: a class or an assertion ends the run.
                    guard Self.plainEscapes.contains(next) else { return [] }
                    endRun()
                } else {
                    run.append(next)
                }
                index += 2
                continue
            case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "{"):
                // The atom before is optional or repeated: it is not required as it stands.
                if !run.isEmpty { run.removeLast() }
                endRun()
                if byte == UInt8(ascii: "{") {
                    guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")) else { return [] }
                    index = close
                }
            case UInt8(ascii: "+"):
                // Required at least once, but more copies may follow it.
                endRun()
            case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"):
                endRun()
            case UInt8(ascii: "["):
                endRun()
                guard let close = Self.classEnd(bytes, from: index) else { return [] }
                index = close
            case UInt8(ascii: "("):
                endRun()
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?") { return [] }
                guard let close = Self.groupEnd(bytes, from: index) else { return [] }
                // What a group requires is not worked out: a quantifier after it may make it optional.
                index = close
            case UInt8(ascii: ")"):
                return []
            default:
                run.append(byte)
            }
            index += 1
        }
        endRun()

        var terms: [[UInt8]] = []
        var tokenizer = Tokenizer()
        for run in runs {
            var start = 0
            while start < run.count {
                guard Tokenizer.isWordByte(run[start]) else {
                    start += 1
                    continue
                }
                var end = start
                while end < run.count, Tokenizer.isWordByte(run[end]) { end += 1 }
                if start > 0, end < run.count {
                    run[start..<end].withUnsafeBufferPointer { tokenizer.tokenize($0) }
                    if tokenizer.count == 1 {
                        let term = Array(tokenizer.term(0))
                        if !terms.contains(term), !caseless || Self.foldsLikeTheTokenizer(term) {
                            terms.append(term)
                        }
                    }
                }
                start = end
            }
        }
        return terms
    }

    /// Whether a caseless match of `term` can only be text the `Tokenizer` folds to `term`: it
    /// folds ASCII letters only, while PCRE2 also matches `é` with `É`, `k` with the Kelvin sign
    /// and `s` with the long s (U+017F).
    private static func foldsLikeTheTokenizer(_ term: [UInt8]) -> Bool {
        term.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "k") && $0 != UInt8(ascii: "s") }
    }

    /// Escapes that stand for a class or an assertion and take no arguments.
    private static let plainEscapes: Set<UInt8> = Set("dDwWsSbBhHvVRAzZGK".utf8)

    /// The index of the `]` closing the class that opens at `open`, or nil.
    private static func classEnd(_ bytes: [UInt8], from open: Int) -> Int? {
        var index = open + 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "^") { index += 1 }
        // A `]` first in the class is a literal.
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1 }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "["):
                // POSIX `[:alpha:]` inside a class.
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ":") {
                    guard let close = bytes[(index + 2)...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
                    index = close + 1
                } else {
                    index += 1
                }
            case UInt8(ascii: "]"): return index
            default: index += 1
            }
        }
        return nil
    }

    /// The index of the `)` closing the group that opens at `open`, or nil.
    private static func groupEnd(_ bytes: [UInt8], from open: Int) -> Int? {
        var depth = 0
        var index = open
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"):
                index += 2
                continue
            case UInt8(ascii: "["):
                guard let close = Self.classEnd(bytes, from: index) else { return nil }
                index = close
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
            index += 1
        }
        return nil
    }
}
