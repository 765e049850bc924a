import Yams

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Walks a YAML node tree, reads typed values and collects every problem with its line and key path.
///
/// Each accessor returns nil (and records an issue) when the value is wrong, so the caller keeps
/// the default and goes on: one run reports all mistakes of a file, not the first.
final class ConfigReader {
    let file: String
    let environment: [String: String]
    private(set) var issues: [ConfigIssue] = []

    /// What relative paths are relative to; nil for the working directory.
    let workingDirectory: String?

    init(file: String, environment: [String: String], workingDirectory: String? = nil) {
        self.file = file
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// `path` resolved against `workingDirectory` when it is relative and one was given.
    func resolve(_ path: String) -> String {
        guard let base = self.workingDirectory, !path.hasPrefix("/") else { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    // MARK: Issues

    func issue(_ node: Node?, _ path: String, _ message: String) {
        let mark = node?.mark
        self.issues.append(
            ConfigIssue(file: self.file, line: mark?.line ?? 0, column: mark?.column ?? 0, path: path, message: message)
        )
    }

    func issue(line: Int, _ path: String, _ message: String) {
        self.issues.append(ConfigIssue(file: self.file, line: line, path: path, message: message))
    }

    func add(_ issue: ConfigIssue) {
        self.issues.append(issue)
    }

    // MARK: Shapes

    /// The mapping's entries by key, after reporting keys not in `known` (with a suggestion) and
    /// keys that are not plain strings. A null node (`key:` with nothing after) is an empty mapping.
    func mapping(_ node: Node, _ path: String, known: [String]) -> [(key: String, keyNode: Node, value: Node)]? {
        if Self.isNull(node) { return [] }
        guard case .mapping(let mapping) = node else {
            self.issue(node, path, "expected a mapping (key: value lines), found \(Self.describe(node))")
            return nil
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                self.issue(keyNode, path, "a key must be a plain name")
                continue
            }
            let key = scalar.string
            guard known.contains(key) else {
                let childPath = Self.join(path, key)
                var message = "unknown key '\(key)'"
                if let suggestion = Self.suggestion(for: key, among: known) {
                    message += "; did you mean '\(suggestion)'?"
                } else if !known.isEmpty {
                    message += "; known keys: \(known.joined(separator: ", "))"
                }
                self.issue(keyNode, childPath, message)
                continue
            }
            entries.append((key, keyNode, value))
        }
        return entries
    }

    /// The items of a sequence; a single scalar is read as a one-item list when `allowSingle`.
    func sequence(_ node: Node, _ path: String, allowSingle: Bool = false) -> [Node]? {
        if Self.isNull(node) { return [] }
        switch node {
        case .sequence(let sequence): return Array(sequence)
        case .scalar where allowSingle: return [node]
        default:
            self.issue(node, path, "expected a list, found \(Self.describe(node))")
            return nil
        }
    }

    // MARK: Scalars

    /// A string scalar with `${VAR}` expanded.
    func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            self.issue(node, path, "expected a string, found \(Self.describe(node))")
            return nil
        }
        if (scalar.style == .plain && (scalar.string == "~" || scalar.string == "null")) {
            self.issue(node, path, "expected a string, found nothing")
            return nil
        }
        switch EnvironmentExpansion.expand(scalar.string, environment: self.environment) {
        case .success(let text): return text
        case .failure(let error):
            self.issue(node, path, error.message)
            return nil
        }
    }

    /// A non-empty string.
    func nonEmptyString(_ node: Node, _ path: String) -> String? {
        guard let text = self.string(node, path) else { return nil }
        guard !text.isEmpty else {
            self.issue(node, path, "must not be empty")
            return nil
        }
        return text
    }

    func bool(_ node: Node, _ path: String) -> Bool? {
        guard let text = self.string(node, path) else { return nil }
        switch text {
        case "true", "yes", "on", "True", "TRUE", "Yes": return true
        case "false", "no", "off", "False", "FALSE", "No": return false
        default:
            self.issue(node, path, "expected true or false, found '\(text)'")
            return nil
        }
    }

    func int(_ node: Node, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = self.string(node, path) else { return nil }
        guard let value = Int(text.replacingUnderscores) else {
            self.issue(node, path, "expected a whole number, found '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            self.issue(node, path, "\(value) is out of range (\(range.lowerBound)...\(range.upperBound))")
            return nil
        }
        return value
    }

    func duration(_ node: Node, _ path: String, minimum: Duration = .zero) -> Duration? {
        guard let text = self.string(node, path) else { return nil }
        switch ConfigValues.duration(text) {
        case .success(let value):
            guard value >= minimum else {
                self.issue(node, path, "duration '\(text)' must be at least \(minimum)")
                return nil
            }
            return value
        case .failure(let error):
            self.issue(node, path, error.message)
            return nil
        }
    }

    func size(_ node: Node, _ path: String, in range: ClosedRange<Int64>) -> Int64? {
        guard let text = self.string(node, path) else { return nil }
        switch ConfigValues.size(text.replacingUnderscores) {
        case .success(let value):
            guard range.contains(value) else {
                self.issue(
                    node,
                    path,
                    "size \(text) is out of range (\(range.lowerBound)...\(range.upperBound) bytes)"
                )
                return nil
            }
            return value
        case .failure(let error):
            self.issue(node, path, error.message)
            return nil
        }
    }

    /// One of `allowed`, with a suggestion for a near miss.
    func choice(_ node: Node, _ path: String, _ allowed: [String], what: String) -> String? {
        guard let text = self.string(node, path) else { return nil }
        guard allowed.contains(text) else {
            var message = "unknown \(what) '\(text)'"
            if let suggestion = Self.suggestion(for: text, among: allowed) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; expected one of: \(allowed.joined(separator: ", "))"
            }
            self.issue(node, path, message)
            return nil
        }
        return text
    }

    func regex(_ node: Node, _ path: String) -> String? {
        guard let text = self.nonEmptyString(node, path) else { return nil }
        if let problem = PatternCheck.regexProblem(text) {
            self.issue(node, path, problem)
            return nil
        }
        return text
    }

    // MARK: Helpers

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return (scalar.style == .plain && (scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null"))
    }

    /// Whether `node` is nothing or `[]`.
    static func isEmptyList(_ node: Node) -> Bool {
        if Self.isNull(node) { return true }
        if case .sequence(let sequence) = node { return sequence.isEmpty }
        return false
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if Self.isNull(node) { return "nothing" }
            return "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The closest of `candidates` within a small edit distance, for "did you mean".
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = Self.editDistance(Array(lowered.utf8), Array(candidate.lowercased().utf8))
            let limit = max(1, min(3, candidate.utf8.count / 3))
            if distance <= limit, best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        if best == nil {
            // `listen_address` for `listen`, `max_age_days` for `max_age`.
            best = candidates.first { lowered.hasPrefix($0) || $0.hasPrefix(lowered) && lowered.count >= 3 }.map {
                ($0, 0)
            }
        }
        return best?.0
    }

    /// Levenshtein distance with transpositions counted as one edit.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}

extension String {
    /// `1_000_000` → `1000000`, as YAML 1.1 allows in numbers.
    var replacingUnderscores: String { self.contains("_") ? String(self.filter { $0 != "_" }) : self }
}

/// Reads a whole file as text; nil and errno's message when it cannot be read.
enum ConfigFile {
    static func contents(of path: String) -> Result<String, ConfigValues.ValueError> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(ConfigValues.ValueError(String(cString: strerror(errno)))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ConfigValues.ValueError(String(cString: strerror(errno))))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= 16 << 20 else { return .failure(ConfigValues.ValueError("larger than 16 MiB")) }
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// Whether `path` names a readable regular file.
    static func isReadableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, R_OK) == 0
    }
}
