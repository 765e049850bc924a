/// Merges segments without rebuilding them: postings, terms and columns are copied across with
/// their doc ids shifted, events are re-encoded with the merged name tables.
///
/// The output's doc ids are the inputs' in order (segment by segment), so a term's postings are
/// the inputs' lists concatenated. Memory holds one field's term list per input at a time and the
/// output file being built (each file is written as soon as it is complete: docs, then columns,
/// then postings and terms), instead of every occurrence of every term as a rebuild would, and no
/// line is tokenized again. Output buffers are reserved at the inputs' sizes, so they do not grow by
/// copying (glibc maps large blocks, and reserved pages cost no memory until written).
struct SegmentMerger {
    let id: UInt64
    let level: UInt8
    let compression: DocCompression

    /// Uncompressed bytes per doc-store block of a merged segment: 16 times a fresh segment's
    /// 64 KiB, because zstd's window spans the whole block. On the 1M-line benchmark corpus,
    /// compacted at zstd 12, docs take 26.0 MB in 256 KiB blocks, 23.8 MB in 1 MiB and 23.1 MB in
    /// 4 MiB; reading one event decompresses at most 1 MiB (about half a millisecond).
    static let docBlockSize = 1024 * 1024

    /// Writes the merged segment's files into `output` and returns its meta (for `output.finish`).
    func merge(
        _ inputs: [SegmentReader],
        createdAt: Int64,
        into output: inout SegmentDirectoryWriter
    ) throws(StoreError) -> SegmentMeta {
        // Merged name and source tables, and each input's mapping into them.
        var fieldNames = StringTable()
        var sources = StringTable()
        var nameMaps: [[UInt32]] = []
        var sourceMaps: [[UInt32]] = []
        for input in inputs {
            nameMaps.append(input.meta.fieldNames.map { fieldNames.intern($0) })
            sourceMaps.append(input.meta.sources.map { sources.intern($0) })
        }
        var bases: [UInt32] = []
        var total: UInt32 = 0
        for input in inputs {
            bases.append(total)
            total += UInt32(input.docCount)
        }

        // Each phase in its own function, so its buffers are freed before the next one builds.
        let rawBytes = try self.writeDocs(inputs, nameMaps: nameMaps, sourceMaps: sourceMaps, into: &output)
        var dropped = Set(inputs.flatMap(\.meta.droppedColumns))
        dropped.formUnion(try self.writeColumns(inputs, bases: bases, total: total, dropped: dropped, into: &output))
        try self.writePostings(inputs, bases: bases, into: &output)
        return SegmentMeta(
            id: self.id,
            level: self.level,
            docCount: Int(total),
            minTime: inputs.map(\.meta.minTime).min() ?? 0,
            maxTime: inputs.map(\.meta.maxTime).max() ?? 0,
            createdAt: createdAt,
            fieldNames: fieldNames.strings,
            sources: sources.strings,
            fileSizes: output.fileSizes,
            truncatedTerms: inputs.reduce(0) { $0 + $1.meta.truncatedTerms },
            skippedFields: inputs.reduce(0) { $0 + $1.meta.skippedFields },
            droppedColumns: dropped.sorted(),
            rawBytes: rawBytes,
            leaves: inputs.flatMap(\.meta.effectiveLeaves),
            messagelessDocs: inputs.reduce(0 as Int?) { total, input in
                guard let total, let docs = input.meta.messagelessDocs else { return nil }
                return total + docs
            }
        )
    }

    /// Events, re-encoded with the merged ids; returns their raw bytes.
    private func writeDocs(
        _ inputs: [SegmentReader],
        nameMaps: [[UInt32]],
        sourceMaps: [[UInt32]],
        into output: inout SegmentDirectoryWriter
    ) throws(StoreError) -> UInt64 {
        var docs = DocStoreWriter(
            blockSize: Self.docBlockSize,
            compression: self.compression,
            capacity: Self.inputBytes(inputs, "docs")
        )
        var rawBytes: UInt64 = 0
        for (index, input) in inputs.enumerated() {
            let names = nameMaps[index]
            let sourceMap = sourceMaps[index]
            var failure: StoreError?
            try input.docs.events(in: 0..<UInt32(input.docCount)) { _, event in
                guard failure == nil else { return }
                var local = event
                guard Int(event.source) < sourceMap.count,
                    event.file == StoredEvent.noFile || Int(event.file) < sourceMap.count,
                    event.fields.allSatisfy({ Int($0.name) < names.count })
                else {
                    failure = StoreError(
                        .corrupt,
                        file: input.directory,
                        "an event refers to a name or source the segment lacks"
                    )
                    return
                }
                local.source = sourceMap[Int(event.source)]
                if event.file != StoredEvent.noFile { local.file = sourceMap[Int(event.file)] }
                for field in local.fields.indices { local.fields[field].name = names[Int(event.fields[field].name)] }
                docs.add(local)
                rawBytes += UInt64(event.line.count) + 1
            }
            if let failure { throw failure }
        }
        try output.write("docs", FileFooter.seal(docs.finish(), kind: .docs, version: DocStoreWriter.formatVersion))

        return rawBytes
    }

    /// Timestamps for every doc, then each input's numeric and keyword values; returns the keyword
    /// fields dropped for too many values.
    private func writeColumns(
        _ inputs: [SegmentReader],
        bases: [UInt32],
        total: UInt32,
        dropped: Set<String>,
        into output: inout SegmentDirectoryWriter
    ) throws(StoreError) -> [String] {
        var columns = ColumnsWriter(maxDictionarySize: IndexingRules.maximumKeywordValues)
        columns.reserveCapacity(Int(total))
        var timestamps: [Int64] = []
        for input in inputs {
            timestamps.removeAll(keepingCapacity: true)
            input.columns.timestamps(in: 0..<UInt32(input.docCount), into: &timestamps)
            for timestamp in timestamps { columns.addTimestamp(timestamp) }
        }
        var ordinals: [UInt32] = []
        for (index, input) in inputs.enumerated() {
            let base = bases[index]
            for name in input.columns.numericFields {
                guard let column = input.columns.numeric(name) else { continue }
                let handle = columns.numericField(named: name)
                column.forEach(in: 0..<UInt32(input.docCount)) { doc, value in
                    switch value {
                    case .integer(let integer): columns.addInteger(fieldIndex: handle, doc: base + doc, integer)
                    case .decimal(let decimal): columns.addDecimal(fieldIndex: handle, doc: base + doc, decimal)
                    }
                }
            }
            for name in input.columns.keywordFields where !dropped.contains(name) {
                guard let column = input.columns.keyword(name) else { continue }
                let handle = columns.keywordField(named: name)
                ordinals.removeAll(keepingCapacity: true)
                column.ordinals(in: 0..<UInt32(input.docCount), into: &ordinals)
                for (doc, ordinal) in ordinals.enumerated() where ordinal > 0 {
                    columns.addKeyword(
                        fieldIndex: handle,
                        doc: base + UInt32(doc),
                        column.dictionary[Int(ordinal) - 1][...]
                    )
                }
            }
        }

        let (columnsBody, droppedNow) = columns.finish()
        try output.write("columns", FileFooter.seal(columnsBody, kind: .columns, version: ColumnsWriter.formatVersion))

        return droppedNow
    }

    /// Terms and postings: per field in name order, the inputs' sorted term lists merged.
    private func writePostings(
        _ inputs: [SegmentReader],
        bases: [UInt32],
        into output: inout SegmentDirectoryWriter
    ) throws(StoreError) {
        var postings = PostingsWriter(capacity: Self.inputBytes(inputs, "postings"))
        var dictionary = TermDictionaryWriter(capacity: Self.inputBytes(inputs, "terms"))
        let allFields = Set(inputs.flatMap(\.terms.fields)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var positions: [UInt32] = []
        var lists = [TermList](repeating: TermList(), count: inputs.count)
        for field in allFields {
            for (index, input) in inputs.enumerated() {
                lists[index].removeAll()
                do {
                    try input.terms.enumerate(field: field) { term, address in
                        lists[index].append(term, address)
                        return true
                    }
                } catch {
                    throw (error as? StoreError) ?? StoreError(.corrupt, file: input.directory, "\(error)")
                }
            }
            var cursors = [Int](repeating: 0, count: inputs.count)
            while true {
                // The input holding the smallest next term (k is small: a linear scan).
                var smallest: Int?
                for index in inputs.indices where cursors[index] < lists[index].count {
                    if let current = smallest {
                        if lists[index].term(cursors[index]).lexicographicallyPrecedes(
                            lists[current].term(cursors[current])
                        ) {
                            smallest = index
                        }
                    } else {
                        smallest = index
                    }
                }
                guard let first = smallest else { break }
                let term = Array(lists[first].term(cursors[first]))
                let hasPositions = lists[first].addresses[cursors[first]].hasPositions
                postings.beginTerm(hasPositions: hasPositions)
                for index in inputs.indices
                where cursors[index] < lists[index].count && lists[index].term(cursors[index]).elementsEqual(term) {
                    let address = lists[index].addresses[cursors[index]]
                    cursors[index] += 1
                    var iterator = try inputs[index].postings.iterator(address)
                    while let doc = try iterator.next() {
                        if hasPositions {
                            positions.removeAll(keepingCapacity: true)
                            if address.hasPositions { try iterator.positions(into: &positions) }
                            postings.addDoc(bases[index] + doc, positions: positions.span)
                        } else {
                            postings.addDoc(bases[index] + doc)
                        }
                    }
                }
                dictionary.add(field: field, term: term, address: postings.endTerm())
            }
        }

        try output.write(
            "postings",
            FileFooter.seal(postings.finish(), kind: .postings, version: PostingsWriter.formatVersion)
        )
        try output.write(
            "terms",
            FileFooter.seal(dictionary.finish(), kind: .terms, version: TermDictionaryWriter.formatVersion)
        )
    }

    /// What `file` takes in all of `inputs`, plus a page: a merged file is about that size.
    private static func inputBytes(_ inputs: [SegmentReader], _ file: String) -> Int {
        inputs.reduce(4096) { sum, input in
            sum + Int(clamping: input.meta.fileSizes.first { $0.name == file }?.bytes ?? 0)
        }
    }
}

/// One input's terms of one field, back to back in one buffer: no allocation per term.
private struct TermList {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    private(set) var addresses: [PostingsAddress] = []

    var count: Int { self.ends.count }

    func term(_ index: Int) -> ArraySlice<UInt8> {
        self.bytes[(index == 0 ? 0 : self.ends[index - 1])..<self.ends[index]]
    }

    mutating func append(_ term: ArraySlice<UInt8>, _ address: PostingsAddress) {
        self.bytes.append(contentsOf: term)
        self.ends.append(self.bytes.count)
        self.addresses.append(address)
    }

    mutating func removeAll() {
        self.bytes.removeAll(keepingCapacity: true)
        self.ends.removeAll(keepingCapacity: true)
        self.addresses.removeAll(keepingCapacity: true)
    }
}
