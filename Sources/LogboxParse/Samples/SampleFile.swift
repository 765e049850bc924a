/// One generated sample log: its file name, its bytes, and where its deliberately broken lines are.
public struct SampleFile: Sendable {
    /// The file name (`auth.log`), without a directory.
    public var name: String
    /// The whole file. Lines end in `\n`, except a last line of kind `noFinalNewline`.
    public var bytes: [UInt8]
    /// The lines replaced by malformed ones, as 1-based physical line numbers in ascending order.
    public var malformedLines: [(line: Int, kind: MalformedKind)]

    public init(name: String, bytes: [UInt8], malformedLines: [(line: Int, kind: MalformedKind)] = []) {
        self.name = name
        self.bytes = bytes
        self.malformedLines = malformedLines
    }

    /// The file names `SampleLogGenerator` writes, in the order it returns them.
    public static let names = ["auth.log", "nginx_access.log", "app.jsonl", "syslog5424.log", "app.logfmt"]
}

/// How a malformed sample line is broken; each kind is a way real log files go bad.
public enum MalformedKind: String, Sendable, Hashable, CaseIterable {
    /// A line cut after at most 40 bytes, as when a writer dies mid-line.
    case truncated
    /// A line holding bytes that are not UTF-8 (Latin-1 text, stray continuation bytes, overlongs).
    case invalidUTF8
    /// A run of NUL bytes before a line fragment, as after a crash on a preallocated file.
    case nulBytes
    /// Random bytes (never `\n`), as when a binary file lands in a log directory.
    case binaryGarbage
    /// The last line, cut short and without its `\n`: the file is still being written.
    case noFinalNewline
    /// One line of exactly `Options.hugeLineBytes` bytes, to exercise line-length limits.
    case hugeLine
}
