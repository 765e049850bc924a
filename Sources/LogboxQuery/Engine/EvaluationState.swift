import LogboxCore
import LogboxParse
import Synchronization

/// A few idle evaluation states, shared by the copies of one prepared filter.
///
/// A state (and the PCRE2 matchers in it) is only touched by the one caller that took it out
/// of the mutex-guarded list, until it gives it back.
final class StatePool: Sendable {
    private let idle = Mutex<[EvaluationState]>([])

    func take() -> EvaluationState? {
        self.idle.withLock { $0.popLast() }
    }

    func give(_ state: EvaluationState) {
        self.idle.withLock { if $0.count < 8 { $0.append(state) } }
    }
}

/// Per-evaluation state: a regex matcher per leaf, made on first use (matchers are not Sendable
/// and own match data, so each evaluation has its own).
///
/// `@unchecked Sendable` so `StatePool` can hand it between threads: one caller at a time uses it.
struct EvaluationState: @unchecked Sendable {
    var matchers: [PCRE2Matcher?]
    var scratch: [UInt8] = []
    var tokenizer = Tokenizer()

    init(leafCount: Int) {
        self.matchers = Array(repeating: nil, count: leafCount)
    }

    mutating func matcher(_ leaf: Int, _ regex: PCRE2Regex) -> PCRE2Matcher {
        if let matcher = self.matchers[leaf] { return matcher }
        let matcher = PCRE2Matcher(regex)
        self.matchers[leaf] = matcher
        return matcher
    }
}
