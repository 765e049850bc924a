#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tailed file could not be listed, opened, read or inflated.
///
/// The file is dropped from the tailer before the error is thrown (it is found again by the
/// next scan, resuming at its last delivered position), so the caller can log it and poll on.
public struct TailError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A system call failed with this `errno`.
        case io(errno: Int32)
        /// A gzip file is damaged (zlib's message).
        case badGzip(String)
        /// The multiline pattern does not compile.
        case badPattern(String)
    }

    public var kind: Kind
    public var path: String
    /// What was being done: `open`, `read`, `inflate`.
    public var operation: String

    public init(_ kind: Kind, path: String, operation: String) {
        self.kind = kind
        self.path = path
        self.operation = operation
    }

    public var description: String {
        switch self.kind {
        case .io(let code): "\(self.path): cannot \(self.operation): \(String(cString: strerror(code)))"
        case .badGzip(let message): "\(self.path): cannot \(self.operation): \(message)"
        case .badPattern(let message): "multiline pattern: \(message)"
        }
    }
}
