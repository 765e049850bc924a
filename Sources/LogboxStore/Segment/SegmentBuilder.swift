import LogboxCore

/// Builds one segment in memory from events in doc-id order, then serializes its five files.
///
/// Call order: `add(batch:)` / `add(event:…)` any number of times, then `finish()` once. What each
/// field becomes is `IndexingRules`'. Memory is about the size of the events plus their postings;
/// the store flushes a segment well before that matters (`StoreOptions.flushEvents`).
struct SegmentBuilder {
    let id: UInt64
    let level: UInt8
    private var fieldNames = StringTable()
    private var sources = StringTable()
    /// UTF-8 of each of `sources`, by id: the exact terms `source` and `file` of every event.
    private var sourceBytes: [[UInt8]] = []
    /// Per source id: its term's index in the `source` table, and in the `file` table, once used there.
    private var sourceTerms: [(source: Int?, file: Int?)] = []
    /// The batch being added: our field id for each of its names (nil past the field limit), and
    /// our source id for each of its sources.
    private var batchNames: [UInt32?] = []
    private var batchSources: [UInt32] = []
    private var tables: [TermTable] = []
    /// Per local field: whether it carries the event time as text (no exact term, see `IndexingRules`).
    private var timeField: [Bool] = []
    private var numericHandles: [Int?] = []
    private var keywordHandles: [Int?] = []
    private var docs: DocStoreWriter
    private var columns = ColumnsWriter(maxDictionarySize: IndexingRules.maximumKeywordValues)
    private var tokenizer = Tokenizer()
    private var scratch: [UInt8] = []
    private var record = ByteWriter()
    private(set) var docCount: UInt32 = 0
    private(set) var minTime = Int64.max
    private(set) var maxTime = Int64.min
    private var truncatedTerms = 0
    private var skippedFields = 0
    private var rawBytes: UInt64 = 0
    /// Events without a `message` field (`SegmentMeta.messagelessDocs`).
    private var messagelessDocs = 0
    private let sourceField: UInt32
    private let fileField: UInt32
    private let messageField: UInt32
    /// The event being added: line ranges of its values that may become message spans (`IndexingRules`).
    private var spanCandidates: [(range: Range<Int>, field: UInt32)] = []
    /// Distinct span terms made so far (at most `IndexingRules.maximumSpanTerms`), and per local
    /// field (at most `maximumSpanTermsPerField`).
    private var spanTerms = 0
    private var spanTermsOfField: [Int] = []

    init(id: UInt64, level: UInt8, compressionLevel: Int32) {
        self.id = id
        self.level = level
        self.docs = DocStoreWriter(blockSize: 64 * 1024, compressionLevel: compressionLevel)
        self.messageField = 0
        self.sourceField = 1
        self.fileField = 2
        for name in [IndexingRules.messageField, IndexingRules.sourceField, IndexingRules.fileField] {
            _ = self.localField(name)
        }
    }

    /// Sizes the buffers that grow with every event for `events` events in `payloadBytes` bytes of
    /// WAL payload (a memtable's), so that they do not grow by doubling, each time copying what
    /// they hold into fresh pages. Reserved capacity never written costs address space, not memory.
    mutating func reserveCapacity(events: Int, payloadBytes: Int) {
        self.columns.reserveCapacity(events)
        // Full-text terms: syslog has about one per 11 bytes of payload (auth.log: 10.7 terms in
        // a 102-byte line); one per 8 leaves room for wordier text.
        self.tables[Int(self.messageField)].reserveCapacity(occurrences: payloadBytes / 8)
    }

    /// Adds every event of a WAL batch, in order.
    ///
    /// - Complexity: O(payload bytes); the events are decoded into one reused `StoredEvent`.
    mutating func add(batch: WALBatch) throws(StoreError) {
        self.batchNames.removeAll(keepingCapacity: true)
        for name in batch.names { self.batchNames.append(self.localField(name)) }
        self.batchSources.removeAll(keepingCapacity: true)
        for source in batch.sources { self.batchSources.append(self.localSource(source)) }
        try batch.forEachEventInPlace { (event: inout StoredEvent) throws(StoreError) in self.add(event: &event) }
    }

    /// Adds one event of the batch being added (its name and source ids are the batch's).
    ///
    /// Renumbers the event's fields and sources to ours in place (it is the caller's scratch).
    private mutating func add(event: inout StoredEvent) {
        let doc = self.docCount
        self.docCount += 1
        event.source = self.batchSources[Int(event.source)]
        if event.file != UInt32.max { event.file = self.batchSources[Int(event.file)] }
        for index in event.fields.indices {
            // A field over the per-segment limit is stored under the name `_` + its text is still in the line.
            event.fields[index].name = self.batchNames[Int(event.fields[index].name)] ?? self.overflowField()
        }
        self.docs.add(event)
        self.rawBytes += UInt64(event.line.count) + 1
        self.columns.addTimestamp(event.timestamp)
        self.minTime = min(self.minTime, event.timestamp)
        self.maxTime = max(self.maxTime, event.timestamp)

        self.addExact(field: self.sourceField, source: event.source, doc: doc)
        if event.file != UInt32.max { self.addExact(field: self.fileField, source: event.file, doc: doc) }
        // Values are read through buffers of the line and the extra values: an `ArraySlice` per
        // value would cost a retain and a release each.
        event.line.withUnsafeBufferPointer { line in
            event.extra.withUnsafeBufferPointer { extra in
                // The message goes last, once the values that may be spans of it are known.
                var message: StoredField?
                self.spanCandidates.removeAll(keepingCapacity: true)
                for field in event.fields {
                    let (inExtra, range) = event.rawLocation(field)
                    if field.name == self.messageField, message == nil, field.kind == .text, !inExtra {
                        message = field
                        continue
                    }
                    let raw = UnsafeBufferPointer(rebasing: (inExtra ? extra : line)[range])
                    let term = self.add(field: field, raw: raw, of: event, doc: doc)
                    if let term, field.kind == .text, !inExtra, range.count >= 3,
                        range.count <= IndexingRules.maximumSpanLength,
                        self.tables[Int(field.name)].docCount(termIndex: term) >= IndexingRules.minimumSpanDocs
                    {
                        self.spanCandidates.append((range, field.name))
                    }
                }
                if let message {
                    self.addMessage(line: line, range: event.rawLocation(message).range, doc: doc)
                } else if !event.fields.contains(where: { $0.name == self.messageField }) {
                    self.messagelessDocs += 1
                }
            }
        }
    }

    /// Indexes the message at `range` of `line` (plain text): its words, where a span candidate lies
    /// in it on word boundaries, that value as one span term at its first word's position.
    private mutating func addMessage(line: UnsafeBufferPointer<UInt8>, range: Range<Int>, doc: UInt32) {
        let table = Int(self.messageField)
        var position: UInt32 = 0
        var cursor = range.lowerBound
        // Parsers emit fields in line order, so this is nearly always sorted already.
        if self.spanCandidates.count > 1,
            !zip(self.spanCandidates, self.spanCandidates.dropFirst()).allSatisfy({
                $0.range.lowerBound <= $1.range.lowerBound
            })
        {
            self.spanCandidates.sort { $0.range.lowerBound < $1.range.lowerBound }
        }
        for (span, field) in self.spanCandidates {
            guard span.lowerBound >= cursor, span.upperBound <= range.upperBound else { continue }
            // A word across either end would tokenize differently alone.
            if span.lowerBound > range.lowerBound, Tokenizer.isWordByte(line[span.lowerBound - 1]),
                Tokenizer.isWordByte(line[span.lowerBound])
            {
                continue
            }
            if span.upperBound < range.upperBound, Tokenizer.isWordByte(line[span.upperBound - 1]),
                Tokenizer.isWordByte(line[span.upperBound])
            {
                continue
            }
            self.tokenizer.tokenize(UnsafeBufferPointer(rebasing: line[span]))
            let words = UInt32(self.tokenizer.count)
            guard words >= 2 else { continue }
            self.scratch.removeAll(keepingCapacity: true)
            self.scratch.append(IndexingRules.spanMarker)
            self.scratch.append(contentsOf: UnsafeBufferPointer(rebasing: line[span]))
            let known = self.scratch.withUnsafeBufferPointer { self.tables[table].existingIndex(of: $0) }
            if known == nil {
                if self.spanTermsOfField.count <= Int(field) {
                    self.spanTermsOfField.append(
                        contentsOf: repeatElement(0, count: Int(field) + 1 - self.spanTermsOfField.count)
                    )
                }
                guard self.spanTerms < IndexingRules.maximumSpanTerms,
                    self.spanTermsOfField[Int(field)] < IndexingRules.maximumSpanTermsPerField
                else { continue }
                self.spanTerms += 1
                self.spanTermsOfField[Int(field)] += 1
            }
            let term = known ?? self.scratch.withUnsafeBufferPointer { self.tables[table].termIndex($0) }
            position = self.addWords(UnsafeBufferPointer(rebasing: line[cursor..<span.lowerBound]), doc, position)
            self.tables[table].add(termIndex: term, doc: doc, position: position)
            position += words
            cursor = span.upperBound
        }
        _ = self.addWords(UnsafeBufferPointer(rebasing: line[cursor..<range.upperBound]), doc, position)
    }

    /// Indexes the words of `text` as message terms from `position` on; returns the position after them.
    private mutating func addWords(_ text: UnsafeBufferPointer<UInt8>, _ doc: UInt32, _ position: UInt32) -> UInt32 {
        guard !text.isEmpty else { return position }
        self.tokenizer.tokenize(text)
        self.addTerms(doc: doc, firstPosition: position)
        return position + UInt32(self.tokenizer.count)
    }

    /// Indexes one field of `event` whose value's bytes are `raw`; returns the index of its exact
    /// term when that is the value as written.
    @inline(__always)
    @discardableResult
    private mutating func add(field: StoredField, raw: UnsafeBufferPointer<UInt8>, of event: StoredEvent, doc: UInt32)
        -> Int?
    {
        if field.name == self.messageField {
            switch field.kind {
            case .jsonEscaped, .structuredDataEscaped:
                self.scratch.removeAll(keepingCapacity: true)
                if field.kind == .jsonEscaped {
                    Escapes.decodeJSON(event.rawBytes(field), into: &self.scratch)
                } else {
                    Escapes.decodeStructuredData(event.rawBytes(field), into: &self.scratch)
                }
                self.scratch.withUnsafeBufferPointer { self.tokenizer.tokenize($0) }
            default:
                self.tokenizer.tokenize(raw)
            }
            self.addTerms(doc: doc)
            return nil
        }
        if Int(field.name) >= self.tables.count {
            self.skippedFields += 1
            return nil
        }
        if self.timeField[Int(field.name)] { return nil }
        if IndexingRules.isTermAsWritten(field.kind) {
            // Indexed from the line, without a copy.
            let (term, truncated) = IndexingRules.exactTerm(asWritten: raw)
            if truncated { self.truncatedTerms += 1 }
            let index = self.tables[Int(field.name)].add(term, doc: doc)
            if field.kind == .decimal {
                self.columns.addDecimal(
                    fieldIndex: self.numericHandle(field.name),
                    doc: doc,
                    Double(bitPattern: UInt64(bitPattern: field.payload))
                )
            } else if raw.count <= IndexingRules.maximumKeywordLength {
                self.addKeyword(raw, field: field.name, doc: doc)
            }
            return index
        } else {
            self.scratch.removeAll(keepingCapacity: true)
            if IndexingRules.exactTerm(
                of: field.kind,
                raw: event.rawBytes(field),
                payload: field.payload,
                into: &self.scratch
            ) {
                self.truncatedTerms += 1
            }
            _ = self.scratch.withUnsafeBufferPointer { self.tables[Int(field.name)].add($0, doc: doc) }
            if field.kind == .integer {
                self.columns.addInteger(fieldIndex: self.numericHandle(field.name), doc: doc, field.payload)
            } else if self.scratch.count <= IndexingRules.maximumKeywordLength {
                let keyword = self.keywordHandle(field.name)
                self.scratch.withUnsafeBufferPointer { self.columns.addKeyword(fieldIndex: keyword, doc: doc, $0.span) }
            }
            return nil
        }
    }

    /// Adds `term` as the keyword of `field`.
    ///
    /// (A parameter, not a local: `span` of a local buffer cost a heap box per call.)
    private mutating func addKeyword(_ term: UnsafeBufferPointer<UInt8>, field: UInt32, doc: UInt32) {
        self.columns.addKeyword(fieldIndex: self.keywordHandle(field), doc: doc, term.span)
    }

    /// Indexes input name `source` as the exact term and keyword of `field` (`sourceField` or `fileField`).
    ///
    /// Every event of a batch has the same source, so its term is looked up once per segment.
    private mutating func addExact(field: UInt32, source: UInt32, doc: UInt32) {
        let keyword = self.keywordHandle(field)
        let isFile = field == self.fileField
        let known = isFile ? self.sourceTerms[Int(source)].file : self.sourceTerms[Int(source)].source
        let term: Int
        if let known {
            term = known
        } else {
            term = self.sourceBytes[Int(source)].withUnsafeBufferPointer { self.tables[Int(field)].termIndex($0) }
            if isFile { self.sourceTerms[Int(source)].file = term } else { self.sourceTerms[Int(source)].source = term }
        }
        self.tables[Int(field)].add(termIndex: term, doc: doc)
        self.sourceBytes[Int(source)].withUnsafeBufferPointer { value in
            self.columns.addKeyword(fieldIndex: keyword, doc: doc, value.span)
        }
    }

    /// Indexes the terms the tokenizer holds as the message's full-text terms.
    private mutating func addTerms(doc: UInt32, firstPosition: UInt32 = 0) {
        let table = Int(self.messageField)
        self.tokenizer.bytes.withUnsafeBufferPointer { bytes in
            self.tokenizer.ends.withUnsafeBufferPointer { ends in
                self.tables[table].add(terms: bytes, ends: ends, doc: doc, firstPosition: firstPosition)
            }
        }
    }

    private mutating func localField(_ name: String) -> UInt32? {
        if let id = self.fieldNames.id(of: name) { return id }
        // Reserved for hashed fields' dictionary names (`IndexingRules`).
        if IndexingRules.isHashedFieldName(name) { return nil }
        guard self.fieldNames.count < IndexingRules.maximumFieldsPerSegment else { return nil }
        let id = self.fieldNames.intern(name)
        self.tables.append(TermTable(keepsPositions: name == IndexingRules.messageField))
        self.timeField.append(IndexingRules.timeFields.contains(name))
        self.numericHandles.append(nil)
        self.keywordHandles.append(nil)
        return id
    }

    private mutating func overflowField() -> UInt32 {
        // Names past the limit share one stored name so the event keeps its value.
        self.fieldNames.intern("_overflow")
    }

    private mutating func localSource(_ name: String) -> UInt32 {
        let id = self.sources.intern(name)
        if Int(id) == self.sourceBytes.count {
            self.sourceBytes.append(Array(name.utf8))
            self.sourceTerms.append((nil, nil))
        }
        return id
    }

    private mutating func numericHandle(_ field: UInt32) -> Int {
        if let handle = self.numericHandles[Int(field)] { return handle }
        let handle = self.columns.numericField(named: self.fieldNames[field])
        self.numericHandles[Int(field)] = handle
        return handle
    }

    private mutating func keywordHandle(_ field: UInt32) -> Int {
        if let handle = self.keywordHandles[Int(field)] { return handle }
        let handle = self.columns.keywordField(named: self.fieldNames[field])
        self.keywordHandles[Int(field)] = handle
        return handle
    }

    /// Writes `table`'s terms as hashes (`IndexingRules.termHash`) under `name`: in hash order, the
    /// docs of values that share a hash together.
    private static func writeHashed(
        _ table: TermTable,
        name: String,
        postings: inout PostingsWriter,
        dictionary: inout TermDictionaryWriter
    ) {
        var entries: [(hash: [UInt8], docs: [UInt32])] = []
        entries.reserveCapacity(table.count)
        table.forEachPostings { term, docs, _, _ in
            entries.append((IndexingRules.termHash(Array(term).span), Array(docs)))
        }
        entries.sort { $0.hash.lexicographicallyPrecedes($1.hash) }
        var start = 0
        while start < entries.count {
            var docs = entries[start].docs
            var end = start + 1
            while end < entries.count, entries[end].hash == entries[start].hash {
                docs = Array(Set(docs).union(entries[end].docs)).sorted()
                end += 1
            }
            dictionary.add(field: name, term: entries[start].hash, address: postings.add(docs: docs.span))
            start = end
        }
    }

    /// The serialized files (bodies sealed with their footers) and the segment's meta.
    consuming func finish(createdAt: Int64) -> (files: [(name: String, bytes: [UInt8])], meta: SegmentMeta) {
        var postings = PostingsWriter()
        var dictionary = TermDictionaryWriter()
        let names = self.fieldNames.strings
        // The name each table is written under: hashed fields under their hashed name.
        var written: [(name: String, field: Int, hashed: Bool)] = []
        for field in names.indices where field < self.tables.count {
            let table = self.tables[field]
            let hashed =
                !table.keepsPositions && field != Int(self.sourceField) && field != Int(self.fileField)
                && table.count >= IndexingRules.hashedFieldMinimumTerms
                && IndexingRules.isHashedField(
                    terms: table.count,
                    repeated: table.repeatedTerms,
                    shortest: table.shortestTerm,
                    hexIDs: table.allTermBytes(IndexingRules.isHexIDByte)
                )
            written.append((hashed ? IndexingRules.hashedFieldName(names[field]) : names[field], field, hashed))
        }
        written.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for (name, field, hashed) in written {
            if hashed {
                Self.writeHashed(self.tables[field], name: name, postings: &postings, dictionary: &dictionary)
                continue
            }
            self.tables[field].forEachPostings { term, docs, positions, counts in
                let address: PostingsAddress
                if self.tables[field].keepsPositions {
                    address = postings.add(docs: docs.span, positions: positions.span, counts: counts.span)
                } else {
                    address = postings.add(docs: docs.span)
                }
                dictionary.add(field: name, term: term, address: address)
            }
        }
        let columns = self.columns.finish()
        let files: [(name: String, bytes: [UInt8])] = [
            ("terms", FileFooter.seal(dictionary.finish(), kind: .terms, version: TermDictionaryWriter.formatVersion)),
            ("postings", FileFooter.seal(postings.finish(), kind: .postings, version: PostingsWriter.formatVersion)),
            ("columns", FileFooter.seal(columns.body, kind: .columns, version: ColumnsWriter.formatVersion)),
            ("docs", FileFooter.seal(self.docs.finish(), kind: .docs, version: DocStoreWriter.formatVersion)),
        ]
        let meta = SegmentMeta(
            id: self.id,
            level: self.level,
            docCount: Int(self.docCount),
            minTime: self.docCount == 0 ? 0 : self.minTime,
            maxTime: self.docCount == 0 ? 0 : self.maxTime,
            createdAt: createdAt,
            fieldNames: self.fieldNames.strings,
            sources: self.sources.strings,
            fileSizes: files.map { ($0.name, UInt64($0.bytes.count)) },
            truncatedTerms: self.truncatedTerms + self.tokenizer.truncatedTerms,
            skippedFields: self.skippedFields,
            droppedColumns: columns.droppedKeywordFields,
            rawBytes: self.rawBytes,
            leaves: [SegmentLeaf(id: self.id, docCount: Int(self.docCount))],
            messagelessDocs: self.messagelessDocs
        )
        return (files, meta)
    }
}
