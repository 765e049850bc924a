/// Reads postings lists from a postings body (layout in `PostingsWriter.swift`).
///
/// Immutable after `init`, so one reader serves concurrent queries; each query takes its own
/// `PostingsIterator`. Bad bytes throw `StoreError(.corrupt)` with the body offset, never trap.
public final class PostingsReader: Sendable {
    /// The postings body (without the file footer); its length bounds the addresses in the terms.
    public let body: ByteStorage
    /// The body's format version (1 or 2, see `PostingsWriter`).
    public let version: UInt16

    public init(body: ByteStorage) throws(StoreError) {
        var reader = ByteReader(body)
        let version = try reader.u16()
        guard PostingsWriter.readableVersions.contains(version) else {
            throw StoreError(.corrupt, offset: 0, "postings format version \(version) is not supported")
        }
        let reserved = try reader.u16()
        guard reserved == 0 else {
            throw StoreError(.corrupt, offset: 2, "postings header reserved field is \(reserved), expected 0")
        }
        self.body = body
        self.version = version
    }

    /// Reads a copy of `body` (tests, and bodies not read from a file).
    public convenience init(body: ArraySlice<UInt8>) throws(StoreError) {
        try self.init(body: ByteStorage(body))
    }

    public convenience init(body: [UInt8]) throws(StoreError) {
        try self.init(body: ByteStorage(body))
    }

    /// An iterator over the list at `address`, positioned before its first doc.
    ///
    /// Checks only that the address and the list's skip table lie inside the body; the rest is
    /// checked as blocks are decoded.
    public func iterator(_ address: PostingsAddress) throws(StoreError) -> PostingsIterator {
        try PostingsIterator(body: self.body, address: address, version: self.version)
    }

    /// Decodes the whole list at `address` and checks it: doc ids strictly ascending and below
    /// `limit` (the segment's doc count), skip data matching the blocks, positions readable.
    public func verify(address: PostingsAddress, docCount limit: UInt32) throws(StoreError) {
        guard address.docCount <= limit else {
            throw StoreError(
                .corrupt,
                offset: Int64(clamping: address.offset),
                "postings list has \(address.docCount) docs, the segment only \(limit)"
            )
        }
        var iterator = try self.iterator(address)
        try iterator.verifyAll(docLimit: limit)
    }
}
