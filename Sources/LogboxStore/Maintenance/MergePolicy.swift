/// Which segments to merge next: tiered by size, and time-ordered.
///
/// A segment's tier is its size: tier 0 up to `mergeFloorEvents` events, then one tier per
/// factor of `mergeFactor` above it. `mergeFactor` neighbouring segments of one tier are merged
/// into one, lowest tier first, so the store holds about `mergeFactor` segments per tier and a query
/// opens O(log n) of them. Sizes, not merge counts, make the tiers: the tiny segments that
/// once-a-second flushes write on a quiet box merge with each other until they reach the floor,
/// instead of each one waiting for three big neighbours (or a merge of tiny ones counting as big).
/// Only segments next to each other in manifest order (time order: flushes append, a merge takes
/// its inputs' place) are merged, so a merged segment covers a contiguous stretch of time
/// (Lucene's LogMergePolicy reasoning: order matters for logs). Segments over
/// `maximumMergedEvents` stay as they are.
enum MergePolicy {
    /// The size tier of a segment of `docCount` events.
    static func tier(docCount: Int, options: StoreOptions) -> Int {
        let floor = max(options.mergeFloorEvents, 1)
        let factor = max(options.mergeFactor, 2)
        var tier = 0
        var bound = floor
        while docCount > bound && tier < 64 {
            tier += 1
            bound = bound > Int.max / factor ? Int.max : bound * factor
        }
        return tier
    }

    /// `segments` in manifest order; returns neighbours to merge, in that order, or nil.
    static func pick(_ segments: [SegmentInfo], options: StoreOptions) -> [SegmentInfo]? {
        let tiers = segments.map { Self.tier(docCount: $0.docCount, options: options) }
        for tier in Set(tiers).sorted() {
            var run: [SegmentInfo] = []
            for (segment, segmentTier) in zip(segments, tiers) {
                guard segmentTier == tier, segment.docCount < options.maximumMergedEvents else {
                    run.removeAll()
                    continue
                }
                run.append(segment)
                if run.count == max(options.mergeFactor, 2) {
                    let total = run.reduce(0) { $0 + $1.docCount }
                    if total <= options.maximumMergedEvents { return run }
                    run.removeFirst()
                }
            }
        }
        return nil
    }
}

/// Which segments retention drops.
enum Retention {
    static func select(_ segments: [SegmentInfo], maxAge: Duration?, maxBytes: UInt64?, now: Int64) -> [SegmentInfo] {
        var byAge = segments.sorted { ($0.maxTime, $0.id) < ($1.maxTime, $1.id) }
        var dropped: [SegmentInfo] = []
        if let maxAge {
            let (seconds, attoseconds) = maxAge.components
            let cutoff = now &- (seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
            while let oldest = byAge.first, oldest.maxTime < cutoff {
                dropped.append(byAge.removeFirst())
            }
        }
        if let maxBytes {
            var total = byAge.reduce(UInt64(0)) { $0 + $1.bytes }
            while total > maxBytes, !byAge.isEmpty {
                let oldest = byAge.removeFirst()
                total -= oldest.bytes
                dropped.append(oldest)
            }
        }
        return dropped
    }
}

/// Replaces several segments by one merged from them (`SegmentMerger`).
enum Merger {
    /// Merges `segments` in manifest (time) order into one segment of the next level, publishes it
    /// in their place and retires them. Ingest goes on meanwhile: the manifest is locked only to publish,
    /// and a segment dropped by retention during the merge makes the merge give up. Returns the new
    /// segment's id, or nil when the merge gave up.
    @discardableResult
    static func merge(
        _ segments: [SegmentInfo],
        state: ManifestState,
        compression: DocCompression,
        beforePublish: (@Sendable () -> Void)? = nil
    ) throws(StoreError) -> UInt64? {
        // Manifest order is time order (a merged segment's id is newer than the flushes around it).
        var position: [UInt64: Int] = [:]
        for (index, info) in state.manifest.segments.enumerated() { position[info.id] = index }
        let ordered = segments.sorted { (position[$0.id] ?? Int.max, $0.id) < (position[$1.id] ?? Int.max, $1.id) }
        let level = (ordered.map(\.level).max() ?? 0) + 1
        let id = state.reserveSegmentIDs()
        var readers: [SegmentReader] = []
        for info in ordered {
            readers.append(
                try SegmentReader(
                    directory: "\(state.segmentsDirectory)/\(info.directoryName)",
                    fileSystem: state.fileSystem
                )
            )
        }
        let merger = SegmentMerger(id: id, level: min(level, 250), compression: compression)
        var output = try SegmentDirectoryWriter(
            id: id,
            segmentsDirectory: state.segmentsDirectory,
            fileSystem: state.fileSystem
        )
        let meta: SegmentMeta
        do throws(StoreError) {
            meta = try merger.merge(readers, createdAt: StoreWriter.now(), into: &output)
        } catch {
            output.abandon()
            throw error
        }
        readers.removeAll()
        let info: SegmentInfo
        do throws(StoreError) {
            info = try output.finish(meta: meta)
        } catch {
            output.abandon()
            throw error
        }
        let merged = Set(ordered.map(\.id))
        beforePublish?()
        do throws(StoreError) {
            try state.publish { (manifest: inout Manifest) throws(StoreError) in
                let present = Set(manifest.segments.map(\.id))
                guard merged.isSubset(of: present) else {
                    throw StoreError(.invalidArgument, "segments changed during the merge; it was abandoned")
                }
                let position = manifest.segments.firstIndex { merged.contains($0.id) } ?? manifest.segments.count
                manifest.segments.removeAll { merged.contains($0.id) }
                manifest.segments.insert(info, at: min(position, manifest.segments.count))
                manifest.retired.append(contentsOf: merged)
            }
        } catch {
            try? state.fileSystem.removeDirectory("\(state.segmentsDirectory)/\(info.directoryName)", recursive: true)
            if case .invalidArgument = error.kind { return nil }
            throw error
        }
        return info.id
    }
}
