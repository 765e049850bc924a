/// Where one term's postings list starts in the postings body, and how to read it.
///
/// The term dictionary stores one per term; the list itself does not repeat the doc count or the
/// positions flag, so a list of one doc without positions costs a single varint.
public struct PostingsAddress: Sendable, Hashable {
    /// Byte offset of the list from the start of the postings body.
    public var offset: UInt64
    /// Number of docs in the list (at least 1); also the term's document frequency.
    public var docCount: UInt32
    /// Whether the list carries term positions for phrase queries.
    public var hasPositions: Bool

    public init(offset: UInt64, docCount: UInt32, hasPositions: Bool) {
        self.offset = offset
        self.docCount = docCount
        self.hasPositions = hasPositions
    }
}
