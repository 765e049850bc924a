/// Names close to a misspelt one, for "unknown field 'stauts'; did you mean 'status'?".
public enum FieldSuggestions {
    /// Up to `limit` names from `among` within a small edit distance of `name`, closest first,
    /// ties in name order.
    ///
    /// The distance is Damerau-Levenshtein (optimal string alignment: insert, delete, substitute,
    /// swap two neighbours), with ASCII letters compared case-insensitively so `Level` suggests
    /// `level`. A suggestion must be within 1 edit for names of 1 or 2 characters, 2 up to 9 and 3
    /// beyond, so short names do not suggest unrelated ones. `name` itself is never suggested.
    /// - Complexity: O(n · m) per candidate, skipped when the lengths alone rule it out.
    public static func closest(to name: String, among candidates: some Collection<String>, limit: Int = 3) -> [String] {
        guard limit > 0 else { return [] }
        let target = Self.folded(name)
        let allowed = target.count <= 2 ? 1 : target.count <= 9 ? 2 : 3
        var scored: [(distance: Int, name: String)] = []
        var seen: Set<String> = []
        for candidate in candidates where candidate != name && seen.insert(candidate).inserted {
            let folded = Self.folded(candidate)
            guard abs(folded.count - target.count) <= allowed else { continue }
            let distance = Self.distance(target, folded, bound: allowed)
            if distance <= allowed { scored.append((distance, candidate)) }
        }
        scored.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.name < $1.name }
        return scored.prefix(limit).map(\.name)
    }

    /// Unicode scalars with ASCII upper case folded to lower case.
    static func folded(_ text: String) -> [UInt32] {
        text.unicodeScalars.map { $0.value >= 0x41 && $0.value <= 0x5A ? $0.value | 0x20 : $0.value }
    }

    /// Optimal string alignment distance; stops early and returns `bound + 1` once every cell of
    /// a row exceeds `bound`.
    static func distance(_ a: [UInt32], _ b: [UInt32], bound: Int) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > bound { return bound + 1 }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
