import LogboxQuery
import Testing

@Suite struct TimeWindowTests {
    @Test func halfOpenBounds() {
        let window = TimeWindow(from: 10, to: 20)
        #expect(!window.contains(9))
        #expect(window.contains(10))
        #expect(window.contains(19))
        #expect(!window.contains(20))
        #expect(TimeWindow.everything.contains(.min))
        #expect(TimeWindow.everything.contains(.max))
    }

    @Test func overlapOfClosedRanges() {
        let window = TimeWindow(from: 10, to: 20)
        #expect(window.overlaps(minTime: 0, maxTime: 10))
        #expect(!window.overlaps(minTime: 0, maxTime: 9))
        #expect(window.overlaps(minTime: 19, maxTime: 30))
        #expect(!window.overlaps(minTime: 20, maxTime: 30))
        #expect(TimeWindow(from: nil, to: 5).overlaps(minTime: .min, maxTime: .min))
    }
}
