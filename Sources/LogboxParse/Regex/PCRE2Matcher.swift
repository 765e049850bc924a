import CPCRE2

/// Matches one ``PCRE2Regex`` against byte spans, reusing its PCRE2 match data.
///
/// PCRE2 needs mutable per-match state (the offset vector, the interpreter's backtracking
/// frames, the JIT stack). A matcher owns that state for one thread: create it once per
/// worker and reuse it for every line, so matching allocates nothing in steady state.
/// It is a class (so it can sit in arrays and be captured by closures) that is deliberately
/// not `Sendable`: it owns C memory, freed in `deinit`, that only one thread may touch.
///
/// After a successful ``firstMatch(in:from:)``, ``range(ofGroup:)`` gives each group's byte
/// range in the subject until the next match.
public final class PCRE2Matcher {
    /// JIT stack sizes used when the default 32 KiB machine-stack area is too small; the
    /// maximum is reserved address space, touched only as deep matches need it.
    private static let jitStackStart = 32 * 1024
    private static let jitStackMax = 4 * 1024 * 1024

    /// The regex this matcher runs; kept alive as long as the matcher.
    public let regex: PCRE2Regex
    private let matchData: OpaquePointer
    /// Start/end pairs, one per group; stable for the life of `matchData`.
    private let ovector: UnsafeMutablePointer<Int>
    private let pairCount: Int
    /// Created only if a JIT match runs out of the default stack.
    private var matchContext: OpaquePointer?
    private var jitStack: OpaquePointer?
    /// Valid pairs in `ovector` after the last match (PCRE2's return code), 0 after a miss.
    private var setPairs = 0
    private var subjectCount = 0
    private var lastErrorCode: Int32 = 0

    /// Allocates match data sized for `regex`'s groups (shared by its UTF and byte code,
    /// which come from the same pattern and so have the same groups).
    public init(_ regex: PCRE2Regex) {
        guard let data = pcre2_match_data_create_8(UInt32(regex.captureCount + 1), nil) else {
            fatalError("PCRE2Matcher: out of memory allocating match data")
        }
        self.regex = regex
        self.matchData = data
        self.ovector = pcre2_get_ovector_pointer_8(data)
        self.pairCount = Int(pcre2_get_ovector_count_8(data))
    }

    deinit {
        pcre2_match_data_free_8(self.matchData)
        if let context = self.matchContext { pcre2_match_context_free_8(context) }
        if let stack = self.jitStack { pcre2_jit_stack_free_8(stack) }
    }

    /// Finds the leftmost match at or after byte `start`, returning its byte range.
    ///
    /// A subject that is valid UTF-8 is matched by characters; one that is not (or a
    /// `start` inside a character) is matched byte by byte (see ``PCRE2Regex``). Returns
    /// nil when nothing matches, when `start` is outside `0...bytes.count`, or when PCRE2
    /// gives up (then ``lastError`` says why).
    ///
    /// - Complexity: that of the pattern plus one UTF-8 check of the subject; no
    ///   allocation once the JIT stack (if ever needed) exists.
    public func firstMatch(in bytes: Span<UInt8>, from start: Int = 0) -> Range<Int>? {
        self.setPairs = 0
        self.lastErrorCode = 0
        self.subjectCount = bytes.count
        guard start >= 0, start <= bytes.count else { return nil }
        let regex = self.regex
        var rc = self.run(bytes, start, code: regex.code, direct: !regex.isUTF && regex.isJITCompiled)
        if regex.isUTF, Self.isInvalidSubject(rc), let fallback = regex.fallbackCode {
            rc = self.run(bytes, start, code: fallback, direct: regex.fallbackUsesJIT)
        }
        guard rc > 0 else {
            if rc != PCRE2_ERROR_NOMATCH, rc != 0 { self.lastErrorCode = rc }
            return nil
        }
        self.setPairs = min(Int(rc), self.pairCount)
        return self.range(ofGroup: 0)
    }

    /// Whether `regex` matches anywhere in `bytes`.
    public func matches(_ bytes: Span<UInt8>) -> Bool {
        self.firstMatch(in: bytes) != nil
    }

    /// The byte range group `group` captured in the last successful match, or nil when the
    /// last match failed, the group did not take part, or there is no such group.
    public func range(ofGroup group: Int) -> Range<Int>? {
        guard group >= 0, group < self.setPairs else { return nil }
        let start = self.ovector[2 * group]
        let end = self.ovector[2 * group + 1]
        // Unset groups hold PCRE2_UNSET (all bits set, -1 as Int); guard the order too.
        guard start >= 0, end >= start, end <= self.subjectCount else { return nil }
        return start..<end
    }

    /// Why the last match gave up (a resource limit, typically), or nil after a match or a
    /// plain miss.
    public var lastError: RegexError? {
        guard self.lastErrorCode != 0 else { return nil }
        return RegexError(
            kind: .match(code: self.lastErrorCode),
            message: PCRE2Regex.message(forCode: self.lastErrorCode),
            column: 0
        )
    }

    /// Whether PCRE2 refused the subject as UTF-8 (bad sequence, or a start offset inside
    /// a character), so the byte code should run instead.
    private static func isInvalidSubject(_ rc: Int32) -> Bool {
        (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21) || rc == PCRE2_ERROR_BADUTFOFFSET
    }

    /// Runs `code`, growing the JIT stack once if needed and falling back to the interpreter
    /// when even that is too small.
    private func run(_ bytes: Span<UInt8>, _ start: Int, code: OpaquePointer, direct: Bool) -> Int32 {
        var rc = self.call(bytes, start, code: code, direct: direct, interpreter: false)
        if rc == PCRE2_ERROR_JIT_STACKLIMIT, self.jitStack == nil, self.makeJITStack() {
            rc = self.call(bytes, start, code: code, direct: direct, interpreter: false)
        }
        if rc == PCRE2_ERROR_JIT_STACKLIMIT {
            // The interpreter keeps its backtracking frames on the heap instead.
            rc = self.call(bytes, start, code: code, direct: false, interpreter: true)
        }
        return rc
    }

    /// One PCRE2 call. `direct` uses `pcre2_jit_match`, which skips all checks, so it is
    /// only for byte-mode code; UTF code goes through `pcre2_match`, which checks that the
    /// subject is valid UTF-8 and then runs the JIT code itself.
    private func call(
        _ bytes: Span<UInt8>,
        _ start: Int,
        code: OpaquePointer,
        direct: Bool,
        interpreter: Bool
    ) -> Int32 {
        let data = self.matchData
        let context = self.matchContext
        let options = interpreter ? PCRE2_NO_JIT : 0
        return bytes.withUnsafeBufferPointer { buffer in
            // PCRE2 wants a non-null subject even when it is empty.
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { emptyPointer in
                let subject = buffer.baseAddress ?? emptyPointer
                if direct {
                    return pcre2_jit_match_8(code, subject, buffer.count, start, 0, data, context)
                }
                return pcre2_match_8(code, subject, buffer.count, start, options, data, context)
            }
        }
    }

    /// Gives JIT matching a larger stack than the default; false if allocation failed.
    private func makeJITStack() -> Bool {
        guard let context = pcre2_match_context_create_8(nil) else { return false }
        guard let stack = pcre2_jit_stack_create_8(Self.jitStackStart, Self.jitStackMax, nil) else {
            pcre2_match_context_free_8(context)
            return false
        }
        pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack))
        self.matchContext = context
        self.jitStack = stack
        return true
    }
}
