import LogboxStore
import Testing

@testable import LogboxQuery

/// Runs queries through the index and by brute force over every stored event.
enum BruteForceCheck {
    /// For each query: brute force finds `count` events, and the index's matches and count agree.
    static func expect(
        _ queries: [(query: String, count: Int)],
        on snapshot: StoreSnapshot,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let engine = QueryEngine(snapshot: snapshot, limits: .unlimited)
        var events: [(segment: SegmentReader, event: StoredEvent)] = []
        for segment in snapshot.segments {
            var cursor = segment.docs.makeCursor()
            for doc in 0..<UInt32(segment.docCount) { events.append((segment, try cursor.event(doc))) }
        }
        for (text, count) in queries {
            let prepared = try engine.prepare(try QueryParser.parseFilter(text))
            let expected = events.filter {
                prepared.matches($0.event, names: $0.segment.meta.fieldNames, sources: $0.segment.meta.sources)
            }.count
            var found = 0
            try engine.matches(prepared, in: .everything) { matches in
                found += matches.docs.count
                return true
            }
            #expect(expected == count, "brute force: \(text)", sourceLocation: sourceLocation)
            #expect(found == expected, "index: \(text)", sourceLocation: sourceLocation)
            let counted = try engine.count(prepared, in: .everything)
            #expect(counted == expected, "count: \(text)", sourceLocation: sourceLocation)
        }
    }
}
