/// How a postings body's bytes split between skip tables, doc ids and positions.
public struct PostingsBreakdown: Sendable, Equatable {
    public var skipBytes: UInt64 = 0
    public var docBytes: UInt64 = 0
    public var positionBytes: UInt64 = 0
    /// The header and any bytes no list covers.
    public var otherBytes: UInt64 = 0

    public init() {}

    public static func += (left: inout Self, right: Self) { left = left + right }

    public static func + (left: Self, right: Self) -> Self {
        var sum = left
        sum.skipBytes += right.skipBytes
        sum.docBytes += right.docBytes
        sum.positionBytes += right.positionBytes
        sum.otherBytes += right.otherBytes
        return sum
    }
}

extension PostingsReader {
    /// Splits the body between skip tables, doc ids and positions (for `logbox index stats`).
    ///
    /// Lists lie back to back, so a list ends where the next one (by offset) starts.
    /// - Parameter addresses: every list of the body, in any order (what the term dictionary holds).
    /// - Complexity: O(lists log lists), plus decoding the doc block of each one-block list with positions.
    public func breakdown(_ addresses: [PostingsAddress]) throws(StoreError) -> PostingsBreakdown {
        var result = PostingsBreakdown()
        var covered: UInt64 = 0
        try self.forEachListBreakdown(addresses) { _, list in
            result = result + list
            covered += list.total
        }
        result.otherBytes = UInt64(self.body.count) - min(covered, UInt64(self.body.count))
        return result
    }

    /// Calls `body` with each list's split (no `otherBytes`), in offset order.
    public func forEachListBreakdown(
        _ addresses: [PostingsAddress],
        _ body: (PostingsAddress, PostingsBreakdown) -> Void
    ) throws(StoreError) {
        let sorted = addresses.sorted { $0.offset < $1.offset }
        for (index, address) in sorted.enumerated() {
            let end = index + 1 < sorted.count ? Int(clamping: sorted[index + 1].offset) : self.body.count
            var iterator = try self.iterator(address)
            let start = Int(clamping: address.offset)
            guard end >= start else { throw StoreError(.corrupt, offset: Int64(start), "postings lists overlap") }
            let (regionStart, positionStart) = try iterator.regionStarts()
            let positions = min(positionStart ?? end, end)
            var list = PostingsBreakdown()
            list.skipBytes = UInt64(regionStart - start)
            list.docBytes = UInt64(max(positions - regionStart, 0))
            list.positionBytes = UInt64(max(end - positions, 0))
            body(address, list)
        }
    }
}

extension PostingsBreakdown {
    /// Every byte counted.
    public var total: UInt64 { self.skipBytes + self.docBytes + self.positionBytes + self.otherBytes }
}
