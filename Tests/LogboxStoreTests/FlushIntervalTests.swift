import LogboxCore
import LogboxStore
import LogboxTestSupport
import Synchronization
import Testing

@testable import LogboxStore

/// Visibility within about a second (`StoreOptions.flushInterval`) and merging the many tiny
/// segments that brings (`MergePolicy`'s size tiers).
@Suite("Flush interval and size tiers")
struct FlushIntervalTests {
    /// A clock the test moves by hand.
    final class FakeClock: Sendable {
        private let base = ContinuousClock.now
        private let offset = Mutex(Duration.zero)
        func now() -> ContinuousClock.Instant { self.base.advanced(by: self.offset.withLock { $0 }) }
        func advance(_ duration: Duration) { self.offset.withLock { $0 += duration } }
    }

    static func events(_ directory: String) throws -> [String] {
        let snapshot = try StoreSnapshot(directory: directory)
        var lines: [String] = []
        for segment in snapshot.segments {
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                lines.append(String(decoding: event.line, as: UTF8.self))
            }
        }
        return lines
    }

    @Test("maintain flushes once the oldest unflushed event is older than flushInterval, not before")
    func flushesOnTime() throws {
        let directory = TemporaryDirectory()
        let clock = FakeClock()
        var options = StoreOptions()
        options.backgroundMerges = false
        options.flushInterval = .seconds(1)
        options.clock = { clock.now() }
        let writer = try StoreWriter(directory: directory.path, options: options)
        try writer.maintain()
        #expect(writer.manifest.segments.isEmpty)

        try writer.append(SegmentLeavesTests.batch(["first"]), source: "s", receivedAt: 1)
        try writer.maintain()
        #expect(!writer.flushIsDue)
        #expect(try Self.events(directory.path).isEmpty)
        clock.advance(.milliseconds(600))
        // A later append does not restart the clock: the oldest event counts.
        try writer.append(SegmentLeavesTests.batch(["second"]), source: "s", receivedAt: 2)
        try writer.maintain()
        #expect(try Self.events(directory.path).isEmpty)
        clock.advance(.milliseconds(500))
        #expect(writer.flushIsDue)
        try writer.maintain()
        #expect(writer.unflushedEvents == 0)
        #expect(try Self.events(directory.path) == ["first", "second"])

        // Nothing unflushed: time passing flushes nothing.
        clock.advance(.seconds(5))
        try writer.maintain()
        #expect(writer.manifest.segments.count == 1)

        // The next event starts a new interval.
        try writer.append(SegmentLeavesTests.batch(["third"]), source: "s", receivedAt: 3)
        clock.advance(.milliseconds(900))
        try writer.maintain()
        #expect(writer.manifest.segments.count == 1)
        clock.advance(.milliseconds(200))
        try writer.maintain()
        #expect(try Self.events(directory.path) == ["first", "second", "third"])
        try writer.close()
    }

    @Test("a real short interval: events reach a reader's snapshot without a flush call")
    func realClock() async throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions()
        options.backgroundMerges = false
        options.flushInterval = .milliseconds(20)
        let writer = try StoreWriter(directory: directory.path, options: options)
        try writer.append(SegmentLeavesTests.batch(["soon"]), source: "s", receivedAt: 1)
        try writer.maintain()
        try await Task.sleep(for: .milliseconds(60))
        try writer.maintain()
        #expect(try Self.events(directory.path) == ["soon"])
        try writer.close()
    }

    @Test("size tiers: tiny segments merge with tiny neighbours, never across a big one")
    func tiers() {
        var options = StoreOptions()
        options.mergeFactor = 4
        options.mergeFloorEvents = 1_000
        #expect(MergePolicy.tier(docCount: 1, options: options) == 0)
        #expect(MergePolicy.tier(docCount: 1_000, options: options) == 0)
        #expect(MergePolicy.tier(docCount: 1_001, options: options) == 1)
        #expect(MergePolicy.tier(docCount: 4_000, options: options) == 1)
        #expect(MergePolicy.tier(docCount: 4_001, options: options) == 2)
        func info(_ id: UInt64, _ docs: Int, level: UInt8 = 0) -> SegmentInfo {
            SegmentInfo(id: id, docCount: docs, minTime: 0, maxTime: 0, bytes: 0, level: level)
        }
        // A merged segment of many tiny ones is still tiny: it merges with flushed tiny ones.
        let mixed = [info(9, 30_000, level: 1), info(10, 40, level: 3), info(11, 1), info(12, 2), info(13, 1)]
        #expect(MergePolicy.pick(mixed, options: options)?.map(\.id) == [10, 11, 12, 13])
        let split = [info(1, 1), info(2, 1), info(3, 50_000), info(4, 1), info(5, 1)]
        #expect(MergePolicy.pick(split, options: options) == nil)
        // Manifest order, not id order, is what "neighbours" means.
        let reordered = [info(20, 5), info(7, 5), info(21, 5), info(22, 5)]
        #expect(MergePolicy.pick(reordered, options: options)?.map(\.id) == [20, 7, 21, 22])
    }

    @Test("many one-event flushes merge down to a few segments, events in order")
    func manyTinySegments() async throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions()
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory.path, options: options)
        var expected: [String] = []
        for index in 0..<40 {
            let line = "event \(index)"
            expected.append(line)
            try writer.append(SegmentLeavesTests.batch([line]), source: "s", receivedAt: Int64(index))
            try writer.flush(mergeAfter: false)
            while true {
                let before = writer.completedMerges
                writer.scheduleMerge()
                await OffPool.block { writer.waitForMerges() }
                if writer.completedMerges == before { break }
            }
        }
        #expect(writer.manifest.segments.count < 4)
        #expect(try Self.events(directory.path) == expected)
        try writer.close()
    }
}
