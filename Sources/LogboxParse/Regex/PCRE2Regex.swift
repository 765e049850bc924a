import CPCRE2

/// A regular expression compiled once by PCRE2, JIT-compiled when the platform allows.
///
/// Log lines can hold any byte, so a subject need not be valid UTF-8. The pattern is
/// compiled twice:
/// - in UTF mode, used for subjects that are valid UTF-8 (PCRE2 checks this as it starts
///   the match, so characters, `\S`, classes and caseless matching work on code points);
/// - for raw bytes (no UTF), used when PCRE2 reports that the subject is not valid UTF-8:
///   invalid bytes are then ordinary characters that `.`, `\S` and negated classes match,
///   so a bad byte inside a value neither fails the line nor cuts the value short.
///
/// `PCRE2_MATCH_INVALID_UTF` would avoid the second compilation, but its JIT support is
/// wrong in PCRE2 10.42 (Debian 12's version): with the JIT, `\S`, `\D`, `\W` and negated
/// POSIX classes fail to match non-ASCII characters even in valid UTF-8 (PCRE2 issue 224,
/// fixed in 10.43). It is used only as a last resort, without the JIT, for a pattern that
/// cannot be compiled for bytes (one that names a code point above U+00FF, for instance).
///
/// Matching goes through a ``PCRE2Matcher``, one per thread, which owns the mutable match
/// data. The regex itself is `Sendable`: after `init` returns, the compiled code (including
/// the JIT machine code) is never written again, and PCRE2 documents that a compiled
/// pattern may be used by several threads at once as long as each uses its own match data
/// and JIT stack, which the matcher provides.
public final class PCRE2Regex: Sendable {
    /// Compile options.
    public struct Options: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Letters match regardless of case (`PCRE2_CASELESS`).
        public static let caseInsensitive = Options(rawValue: 1 << 0)
        /// `^` and `$` also match at embedded newlines (`PCRE2_MULTILINE`).
        public static let multiline = Options(rawValue: 1 << 1)
        /// `.` also matches a newline (`PCRE2_DOTALL`).
        public static let dotMatchesNewlines = Options(rawValue: 1 << 2)
        /// The match must start at the start offset (`PCRE2_ANCHORED`).
        public static let anchored = Options(rawValue: 1 << 3)
        /// Match bytes rather than UTF-8 characters for every subject: each byte is one
        /// character, whether or not the subject is valid UTF-8.
        public static let bytes = Options(rawValue: 1 << 4)
    }

    /// The pattern as given to `init`.
    public let pattern: String
    /// The options it was compiled with.
    public let options: Options
    /// Whether the JIT compiled the pattern used for valid UTF-8 (or, with `.bytes`, the
    /// only one); when false, matching uses PCRE2's interpreter.
    public let isJITCompiled: Bool
    /// The number of capture groups (group 0, the whole match, not counted).
    public let captureCount: Int
    /// The named groups and their numbers, in name-table (alphabetical) order.
    public let captureNames: [(name: String, group: Int)]

    /// The main compiled code: UTF mode, or bytes with `.bytes`. Immutable after `init`.
    nonisolated(unsafe) let code: OpaquePointer
    /// Whether `code` is in UTF mode, so that an invalid subject needs `fallbackCode`.
    let isUTF: Bool
    /// The code for subjects that are not valid UTF-8; nil with `.bytes`. Immutable.
    nonisolated(unsafe) let fallbackCode: OpaquePointer?
    /// Whether `fallbackCode` may run through the JIT (not in `MATCH_INVALID_UTF` mode).
    let fallbackUsesJIT: Bool

    /// Whether this PCRE2 library was built with JIT support for this CPU.
    public static var isJITAvailable: Bool {
        var available: UInt32 = 0
        return pcre2_config_8(UInt32(PCRE2_CONFIG_JIT), &available) >= 0 && available != 0
    }

    /// Compiles `pattern`, then JIT-compiles it when possible.
    ///
    /// - Throws: ``RegexError`` with kind `.syntax` and the 1-based column PCRE2 points at.
    public init(_ pattern: String, options: Options = []) throws(RegexError) {
        var flags = PCRE2_NEVER_BACKSLASH_C
        if options.contains(.caseInsensitive) { flags |= PCRE2_CASELESS }
        if options.contains(.multiline) { flags |= PCRE2_MULTILINE }
        if options.contains(.dotMatchesNewlines) { flags |= PCRE2_DOTALL }
        if options.contains(.anchored) { flags |= PCRE2_ANCHORED }
        let byteFlags = flags | PCRE2_NEVER_UTF

        let main: OpaquePointer
        if options.contains(.bytes) {
            main = try Self.compile(pattern, flags: byteFlags)
            self.isUTF = false
            self.fallbackCode = nil
            self.fallbackUsesJIT = false
        } else {
            main = try Self.compile(pattern, flags: flags | PCRE2_UTF)
            self.isUTF = true
            if let bytes = try? Self.compile(pattern, flags: byteFlags) {
                self.fallbackCode = bytes
                self.fallbackUsesJIT = pcre2_jit_compile_8(bytes, PCRE2_JIT_COMPLETE) == 0
            } else {
                // Same pattern text, already accepted in UTF mode, so this compiles too.
                self.fallbackCode = try? Self.compile(pattern, flags: flags | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)
                self.fallbackUsesJIT = false
            }
        }
        self.code = main
        self.pattern = pattern
        self.options = options
        self.isJITCompiled = pcre2_jit_compile_8(main, PCRE2_JIT_COMPLETE) == 0
        self.captureCount = Int(Self.info(main, PCRE2_INFO_CAPTURECOUNT))
        self.captureNames = Self.readNameTable(main)
    }

    deinit {
        pcre2_code_free_8(self.code)
        if let fallback = self.fallbackCode { pcre2_code_free_8(fallback) }
    }

    /// The group number for a named group, or nil when the pattern has no such name.
    public func group(named name: String) -> Int? {
        self.captureNames.first { $0.name == name }?.group
    }

    /// PCRE2's text for an error code (compile or match), for error messages.
    static func message(forCode code: Int32) -> String {
        let capacity = 256
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            let length = pcre2_get_error_message_8(code, buffer.baseAddress, capacity)
            return length > 0 ? Int(length) : 0
        }
    }

    /// One `pcre2_compile` call; the error's column is 1-based.
    private static func compile(_ pattern: String, flags: UInt32) throws(RegexError) -> OpaquePointer {
        var errorCode: Int32 = 0
        var errorOffset = 0
        var text = pattern
        let compiled: OpaquePointer? = text.withUTF8 { utf8 in
            // PCRE2 wants a non-null pointer even for an empty pattern.
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { emptyPointer in
                let base = utf8.baseAddress ?? emptyPointer
                return pcre2_compile_8(base, utf8.count, flags, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw RegexError(
                kind: .syntax(code: errorCode),
                message: message(forCode: errorCode),
                column: errorOffset + 1
            )
        }
        return compiled
    }

    /// A 32-bit `pcre2_pattern_info` value (0 if PCRE2 refuses the query).
    private static func info(_ code: OpaquePointer, _ what: Int32) -> UInt32 {
        var value: UInt32 = 0
        return pcre2_pattern_info_8(code, UInt32(what), &value) == 0 ? value : 0
    }

    /// Reads the name table: each entry is a 2-byte big-endian group number then the
    /// NUL-terminated name, padded to the entry size.
    private static func readNameTable(_ code: OpaquePointer) -> [(name: String, group: Int)] {
        let count = Int(info(code, PCRE2_INFO_NAMECOUNT))
        let entrySize = Int(info(code, PCRE2_INFO_NAMEENTRYSIZE))
        var table: UnsafePointer<UInt8>? = nil
        guard count > 0, entrySize > 2, pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMETABLE), &table) == 0,
            let table
        else { return [] }
        var names: [(name: String, group: Int)] = []
        names.reserveCapacity(count)
        for index in 0..<count {
            let entry = table + index * entrySize
            let group = Int(entry[0]) << 8 | Int(entry[1])
            var length = 0
            while length < entrySize - 2, entry[2 + length] != 0 { length += 1 }
            let name = String(decoding: UnsafeBufferPointer(start: entry + 2, count: length), as: UTF8.self)
            names.append((name: name, group: group))
        }
        return names
    }
}
