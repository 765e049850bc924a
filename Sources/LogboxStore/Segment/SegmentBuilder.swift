public import LogboxCore

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
    private let sourceField: UInt32
    private let fileField: UInt32
    private let messageField: UInt32

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

    /// Adds every event of a WAL batch, in order.
    mutating func add(batch: WALBatch) throws(StoreError) {
        var names: [UInt32?] = []
        for name in batch.names { names.append(self.localField(name)) }
        var sources: [UInt32] = []
        for source in batch.sources { sources.append(self.localSource(source)) }
        try batch.forEachEvent { (event: consuming StoredEvent) throws(StoreError) in
            self.add(event: event, names: names, sources: sources)
        }
    }

    /// Adds one event whose name and source ids index the tables `names` and `sources` map to ours.
    ///
    /// Takes the event (`consuming`) so renumbering its fields writes in place instead of copying them.
    mutating func add(event: consuming StoredEvent, names: [UInt32?], sources: [UInt32]) {
        let doc = self.docCount
        self.docCount += 1
        var local = consume event
        local.source = sources[Int(local.source)]
        if local.file != UInt32.max { local.file = sources[Int(local.file)] }
        for index in local.fields.indices {
            // A field over the per-segment limit is stored under the name `_` + its text is still in the line.
            local.fields[index].name = names[Int(local.fields[index].name)] ?? self.overflowField()
        }
        self.docs.add(local)
        self.rawBytes += UInt64(local.line.count) + 1
        self.columns.addTimestamp(local.timestamp)
        self.minTime = min(self.minTime, local.timestamp)
        self.maxTime = max(self.maxTime, local.timestamp)

        self.addExact(field: self.sourceField, source: local.source, doc: doc)
        if local.file != UInt32.max { self.addExact(field: self.fileField, source: local.file, doc: doc) }
        for field in local.fields {
            if field.name == self.messageField {
                self.addText(local.rawBytes(field), kind: field.kind, doc: doc)
                continue
            }
            if Int(field.name) >= self.tables.count { self.skippedFields += 1; continue }
            if self.timeField[Int(field.name)] { continue }
            let raw = local.rawBytes(field)
            self.scratch.removeAll(keepingCapacity: true)
            if IndexingRules.exactTerm(of: field.kind, raw: raw, payload: field.payload, into: &self.scratch) {
                self.truncatedTerms += 1
            }
            self.scratch.withUnsafeBufferPointer { self.tables[Int(field.name)].add($0, doc: doc) }
            switch field.kind {
            case .integer:
                self.columns.addInteger(fieldIndex: self.numericHandle(field.name), doc: doc, field.payload)
            case .decimal:
                self.columns.addDecimal(
                    fieldIndex: self.numericHandle(field.name),
                    doc: doc,
                    Double(bitPattern: UInt64(bitPattern: field.payload))
                )
            default:
                if self.scratch.count <= IndexingRules.maximumKeywordLength {
                    self.columns.addKeyword(fieldIndex: self.keywordHandle(field.name), doc: doc, self.scratch[...])
                }
            }
        }
    }

    /// Indexes input name `source` as the exact term and keyword of `field`.
    private mutating func addExact(field: UInt32, source: UInt32, doc: UInt32) {
        let keyword = self.keywordHandle(field)
        self.sourceBytes[Int(source)].withUnsafeBufferPointer { value in
            self.tables[Int(field)].add(value, doc: doc)
            self.columns.addKeyword(fieldIndex: keyword, doc: doc, value.span)
        }
    }

    private mutating func addText(_ raw: ArraySlice<UInt8>, kind: ValueKind, doc: UInt32) {
        if kind == .jsonEscaped || kind == .structuredDataEscaped {
            self.scratch.removeAll(keepingCapacity: true)
            if kind == .jsonEscaped {
                Escapes.decodeJSON(raw, into: &self.scratch)
            } else {
                Escapes.decodeStructuredData(raw, into: &self.scratch)
            }
            self.scratch.withUnsafeBufferPointer { self.tokenizer.tokenize($0) }
        } else {
            raw.withUnsafeBufferPointer { self.tokenizer.tokenize($0) }
        }
        let table = Int(self.messageField)
        self.tokenizer.bytes.withUnsafeBufferPointer { bytes in
            self.tokenizer.ends.withUnsafeBufferPointer { ends in
                self.tables[table].add(terms: bytes, ends: ends, doc: doc)
            }
        }
    }

    private mutating func localField(_ name: String) -> UInt32? {
        if let id = self.fieldNames.id(of: name) { return id }
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
        if Int(id) == self.sourceBytes.count { self.sourceBytes.append(Array(name.utf8)) }
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

    /// The serialized files (bodies sealed with their footers) and the segment's meta.
    consuming func finish(createdAt: Int64) -> (files: [(name: String, bytes: [UInt8])], meta: SegmentMeta) {
        var postings = PostingsWriter()
        var dictionary = TermDictionaryWriter()
        let names = self.fieldNames.strings
        let fieldOrder = names.indices.filter { $0 < self.tables.count }.sorted {
            names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8)
        }
        for field in fieldOrder {
            let name = names[field]
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
            leaves: [SegmentLeaf(id: self.id, docCount: Int(self.docCount))]
        )
        return (files, meta)
    }
}
