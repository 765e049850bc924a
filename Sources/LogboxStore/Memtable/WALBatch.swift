public import LogboxCore

/// The payload of one WAL record: a parsed batch of events and the input positions it reaches.
///
/// Layout (inside the WAL's framing and compression), varints LEB128:
/// ```
/// type             u8       2 = events (EventRecord layout 2); 1 = events in EventRecord layout 1,
///                           written before values outside the line existed (still read)
/// nameCount        varint   field names, length-prefixed UTF-8; the records' name ids index this list
/// sourceCount      varint   input names and paths, length-prefixed; records' source/file ids index it
/// checkpointCount  varint   Checkpoint encodings: where each input stands once this batch is stored,
///                           applied in order; one with nextLine 0 is a tombstone (`Checkpoint.forgetting`):
///                           the store drops that input's checkpoint. A batch may carry no events.
/// timestampBase    zigzag   records store their timestamp as a delta from it
/// eventCount       varint
/// events           EventRecord encodings, back to back
/// ```
/// Carrying the checkpoints inside the same record as the events is what makes an import or a
/// tailed file exactly-once: after a crash, a line is either in a synced record (and its
/// position with it) or in neither.
public struct WALBatch: Sendable {
    public static let eventsType: UInt8 = 2
    /// The type of payloads whose records have EventRecord layout 1.
    public static let eventsTypeVersion1: UInt8 = 1

    public var names: [String]
    public var sources: [String]
    public var checkpoints: [Checkpoint]
    public var timestampBase: Int64
    public var eventCount: Int
    /// The EventRecord layout of `records` (1 or 2).
    public var recordVersion: Int = EventRecord.formatVersion
    /// The encoded records: part of the one copy of the payload that `decode` makes.
    public var records: ByteStorage

    /// Encodes every event of `batch`, all from the input `source` (and `file`, when a file).
    public static func encode(
        _ batch: EventBatch,
        source: String,
        file: String?,
        checkpoints: [Checkpoint],
        receivedAt: Int64
    ) -> [UInt8] {
        var writer = ByteWriter()
        Self.encode(batch, source: source, file: file, checkpoints: checkpoints, receivedAt: receivedAt, into: &writer)
        return writer.bytes
    }

    /// Replaces the bytes of `writer` with the payload of `batch`, reusing its capacity: a writer
    /// that encodes batch after batch keeps one buffer instead of touching fresh memory each time.
    public static func encode(
        _ batch: EventBatch,
        source: String,
        file: String?,
        checkpoints: [Checkpoint],
        receivedAt: Int64,
        into writer: inout ByteWriter
    ) {
        writer.bytes.removeAll(keepingCapacity: true)
        writer.bytes.reserveCapacity(batch.lines.bytes.count + batch.count * 16 + 256)
        writer.u8(Self.eventsType)
        writer.varint(batch.names.count)
        for id in 0..<batch.names.count { writer.lengthPrefixed(batch.names.nameBytes(FieldID(rawValue: UInt32(id)))) }
        writer.varint(file == nil ? 1 : 2)
        writer.string(source)
        if let file { writer.string(file) }
        writer.varint(checkpoints.count)
        for checkpoint in checkpoints { checkpoint.encode(into: &writer) }
        let base = batch.events.first.map { $0.hasTimestamp ? $0.timestamp : receivedAt } ?? receivedAt
        writer.signedVarint(base)
        writer.varint(batch.count)
        let identity = Self.identity(count: batch.names.count)
        for index in 0..<batch.count {
            EventRecord.encode(
                batch: batch,
                event: index,
                nameIDs: identity,
                source: 0,
                file: file == nil ? UInt32.max : 1,
                receivedAt: receivedAt,
                timestampBase: base,
                into: &writer
            )
        }
    }

    /// Decodes the header; the records stay encoded until `forEachEvent`.
    ///
    /// The batch keeps an exact-size copy of `payload` (the one its reader makes), which the
    /// events are decoded from later without copying it again; `payload` itself is not kept.
    public static func decode(_ payload: [UInt8]) throws(StoreError) -> WALBatch {
        var reader = ByteReader(payload)
        let type = try reader.u8()
        guard type == Self.eventsType || type == Self.eventsTypeVersion1 else {
            throw StoreError(.corrupt, offset: 0, "unknown WAL payload type \(type) (this build reads 1 and 2)")
        }
        var names: [String] = []
        for _ in 0..<(try reader.count(limit: 1 << 24)) { names.append(try reader.string()) }
        var sources: [String] = []
        for _ in 0..<(try reader.count(limit: 1 << 24)) { sources.append(try reader.string()) }
        var checkpoints: [Checkpoint] = []
        for _ in 0..<(try reader.count(limit: 1 << 24)) { checkpoints.append(try Checkpoint.decode(&reader)) }
        let base = try reader.signedVarint()
        let count = try reader.count()
        return WALBatch(
            names: names,
            sources: sources,
            checkpoints: checkpoints,
            timestampBase: base,
            eventCount: count,
            recordVersion: type == Self.eventsTypeVersion1 ? 1 : 2,
            records: reader.bytes[(reader.bytes.startIndex + reader.offset)..<reader.bytes.endIndex]
        )
    }

    /// Decodes each event in order; `body` owns each one (it may change it without a copy).
    ///
    /// Allocates each event's arrays: `forEachEventInPlace` is the loop that does not.
    public func forEachEvent(_ body: (consuming StoredEvent) throws(StoreError) -> Void) throws(StoreError) {
        try self.forEachEventInPlace { (event: inout StoredEvent) throws(StoreError) in try body(event) }
    }

    /// Decodes each event in order into one `StoredEvent`, which `body` may change in place; the
    /// next event overwrites it, reusing its buffers, so decoding a batch allocates only until
    /// they have grown to its largest event. (Keeping the event, or part of it, is safe: it is a
    /// value, and its buffers are then copied on the next write.)
    /// - Complexity: O(payload bytes).
    public func forEachEventInPlace(_ body: (inout StoredEvent) throws(StoreError) -> Void) throws(StoreError) {
        var reader = ByteReader(self.records)
        var event = StoredEvent(timestamp: 0, line: [])
        for _ in 0..<self.eventCount {
            try EventRecord.decode(
                &reader,
                timestampBase: self.timestampBase,
                version: self.recordVersion,
                into: &event
            )
            guard Int(event.source) < self.sources.count,
                event.file == UInt32.max || Int(event.file) < self.sources.count,
                event.fields.allSatisfy({ Int($0.name) < self.names.count })
            else {
                throw StoreError(
                    .corrupt,
                    offset: Int64(reader.offset),
                    "event refers to a name or source the batch lacks"
                )
            }
            try body(&event)
        }
        guard reader.isAtEnd else {
            throw StoreError(.corrupt, offset: Int64(reader.offset), "bytes after the last event")
        }
    }

    private static func identity(count: Int) -> [UInt32] {
        (0..<UInt32(count)).map { $0 }
    }
}
