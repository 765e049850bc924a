/// Set operations on ascending doc-id lists, the executor's one representation of a doc set.
///
/// Lists are sorted and unique. Intersections and differences walk both lists once (or
/// binary-search the longer one when the other is much shorter); unions of many lists go
/// through a bitset of the segment's docs.
enum DocSets {
    /// Docs in both lists.
    static func intersect(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        var out: [UInt32] = []
        out.reserveCapacity(small.count)
        if small.count * 16 < large.count {
            var low = 0
            for doc in small {
                low = Self.lowerBound(large, doc, from: low)
                if low == large.count { break }
                if large[low] == doc { out.append(doc) }
            }
            return out
        }
        var i = 0
        var j = 0
        while i < small.count, j < large.count {
            let x = small[i]
            let y = large[j]
            if x == y {
                out.append(x)
                i += 1
                j += 1
            } else if x < y {
                i += 1
            } else {
                j += 1
            }
        }
        return out
    }

    /// Docs of `a` not in `b`.
    static func subtract(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        if b.isEmpty { return a }
        var out: [UInt32] = []
        out.reserveCapacity(a.count)
        var j = 0
        for doc in a {
            while j < b.count, b[j] < doc { j += 1 }
            if j < b.count, b[j] == doc { continue }
            out.append(doc)
        }
        return out
    }

    /// Docs in either list.
    static func union(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var out: [UInt32] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count, j < b.count {
            let x = a[i]
            let y = b[j]
            if x == y {
                out.append(x)
                i += 1
                j += 1
            } else if x < y {
                out.append(x)
                i += 1
            } else {
                out.append(y)
                j += 1
            }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }

    /// The first index at or after `from` whose doc is >= `doc` (galloping, then binary search).
    static func lowerBound(_ list: [UInt32], _ doc: UInt32, from: Int) -> Int {
        var low = from
        var step = 1
        var high = from
        while high < list.count, list[high] < doc {
            low = high + 1
            high += step
            step <<= 1
        }
        high = min(high, list.count)
        while low < high {
            let middle = (low + high) / 2
            if list[middle] < doc { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// A fixed-size bitset over a segment's docs, for unions of many postings lists.
struct DocBitset {
    private(set) var words: [UInt64]

    init(count: Int) {
        self.words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    @inline(__always)
    mutating func insert(_ doc: UInt32) {
        self.words[Int(doc >> 6)] |= 1 << UInt64(doc & 63)
    }

    @inline(__always)
    func contains(_ doc: UInt32) -> Bool {
        self.words[Int(doc >> 6)] & (1 << UInt64(doc & 63)) != 0
    }

    /// The set docs, ascending.
    func docs() -> [UInt32] {
        var out: [UInt32] = []
        for (index, word) in self.words.enumerated() where word != 0 {
            var bits = word
            while bits != 0 {
                out.append(UInt32(index << 6 | bits.trailingZeroBitCount))
                bits &= bits - 1
            }
        }
        return out
    }
}
