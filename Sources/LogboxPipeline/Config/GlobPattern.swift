/// A path glob as file sources write them: `*` and `?` within one path component, `[abc]`, `[a-z]`,
/// `[!x]` classes, `**` for any number of directories, `\` to escape.
///
/// Validated when the config loads, so that a typo (`/var/log/[ab.log`) is a config error with its
/// line rather than a source that silently tails nothing.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    private let components: [[UInt8]]
    public let isAbsolute: Bool

    public init(_ text: String) throws(ConfigValues.ValueError) {
        guard !text.isEmpty else { throw ConfigValues.ValueError("empty path pattern") }
        let bytes = Array(text.utf8)
        guard !bytes.contains(0) else { throw ConfigValues.ValueError("path pattern holds a NUL byte") }
        var components: [[UInt8]] = []
        for part in Self.normalized(bytes).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            let component = Array(part)
            try Self.validate(component, in: text)
            components.append(component)
        }
        guard !components.isEmpty else { throw ConfigValues.ValueError("path pattern '\(text)' names no file") }
        guard components.last != Array("**".utf8) else {
            throw ConfigValues.ValueError("path pattern '\(text)' ends in '**'; add a file name such as '**/*.log'")
        }
        self.text = text
        self.components = components
        self.isAbsolute = bytes.first == UInt8(ascii: "/")
    }

    public var description: String { self.text }

    /// The leading components without wildcards: where a scanner starts listing (`/var/log` for
    /// `/var/log/nginx/*.log`, `.` for `*.log`).
    public var baseDirectory: String {
        var parts: [String] = []
        for component in self.components.dropLast() {
            if component.contains(where: { Self.special.contains($0) }) { break }
            parts.append(String(decoding: component, as: UTF8.self))
        }
        let joined = parts.joined(separator: "/")
        if self.isAbsolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// Whether `path` matches; both are compared component by component after dropping `./`
    /// prefixes, so `./Samples/a.log` matches `Samples/*.log`.
    public func matches(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        guard (bytes.first == UInt8(ascii: "/")) == self.isAbsolute else { return false }
        let parts = Self.normalized(bytes).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(
            Array.init
        )
        return Self.match(self.components[...], parts[...])
    }

    private static let special: Set<UInt8> = [
        UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "\\"),
    ]

    /// Drops `.` components.
    private static func normalized(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for part in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        where !(part.count == 1 && part.first == UInt8(ascii: ".")) {
            out.append(UInt8(ascii: "/"))
            out.append(contentsOf: part)
        }
        return out
    }

    private static func validate(_ component: [UInt8], in text: String) throws(ConfigValues.ValueError) {
        if component.count > 2, component.starts(with: Array("**".utf8)) || component.suffix(2) == ArraySlice("**".utf8)
        {
            throw ConfigValues.ValueError("'**' must be a whole path component in '\(text)' (write 'dir/**/*.log')")
        }
        var i = 0
        while i < component.count {
            switch component[i] {
            case UInt8(ascii: "\\"):
                guard i + 1 < component.count else {
                    throw ConfigValues.ValueError("path pattern '\(text)' ends with an escape '\\'")
                }
                i += 2
            case UInt8(ascii: "["):
                var j = i + 1
                if j < component.count, component[j] == UInt8(ascii: "!") || component[j] == UInt8(ascii: "^") {
                    j += 1
                }
                if j < component.count, component[j] == UInt8(ascii: "]") { j += 1 }
                while j < component.count, component[j] != UInt8(ascii: "]") { j += 1 }
                guard j < component.count else {
                    throw ConfigValues.ValueError("unclosed '[' in path pattern '\(text)'")
                }
                i = j + 1
            default:
                i += 1
            }
        }
    }

    private static func match(_ pattern: ArraySlice<[UInt8]>, _ path: ArraySlice<[UInt8]>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == Array("**".utf8) {
            var rest = path
            while true {
                if Self.match(pattern.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let name = path.first, Self.matchComponent(first[...], name[...]) else { return false }
        return Self.match(pattern.dropFirst(), path.dropFirst())
    }

    /// fnmatch-style match of one component; backtracks on `*` only to the last star.
    private static func matchComponent(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var n = name.startIndex
        var starP = -1
        var starN = -1
        while n < name.endIndex {
            if p < pattern.endIndex {
                let c = pattern[p]
                if c == UInt8(ascii: "*") {
                    starP = p
                    starN = n
                    p += 1
                    continue
                }
                if c == UInt8(ascii: "?") {
                    p += 1
                    n += 1
                    continue
                }
                if c == UInt8(ascii: "["), let (matched, next) = Self.matchClass(pattern, p, name[n]) {
                    if matched {
                        p = next
                        n += 1
                        continue
                    }
                } else {
                    var literal = c
                    var next = p + 1
                    if c == UInt8(ascii: "\\"), p + 1 < pattern.endIndex {
                        literal = pattern[p + 1]
                        next = p + 2
                    }
                    if literal == name[n] {
                        p = next
                        n += 1
                        continue
                    }
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starN += 1
            n = starN
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }

    /// Matches `byte` against the class at `start`; returns whether it matched and the index after `]`.
    private static func matchClass(_ pattern: ArraySlice<UInt8>, _ start: Int, _ byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.endIndex, pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^") {
            negate = true
            i += 1
        }
        var matched = false
        var first = true
        while i < pattern.endIndex, first || pattern[i] != UInt8(ascii: "]") {
            first = false
            let low = pattern[i]
            if i + 2 < pattern.endIndex, pattern[i + 1] == UInt8(ascii: "-"), pattern[i + 2] != UInt8(ascii: "]") {
                if low <= byte && byte <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if low == byte { matched = true }
                i += 1
            }
        }
        guard i < pattern.endIndex else { return nil }
        return (matched != negate, i + 1)
    }
}
