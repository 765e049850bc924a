/// What went wrong in the store, and where: the file and the byte offset, as an operator needs them.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Bytes that do not decode: a checksum mismatch, a length past the end, a bad magic or version.
        case corrupt
        /// A system call failed; `errno` says why.
        case io(errno: Int32)
        /// Another process holds the writer lock.
        case locked
        /// A caller asked for something the store does not have or allow.
        case invalidArgument
    }

    public var kind: Kind
    /// The file the error is about (relative to the data directory when known), or "".
    public var file: String
    /// The byte offset in `file`, or -1 when not applicable.
    public var offset: Int64
    public var message: String

    public init(_ kind: Kind, file: String = "", offset: Int64 = -1, _ message: String) {
        self.kind = kind
        self.file = file
        self.offset = offset
        self.message = message
    }

    public var description: String {
        var text = self.file.isEmpty ? "" : self.file
        if self.offset >= 0 { text += "@\(self.offset)" }
        if !text.isEmpty { text += ": " }
        return text + self.message
    }

    /// The same error, located in `file` (readers of a byte buffer do not know its file name).
    public func located(in file: String, baseOffset: Int64 = 0) -> StoreError {
        var copy = self
        if copy.file.isEmpty { copy.file = file }
        if copy.offset >= 0 { copy.offset += baseOffset }
        return copy
    }
}
