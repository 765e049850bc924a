/// `logbox index verify`: every checksum, every structure against the others.
///
/// Per segment: the footers of all five files (at open) and their checksums, every doc-store block and
/// record, the term dictionary's order, every postings list decoded in full with each doc id below
/// the doc count, the columns against the doc count, and the meta's count against the doc store.
/// Then the WAL: every record beyond the manifest decodes.
public enum StoreVerifier {
    public struct Problem: Sendable, CustomStringConvertible {
        public var segment: UInt64?
        public var error: StoreError
        public var description: String {
            (self.segment.map { "\(SegmentInfo.directoryName($0)): " } ?? "") + self.error.description
        }
    }

    public struct Report: Sendable {
        public var segmentsChecked = 0
        public var eventsChecked = 0
        public var postingsChecked = 0
        public var walRecords = 0
        public var problems: [Problem] = []
        public var isClean: Bool { self.problems.isEmpty }
    }

    public static func verify(directory: String, fileSystem: FileSystem = FileSystem()) throws(StoreError) -> Report {
        var report = Report()
        let snapshot = try StoreSnapshot(directory: directory, fileSystem: fileSystem)
        for (id, error) in snapshot.unreadable { report.problems.append(Problem(segment: id, error: error)) }
        for segment in snapshot.segments {
            report.segmentsChecked += 1
            do throws(StoreError) {
                report.postingsChecked += try Self.verify(segment)
                report.eventsChecked += segment.docCount
            } catch {
                report.problems.append(Problem(segment: segment.id, error: error))
            }
            // Every byte was read: without this, verify's RSS grows to the size of the store.
            segment.releaseResidentPages()
        }
        do throws(StoreError) {
            let walReport = try WALReader.replay(
                directory: StoreWriter.walDirectory(directory),
                fileSystem: fileSystem,
                afterSequence: snapshot.manifest.walSequence,
                repairTail: false
            ) { (_: UInt64, payload: [UInt8]) throws(StoreError) in
                try WALBatch.decode(payload).forEachEvent { (_: StoredEvent) throws(StoreError) in }
            }
            report.walRecords = walReport.delivered
            if let cut = walReport.truncation {
                report.problems.append(
                    Problem(
                        segment: nil,
                        error: StoreError(.corrupt, file: cut.file, offset: cut.offset, "torn WAL tail: \(cut.reason)")
                    )
                )
            }
        } catch {
            report.problems.append(Problem(segment: nil, error: error))
        }
        return report
    }

    /// Checks one segment; returns how many postings lists it decoded.
    static func verify(_ segment: SegmentReader) throws(StoreError) -> Int {
        let name = SegmentInfo.directoryName(segment.id)
        let docCount = segment.docCount
        // Opening checked the footers; the checksums need every byte, so they are checked here.
        try segment.verifyChecksums()
        guard segment.docs.count == docCount else {
            throw StoreError(
                .corrupt,
                file: "\(name)/docs",
                "holds \(segment.docs.count) events, meta says \(docCount)"
            )
        }
        guard segment.columns.docCount == docCount else {
            throw StoreError(
                .corrupt,
                file: "\(name)/columns",
                "has \(segment.columns.docCount) rows, meta says \(docCount)"
            )
        }
        do { try segment.docs.verify() } catch { throw error.located(in: "\(name)/docs") }
        do { try segment.columns.verify(docCount: docCount) } catch { throw error.located(in: "\(name)/columns") }
        do {
            try segment.terms.verify(postingsLength: UInt64(segment.postings.body.count), docCount: UInt32(docCount))
        } catch { throw error.located(in: "\(name)/terms") }
        var lists = 0
        var failure: StoreError?
        for field in segment.terms.fields {
            do {
                try segment.terms.enumerate(field: field) { _, address in
                    do throws(StoreError) {
                        try segment.postings.verify(address: address, docCount: UInt32(docCount))
                        lists += 1
                        return true
                    } catch {
                        failure = error.located(in: "\(name)/postings")
                        return false
                    }
                }
            } catch {
                throw (error as? StoreError)?.located(in: "\(name)/terms")
                    ?? StoreError(.corrupt, file: "\(name)/terms", "\(error)")
            }
            if let failure { throw failure }
        }
        return lists
    }
}
