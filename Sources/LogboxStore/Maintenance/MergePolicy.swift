/// Which segments to merge next: leveled and time-ordered.
///
/// Segments of one level are merged `mergeFactor` at a time, oldest (lowest id) first, into one
/// segment of the next level, so the store holds about `mergeFactor` segments per level and a
/// query opens O(log n) of them. Only segments next to each other in flush order are merged, so
/// a merged segment covers a contiguous stretch of time (Lucene's LogMergePolicy reasoning:
/// order matters for logs). Segments over `maximumMergedEvents` stay as they are.
enum MergePolicy {
    static func pick(_ segments: [SegmentInfo], options: StoreOptions) -> [SegmentInfo]? {
        let sorted = segments.sorted { $0.id < $1.id }
        let levels = Set(sorted.map(\.level)).sorted()
        for level in levels {
            var run: [SegmentInfo] = []
            for segment in sorted {
                guard segment.level == level, segment.docCount < options.maximumMergedEvents else {
                    run.removeAll()
                    continue
                }
                run.append(segment)
                if run.count == options.mergeFactor {
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
    /// Merges `segments` in id order into one segment of the next level, publishes it in their
    /// place and retires them. Ingest goes on meanwhile: the manifest is locked only to publish,
    /// and a segment dropped by retention during the merge makes the merge give up.
    static func merge(
        _ segments: [SegmentInfo],
        state: ManifestState,
        compressionLevel: Int32,
        beforePublish: (@Sendable () -> Void)? = nil
    ) throws(StoreError) {
        let ordered = segments.sorted { $0.id < $1.id }
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
        let merger = SegmentMerger(id: id, level: min(level, 250), compressionLevel: compressionLevel)
        let built = try merger.merge(readers, createdAt: StoreWriter.now())
        readers.removeAll()
        let info = try SegmentFiles.write(
            built,
            segmentsDirectory: state.segmentsDirectory,
            fileSystem: state.fileSystem
        )
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
            if case .invalidArgument = error.kind { return }
            throw error
        }
    }
}
