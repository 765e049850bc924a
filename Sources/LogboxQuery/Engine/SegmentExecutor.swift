import LogboxCore
import LogboxParse
import LogboxStore

/// Runs a prepared filter over one segment through its index.
///
/// Every node evaluates to an ascending doc list inside `within` (the docs an enclosing AND has
/// already narrowed to, or the window's docs; nil is the whole segment). AND evaluates its
/// cheapest child first and hands the result to the next; NOT subtracts; OR unions; leaves the
/// index cannot answer read the stored events of `within` only.
struct SegmentExecutor {
    let segment: SegmentReader
    let budget: ExecutionBudget
    let docCount: UInt32
    private var state: EvaluationState
    private var cursor: DocCursor
    private var positions: [[UInt32]] = []
    private var positionScratch: [UInt32] = []
    /// The segment's message span terms, read on first use.
    private var spanTable: MessageSpans?

    init(segment: SegmentReader, budget: ExecutionBudget, leafCount: Int) {
        self.segment = segment
        self.budget = budget
        self.docCount = UInt32(segment.docCount)
        self.state = EvaluationState(leafCount: leafCount)
        self.cursor = segment.docs.makeCursor()
    }

    /// Whether every doc of the segment lies in `window`.
    func covers(_ window: TimeWindow) -> Bool {
        window.contains(self.segment.meta.minTime) && window.contains(self.segment.meta.maxTime)
    }

    /// The docs of the segment in `window`, or nil when that is every doc.
    func windowDocs(_ window: TimeWindow) -> [UInt32]? {
        if self.covers(window) { return nil }
        return self.timeFilter(from: window.from, to: window.to, within: nil)
    }

    /// The matching docs in `window`.
    mutating func run(_ root: PreparedNode, window: TimeWindow) throws -> [UInt32] {
        guard self.docCount > 0, window.overlaps(minTime: self.segment.meta.minTime, maxTime: self.segment.meta.maxTime)
        else { return [] }
        let within = self.windowDocs(window)
        if let within, within.isEmpty { return [] }
        return try self.eval(root, within: within)
    }

    /// The number of matching docs in `window`, without materializing them when the index
    /// already knows (every doc, one term).
    mutating func count(_ root: PreparedNode, window: TimeWindow) throws -> Int {
        guard self.docCount > 0, window.overlaps(minTime: self.segment.meta.minTime, maxTime: self.segment.meta.maxTime)
        else { return 0 }
        if self.covers(window) {
            switch root {
            case .all: return Int(self.docCount)
            case .none: return 0
            case .leaf(let leaf):
                if let address = try self.singleTermAddress(leaf) { return address.map { Int($0.docCount) } ?? 0 }
            default: break
            }
        }
        return try self.run(root, window: window).count
    }

    // MARK: Nodes

    private var allDocs: [UInt32] { Array(0..<self.docCount) }

    mutating func eval(_ node: PreparedNode, within: [UInt32]?) throws -> [UInt32] {
        switch node {
        case .all: return within ?? self.allDocs
        case .none: return []
        case .not(let child):
            let base = within ?? self.allDocs
            return DocSets.subtract(base, try self.eval(child, within: base))
        case .or(let children):
            var result: [UInt32] = []
            for child in children {
                let docs = try self.eval(child, within: within)
                result = DocSets.union(result, docs)
                if let within, result.count == within.count { break }
                if result.count == Int(self.docCount) { break }
            }
            return result
        case .and(let children):
            return try self.evalAnd(children, within: within)
        case .leaf(let leaf):
            try self.budget.checkTime(column: leaf.column)
            return try self.eval(leaf, within: within)
        }
    }

    private mutating func evalAnd(_ children: [PreparedNode], within: [UInt32]?) throws -> [UInt32] {
        // Index-answerable positives by estimated size, then negations, then what needs the
        // stored events: each step sees only what the steps before left.
        var ordered: [(rank: Int, cost: Int, node: PreparedNode)] = []
        for child in children {
            let verify = !child.isIndexAnswerable
            if case .not(let inner) = child {
                ordered.append((verify ? 3 : 1, 0, inner))
            } else {
                let cost = try self.estimate(child)
                if cost == 0 { return [] }
                ordered.append((verify ? 2 : 0, cost, child))
            }
        }
        ordered.sort { ($0.rank, $0.cost) < ($1.rank, $1.cost) }
        var current = within
        for entry in ordered {
            if entry.rank == 1 || entry.rank == 3 {
                let base = current ?? self.allDocs
                current = DocSets.subtract(base, try self.eval(entry.node, within: base))
            } else {
                current = try self.eval(entry.node, within: current)
            }
            if current!.isEmpty { return [] }
        }
        return current ?? self.allDocs
    }

    /// About how many docs a node matches, for ordering an AND (0: none for sure).
    private mutating func estimate(_ node: PreparedNode) throws -> Int {
        switch node {
        case .all: return Int(self.docCount)
        case .none: return 0
        case .not: return Int(self.docCount)
        case .and(let children):
            var best = Int(self.docCount)
            for child in children where !isNot(child) { best = min(best, try self.estimate(child)) }
            return best
        case .or(let children):
            var total = 0
            for child in children { total += try self.estimate(child) }
            return min(total, Int(self.docCount))
        case .leaf(let leaf):
            switch leaf.test {
            case .messageTerms(let terms):
                var best = Int(self.docCount)
                for term in terms {
                    let docs = try self.wordSources(term).reduce(0) { $0 + Int($1.address.docCount) }
                    if docs == 0 { return 0 }
                    best = min(best, docs)
                }
                return best
            case .field(let name, .equals(let value)):
                let own = try self.lookup(name, value).map { Int($0.docCount) } ?? 0
                guard let hashed = self.hashedName(name) else { return own }
                return own + (try self.lookup(hashed, IndexingRules.termHash(value.span)).map { Int($0.docCount) } ?? 0)
            case .field(let name, _), .fieldExists(let name), .numericRange(let name, _, _, _, _):
                let hasTerms = self.segment.terms.termCount(field: name) > 0 || self.hashedName(name) != nil
                return hasTerms ? Int(self.docCount) : 0
            default:
                return Int(self.docCount)
            }
        }
        func isNot(_ node: PreparedNode) -> Bool {
            if case .not = node { return true }
            return false
        }
    }

    /// For a leaf that is exactly one term: its address (inner nil when the term is absent).
    private mutating func singleTermAddress(_ leaf: PreparedLeaf) throws -> PostingsAddress?? {
        switch leaf.test {
        case .messageTerms(let terms) where terms.count == 1:
            // A word that spans hold has more than its own list.
            guard try self.spans().occurrences(of: terms[0]).isEmpty else { return nil }
            return .some(try self.lookup(IndexingRules.messageField, terms[0]))
        case .field(let name, .equals(let value)) where self.hashedName(name) == nil:
            return .some(try self.lookup(name, value))
        default:
            return nil
        }
    }

    private func lookup(_ field: String, _ term: [UInt8]) throws -> PostingsAddress? {
        try self.segment.terms.lookup(field: field, term: term.span)
    }

    // MARK: Leaves

    private mutating func eval(_ leaf: PreparedLeaf, within: [UInt32]?) throws -> [UInt32] {
        switch leaf.test {
        case .messageTerms(let terms):
            if terms.count == 1 { return try self.union(self.wordSources(terms[0]).map(\.address), within: within) }
            return try self.phrase(terms, within: within)
        case .messagePrefix(let prefix):
            return try self.expandMessage(from: prefix, leaf: leaf, within: within) { $0.starts(with: prefix) }
        case .messageWildcard(let glob):
            return try self.expandMessage(from: glob.literalPrefix, leaf: leaf, within: within) { glob.matches($0) }
        case .messagePrefixPhrase(let terms, let prefix):
            var candidates = within
            if !terms.isEmpty {
                candidates = try self.eval(
                    .leaf(PreparedLeaf(id: leaf.id, column: leaf.column, test: .messageTerms(terms))),
                    within: candidates
                )
            }
            candidates = try self.expandMessage(from: prefix, leaf: leaf, within: candidates) {
                $0.starts(with: prefix)
            }
            return try self.verify(leaf, within: candidates)
        case .messageRegex(_, let required) where !required.isEmpty && self.segment.meta.messagelessDocs == 0:
            // Every event has a message, and a match holds each required term: read only those
            // events. (An event without a message is matched on its line, whose words have no postings.)
            var candidates = within
            for term in required {
                candidates = try self.eval(
                    .leaf(PreparedLeaf(id: leaf.id, column: leaf.column, test: .messageTerms([term]))),
                    within: candidates
                )
                if candidates?.isEmpty == true { return [] }
            }
            return try self.verify(leaf, within: candidates)
        case .messageExists where self.segment.meta.messagelessDocs == 0:
            return within ?? self.allDocs
        case .messageExists where self.segment.meta.messagelessDocs == Int(self.docCount):
            return []
        case .messageRegex, .messageExists, .verifyField:
            return try self.verify(leaf, within: within)
        case .fieldExists(let name):
            let docs = try self.expand(name, from: [], leaf: nil, within: within) { _ in true }
            return DocSets.union(docs, try self.hashedDocs(name, within: within))
        case .field(let name, let test):
            let docs = try self.fieldTerms(name, test, leaf: leaf, within: within)
            guard let hashed = self.hashedName(name) else { return docs }
            // Docs whose value is hashed: all of them for `exists`, else those the stored event confirms.
            let candidates: [UInt32]
            switch test {
            case .exists: return DocSets.union(docs, try self.hashedDocs(name, within: within))
            case .numericRange: return docs
            case .equals(let value):
                let address = try self.lookup(hashed, IndexingRules.termHash(value.span))
                candidates = try address.map { try self.postings($0, within: within) } ?? []
            default:
                candidates = try self.hashedDocs(name, within: within)
            }
            return DocSets.union(docs, try self.verify(leaf, within: DocSets.subtract(candidates, docs)))
        case .numericRange(let name, let lower, let lowerInclusive, let upper, let upperInclusive):
            return try self.numericRange(name, lower, lowerInclusive, upper, upperInclusive, within: within)
        case .timeRange(let from, let to):
            return self.timeFilter(from: from, to: to, within: within)
        }
    }

    /// The dictionary name of `field`'s hashed terms, when this segment has any (`IndexingRules`).
    private func hashedName(_ field: String) -> String? {
        let name = IndexingRules.hashedFieldName(field)
        return self.segment.terms.termCount(field: name) > 0 ? name : nil
    }

    /// Every doc with a hashed value of `field`, inside `within`.
    private mutating func hashedDocs(_ field: String, within: [UInt32]?) throws -> [UInt32] {
        guard let name = self.hashedName(field) else { return [] }
        return try self.expand(name, from: [], leaf: nil, within: within) { _ in true }
    }

    /// The docs the terms of `name` answer `test` for (hashed terms aside).
    private mutating func fieldTerms(_ name: String, _ test: ValueTest, leaf: PreparedLeaf, within: [UInt32]?) throws
        -> [UInt32]
    {
        switch test {
        case .equals(let value):
            guard let address = try self.lookup(name, value) else { return [] }
            return try self.postings(address, within: within)
        case .prefix(let prefix):
            return try self.expand(name, from: prefix, leaf: leaf, within: within) { $0.starts(with: prefix) }
        case .wildcard(let glob):
            return try self.expand(name, from: glob.literalPrefix, leaf: leaf, within: within) { glob.matches($0) }
        case .regex(let regex, let literal):
            let matcher = self.state.matcher(leaf.id, regex)
            return try self.expand(name, from: literal ?? [], leaf: leaf, within: within) { term in
                term.withUnsafeBufferPointer { matcher.matches($0.span) }
            }
        case .byteRange(let lower, let lowerInclusive, let upper, let upperInclusive):
            return try self.expandRange(
                name,
                lower,
                lowerInclusive,
                upper,
                upperInclusive,
                leaf: leaf,
                within: within
            )
        case .cidr(let network):
            let prefixes = IPAddressText.textPrefixes(network) ?? [[]]
            var result: [UInt32] = []
            for prefix in prefixes {
                let docs = try self.expand(name, from: prefix, leaf: leaf, within: within) { term in
                    guard let address = IPAddressText.parse(term) else { return false }
                    return IPAddressText.contains(network, address)
                }
                result = DocSets.union(result, docs)
            }
            return result
        case .exists:
            return try self.expand(name, from: [], leaf: nil, within: within) { _ in true }
        case .numericRange:
            return []
        }
    }

    /// Docs whose numeric value of `name` lies in the range, inside `within`.
    private func numericRange(
        _ name: String,
        _ lower: NumericValue?,
        _ lowerInclusive: Bool,
        _ upper: NumericValue?,
        _ upperInclusive: Bool,
        within: [UInt32]?
    ) throws -> [UInt32] {
        guard let column = self.segment.columns.numeric(name) else { return [] }
        var out: [UInt32] = []
        if let within, within.count < 4096 {
            for doc in within {
                if let value = column.value(doc),
                    ByteOrder.numericInRange(value, lower, lowerInclusive, upper, upperInclusive)
                {
                    out.append(doc)
                }
            }
            return out
        }
        for range in column.blocks(from: lower, through: upper) {
            column.forEach(in: range) { doc, value in
                if ByteOrder.numericInRange(value, lower, lowerInclusive, upper, upperInclusive) { out.append(doc) }
            }
        }
        return within.map { DocSets.intersect($0, out) } ?? out
    }

    /// The docs of one postings list inside `within`.
    private func postings(_ address: PostingsAddress, within: [UInt32]?) throws -> [UInt32] {
        var iterator = try self.segment.postings.iterator(address)
        var out: [UInt32] = []
        guard let within else {
            out.reserveCapacity(Int(address.docCount))
            while let doc = try iterator.next() { out.append(doc) }
            return out
        }
        if within.isEmpty { return [] }
        if within.count <= Int(address.docCount) {
            // Few candidates: jump the list to each.
            for doc in within {
                guard let found = try iterator.advance(to: doc) else { break }
                if found == doc { out.append(doc) }
            }
        } else {
            var index = 0
            while let doc = try iterator.next() {
                index = DocSets.lowerBound(within, doc, from: index)
                if index == within.count { break }
                if within[index] == doc { out.append(doc) }
            }
        }
        return out
    }

    /// One list where a message word stands: the word's own (shift 0), or a span term holding it
    /// as its `shift`-th word.
    private struct WordSource {
        var address: PostingsAddress
        var shift: UInt32
        /// The span's index in `MessageSpans.spans`; nil for the word's own list.
        var span: Int?
    }

    /// Where a message word stands. As word `index` of `phrase`, only the spans that agree with the
    /// phrase's other words where they overlap.
    private mutating func wordSources(_ word: [UInt8], at index: Int = 0, of phrase: [[UInt8]]? = nil) throws
        -> [WordSource]
    {
        var sources: [WordSource] = []
        if let address = try self.lookup(IndexingRules.messageField, word) {
            sources.append(WordSource(address: address, shift: 0))
        }
        let spans = try self.spans()
        for occurrence in spans.occurrences(of: word) {
            if let phrase, !spans.fits(occurrence, at: index, of: phrase) { continue }
            sources.append(WordSource(address: occurrence.address, shift: occurrence.offset, span: occurrence.span))
        }
        return sources
    }

    private mutating func spans() throws -> MessageSpans {
        if let table = self.spanTable { return table }
        // Kept with the segment: a segment of thousands of spans takes a millisecond to read.
        let terms = self.segment.terms
        let table = try self.segment.derived("message spans") { try MessageSpans(terms) }
        self.spanTable = table
        return table
    }

    /// Docs with the terms at consecutive positions.
    ///
    /// A span that holds the whole phrase matches every doc it is in; the other docs are checked by
    /// position, over the remaining lists.
    private mutating func phrase(_ terms: [[UInt8]], within: [UInt32]?) throws -> [UInt32] {
        var sources: [[WordSource]] = []
        for (index, term) in terms.enumerated() {
            let found = try self.wordSources(term, at: index, of: terms)
            if found.isEmpty { return [] }
            sources.append(found)
        }
        let spans = try self.spans()
        var whole: [Int: PostingsAddress] = [:]
        for source in sources[0] {
            if let span = source.span, Int(source.shift) + terms.count <= spans.spans[span].words.count {
                whole[span] = source.address
            }
        }
        var matched: [UInt32] = []
        if !whole.isEmpty {
            matched = try self.union(Array(whole.values), within: within)
            for index in sources.indices { sources[index].removeAll { $0.span.map { whole[$0] != nil } ?? false } }
            if sources.contains(where: \.isEmpty) { return matched }
        }
        // Docs with every term, rarest first.
        let sizes = sources.map { $0.reduce(0) { $0 + Int($1.address.docCount) } }
        var candidates = within
        for index in sources.indices.sorted(by: { sizes[$0] < sizes[$1] }) {
            candidates = try self.union(sources[index].map(\.address), within: candidates)
            if candidates!.isEmpty { return matched }
        }
        var iterators: [[(iterator: PostingsIterator, shift: UInt32)]] = []
        for termSources in sources {
            var list: [(iterator: PostingsIterator, shift: UInt32)] = []
            for source in termSources {
                list.append((try self.segment.postings.iterator(source.address), source.shift))
            }
            iterators.append(list)
        }
        if self.positions.count < terms.count {
            self.positions = Array(repeating: [], count: terms.count)
        }
        var out: [UInt32] = []
        for doc in candidates! {
            for index in iterators.indices {
                self.positions[index].removeAll(keepingCapacity: true)
                for source in iterators[index].indices {
                    guard try iterators[index][source].iterator.advance(to: doc) == doc else { continue }
                    try iterators[index][source].iterator.positions(into: &self.positionScratch)
                    let shift = iterators[index][source].shift
                    for position in self.positionScratch { self.positions[index].append(position &+ shift) }
                }
            }
            if Self.consecutive(self.positions, count: terms.count) { out.append(doc) }
        }
        return matched.isEmpty ? out : DocSets.union(matched, out)
    }

    /// `expand` over the message's words: word terms that `accept` takes, and span terms with such a word.
    private mutating func expandMessage(
        from prefix: [UInt8],
        leaf: PreparedLeaf,
        within: [UInt32]?,
        _ accept: (ArraySlice<UInt8>) -> Bool
    ) throws -> [UInt32] {
        let spanAddresses = try self.spans().addresses(where: accept)
        return try self.expand(
            IndexingRules.messageField,
            from: prefix,
            leaf: leaf,
            within: within,
            including: spanAddresses
        ) { !IndexingRules.isSpanTerm($0) && accept($0) }
    }

    /// Whether some position p of term 0 has term i at p + i for every i.
    private static func consecutive(_ positions: [[UInt32]], count: Int) -> Bool {
        for start in positions[0] {
            var ok = true
            for i in 1..<count where !positions[i].contains(start &+ UInt32(i)) {
                ok = false
                break
            }
            if ok { return true }
        }
        return false
    }

    /// The union of the postings of `field`'s terms from `prefix` on that pass `accept`, while
    /// they start with `prefix`, and of the lists `extra`. `leaf` nil: no expansion limit (exists).
    private mutating func expand(
        _ field: String,
        from prefix: [UInt8],
        leaf: PreparedLeaf?,
        within: [UInt32]?,
        including extra: [PostingsAddress] = [],
        _ accept: (ArraySlice<UInt8>) -> Bool
    ) throws -> [UInt32] {
        var addresses = extra
        var visited = 0
        let limit = leaf == nil ? Int.max : self.budget.limits.maximumExpandedTerms
        let budget = self.budget
        try self.segment.terms.enumerate(field: field, from: prefix.isEmpty ? nil : prefix) { term, address in
            guard term.starts(with: prefix) else { return false }
            visited += 1
            if visited > limit {
                throw QueryError(
                    .costLimit,
                    "this clause expands to more than \(limit) values of \(field)",
                    column: leaf?.column,
                    hint: CostLimits.hint
                )
            }
            if visited & 4095 == 0 { try budget.checkTime(column: leaf?.column) }
            if accept(term) { addresses.append(address) }
            return true
        }
        return try self.union(addresses, within: within)
    }

    private mutating func expandRange(
        _ field: String,
        _ lower: [UInt8]?,
        _ lowerInclusive: Bool,
        _ upper: [UInt8]?,
        _ upperInclusive: Bool,
        leaf: PreparedLeaf,
        within: [UInt32]?
    ) throws -> [UInt32] {
        var addresses: [PostingsAddress] = []
        let limit = self.budget.limits.maximumExpandedTerms
        try self.segment.terms.enumerate(
            field: field,
            from: lower,
            lowerInclusive: lowerInclusive,
            to: upper,
            upperInclusive: upperInclusive
        ) { _, address in
            addresses.append(address)
            if addresses.count > limit {
                throw QueryError(
                    .costLimit,
                    "this range covers more than \(limit) values of \(field)",
                    column: leaf.column,
                    hint: CostLimits.hint
                )
            }
            return true
        }
        return try self.union(addresses, within: within)
    }

    /// The union of postings lists, inside `within`.
    private func union(_ addresses: [PostingsAddress], within: [UInt32]?) throws -> [UInt32] {
        if addresses.isEmpty { return [] }
        if addresses.count == 1 { return try self.postings(addresses[0], within: within) }
        let total = addresses.reduce(0) { $0 + Int($1.docCount) }
        if let within, within.count * 8 < total {
            // Few candidates: probe each list for them.
            var found = DocBitset(count: Int(self.docCount))
            for address in addresses {
                for doc in try self.postings(address, within: within) { found.insert(doc) }
            }
            return within.filter { found.contains($0) }
        }
        var bits = DocBitset(count: Int(self.docCount))
        for address in addresses {
            var iterator = try self.segment.postings.iterator(address)
            while let doc = try iterator.next() { bits.insert(doc) }
        }
        if let within { return within.filter { bits.contains($0) } }
        return bits.docs()
    }

    /// Docs with a timestamp in `[from, to)`, inside `within`.
    func timeFilter(from: Int64?, to: Int64?, within: [UInt32]?) -> [UInt32] {
        let window = TimeWindow(from: from, to: to)
        let columns = self.segment.columns
        if let within { return within.filter { window.contains(columns.timestamp($0)) } }
        if let to, to == Int64.min { return [] }
        let last = (to ?? Int64.max &+ 1) &- 1  // `to` is exclusive; the blocks take an inclusive end
        var out: [UInt32] = []
        var times: [Int64] = []
        for range in columns.blocks(overlapping: from ?? Int64.min, to == nil ? Int64.max : last) {
            times.removeAll(keepingCapacity: true)
            columns.timestamps(in: range, into: &times)
            for (offset, time) in times.enumerated() where window.contains(time) {
                out.append(range.lowerBound + UInt32(offset))
            }
        }
        return out
    }

    /// Docs of `within` (or the whole segment) whose stored event passes the leaf.
    private mutating func verify(_ leaf: PreparedLeaf, within: [UInt32]?) throws -> [UInt32] {
        let docs = within ?? self.allDocs
        try self.budget.spendVerified(docs.count, column: leaf.column)
        let names = self.segment.meta.fieldNames
        let sources = self.segment.meta.sources
        var out: [UInt32] = []
        for (index, doc) in docs.enumerated() {
            if index & 1023 == 1023 { try self.budget.checkTime(column: leaf.column) }
            let event = try self.cursor.event(doc)
            if leaf.matches(StoredEventAccess(event: event, names: names, sources: sources), &self.state) {
                out.append(doc)
            }
        }
        return out
    }
}
