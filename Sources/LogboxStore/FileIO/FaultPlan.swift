/// Failures to inject into a `FileSystem`, so tests can make any write, fsync or rename fail.
///
/// Each rule names an operation, a substring of the path (as shown in errors, relative to the
/// file system's root; "" matches every path) and the errno to fail with. A rule can let some
/// matching calls succeed first, fire a limited number of times, fire at random with a seeded
/// generator (reproducible), or, for writes, write some bytes before failing (a short write, as a
/// full disk produces). Rules are checked in order; the first one that fires wins.
///
/// ```swift
/// fileSystem.faults.failNext(.write, matching: "segments/", errno: ENOSPC)
/// fileSystem.faults.failNext(.fsync, matching: "wal/", after: 3)
/// fileSystem.faults.failRandomly(.rename, probability: 0.1, seed: 42)
/// ```
public struct FaultPlan: Sendable {
    /// The kinds of call a rule can fail.
    public enum Operation: Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// `open(2)`, with or without `O_CREAT`.
        case open
        /// `pread(2)`, including `readFile`.
        case read
        /// `pwrite(2)`/`write(2)`.
        case write
        /// `fsync(2)`/`fdatasync(2)`, of files and of directories.
        case fsync
        /// `ftruncate(2)`.
        case truncate
        /// `rename(2)`; the rule's `matching` is checked against both paths.
        case rename
        /// `unlink(2)` and `rmdir(2)`.
        case remove
        /// `mkdir(2)`.
        case makeDirectory
        /// `opendir(3)`/`readdir(3)`.
        case listDirectory
        /// `stat(2)`/`fstat(2)`.
        case status

        public var description: String {
            switch self {
            case .open: "open"
            case .read: "read"
            case .write: "write"
            case .fsync: "fsync"
            case .truncate: "truncate"
            case .rename: "rename"
            case .remove: "remove"
            case .makeDirectory: "makeDirectory"
            case .listDirectory: "listDirectory"
            case .status: "status"
            }
        }
    }

    /// One injected failure: the errno, and for writes how many bytes land before it.
    public struct Fault: Sendable, Hashable {
        public var errno: Int32
        public var bytesWrittenFirst: Int
    }

    /// When and how one operation fails.
    public struct Rule: Sendable {
        public var operation: Operation
        /// A substring of the path shown in errors; "" matches every path.
        public var matching: String
        public var errno: Int32
        /// Matching calls that still succeed before the rule starts firing.
        public var skip: Int
        /// How many more times the rule fires; `nil` fires on every matching call.
        public var remaining: Int?
        /// The chance that a matching call fails once the rule is due (1 = always).
        public var probability: Double
        /// For `.write`: bytes written before the failure is reported (a short write).
        public var bytesWrittenFirst: Int
        var random: SplitMix64

        public init(
            _ operation: Operation,
            matching: String = "",
            errno: Int32,
            skip: Int = 0,
            remaining: Int? = 1,
            probability: Double = 1,
            bytesWrittenFirst: Int = 0,
            seed: UInt64 = 0
        ) {
            self.operation = operation
            self.matching = matching
            self.errno = errno
            self.skip = skip
            self.remaining = remaining
            self.probability = probability
            self.bytesWrittenFirst = bytesWrittenFirst
            self.random = SplitMix64(seed: seed)
        }

        var isExhausted: Bool { self.remaining.map { $0 <= 0 } ?? false }
    }

    public var rules: [Rule] = []
    /// How many faults have been injected so far.
    public private(set) var injectedCount = 0

    public init() {}

    public var isEmpty: Bool { self.rules.isEmpty }

    /// Fails the next matching call (or the next `times`, after `after` successes) with `errno`.
    ///
    /// The default errno is `EIO` (5). `bytesWrittenFirst` makes a write short before it fails.
    public mutating func failNext(
        _ operation: Operation,
        matching: String = "",
        errno: Int32 = 5,
        after successes: Int = 0,
        times: Int = 1,
        bytesWrittenFirst: Int = 0
    ) {
        self.rules.append(
            Rule(
                operation,
                matching: matching,
                errno: errno,
                skip: successes,
                remaining: times,
                bytesWrittenFirst: bytesWrittenFirst
            )
        )
    }

    /// Fails every matching call, after `after` successes, until the rule is removed.
    public mutating func failAlways(
        _ operation: Operation,
        matching: String = "",
        errno: Int32 = 5,
        after successes: Int = 0
    ) {
        self.rules.append(Rule(operation, matching: matching, errno: errno, skip: successes, remaining: nil))
    }

    /// Fails each matching call with `probability`, drawn from a generator seeded with `seed`.
    public mutating func failRandomly(
        _ operation: Operation,
        matching: String = "",
        errno: Int32 = 5,
        probability: Double,
        seed: UInt64
    ) {
        self.rules.append(
            Rule(operation, matching: matching, errno: errno, remaining: nil, probability: probability, seed: seed)
        )
    }

    /// Removes every rule (the count of injected faults stays).
    public mutating func clear() { self.rules.removeAll() }

    /// The fault for a call of `operation` on `path` (and `otherPath` for a rename), if a rule fires.
    mutating func fault(for operation: Operation, path: String, otherPath: String? = nil) -> Fault? {
        var fired: Fault?
        for index in self.rules.indices where fired == nil {
            guard self.rules[index].operation == operation, !self.rules[index].isExhausted else { continue }
            let pattern = self.rules[index].matching
            guard pattern.isEmpty || path.contains(pattern) || (otherPath?.contains(pattern) ?? false) else { continue }
            if self.rules[index].skip > 0 {
                self.rules[index].skip -= 1
                continue
            }
            if self.rules[index].probability < 1 {
                let draw = Double(self.rules[index].random.next() >> 11) / Double(UInt64(1) << 53)
                guard draw < self.rules[index].probability else { continue }
            }
            if let remaining = self.rules[index].remaining { self.rules[index].remaining = remaining - 1 }
            fired = Fault(errno: self.rules[index].errno, bytesWrittenFirst: self.rules[index].bytesWrittenFirst)
        }
        if fired != nil {
            self.injectedCount += 1
            self.rules.removeAll { $0.isExhausted }
        }
        return fired
    }
}
