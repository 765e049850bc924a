public import LogboxCore
public import LogboxParse

/// `parse`: runs another parser over one field's value and adds the fields it finds: JSON inside
/// a syslog message, or a pattern over sshd messages that pulls out `user` and `src_ip`.
///
/// The parser reads the value where it lies in the batch's buffer and its fields point there too,
/// so nothing is copied; only a value with escapes (a JSON string holding `\"`) is decoded into the
/// arena first. A field the parser finds that the event already has is replaced (a pattern's
/// `message` capture becomes the message); a timestamp is taken when the event has none. A value
/// the parser rejects leaves the event as it was and is counted in `failed`.
public struct ParseFieldStep: EnrichStep {
    public let name: String
    public let fieldName: String
    public let prefix: String
    public private(set) var parsed = 0
    public private(set) var failed = 0
    private var parser: any LogParser
    private var fieldID: FieldID?
    /// Parses one value at a time; its `lines` point at the batch's buffer while it runs.
    private var scratch = EventBatch()
    private var decoded: [UInt8] = []
    private var added: [(event: Int, field: FieldSlot)] = []
    /// Prefixed name for each name the parser emits, by raw id.
    private var prefixed: [UInt32: FieldID] = [:]

    public init(name: String, config: ParseFieldConfig, referenceTime: Int64) throws(ParserConfigError) {
        self.name = name
        self.fieldName = config.field
        self.prefix = config.prefix
        let zone: TimeZoneRules
        do {
            zone = try TimeZoneRules(named: config.parser.timezone)
        } catch {
            throw ParserConfigError(message: error.description)
        }
        self.parser = try ParserRegistry.make(
            config.parser.name,
            pattern: config.parser.pattern,
            context: ParseContext(zone: zone, referenceTime: referenceTime)
        )
        self.scratch.lines.slots = [LineSlot(offset: 0, length: 0, lineNumber: 0, sourceOffset: 0)]
    }

    public mutating func apply(to batch: inout EventBatch, selection: EventSelection) {
        let field = self.fieldID ?? batch.names.intern(self.fieldName)
        self.fieldID = field
        self.added.removeAll(keepingCapacity: true)
        for event in 0..<batch.count where selection.contains(event) {
            guard let index = batch.fieldIndex(field, of: event) else { continue }
            let slot = batch.fields[index]
            var range = slot.range
            if slot.kind == .jsonEscaped || slot.kind == .structuredDataEscaped,
                batch.lines.bytes[range].contains(UInt8(ascii: "\\"))
            {
                self.decoded.removeAll(keepingCapacity: true)
                batch.decodedBytes(slot, into: &self.decoded)
                range = batch.appendValue(self.decoded)
            } else if !(slot.kind == .text || slot.kind == .jsonEscaped || slot.kind == .structuredDataEscaped) {
                continue
            }
            self.parseValue(range, event: event, field: index, in: &batch)
        }
        batch.addFields(self.added)
    }

    /// Parses `range` of the batch's buffer and merges the result into `event`.
    private mutating func parseValue(_ range: Range<Int>, event: Int, field: Int, in batch: inout EventBatch) {
        self.scratch.lines.slots[0] = LineSlot(
            offset: Int32(truncatingIfNeeded: range.lowerBound),
            length: Int32(truncatingIfNeeded: range.count),
            lineNumber: 0,
            sourceOffset: 0
        )
        self.scratch.events.removeAll(keepingCapacity: true)
        self.scratch.fields.removeAll(keepingCapacity: true)
        // The scratch batch borrows the buffer and the name table; both go back before the batch
        // changes again, so neither is copied.
        swap(&self.scratch.names, &batch.names)
        self.scratch.lines.bytes = batch.lines.bytes
        var success = true
        do {
            let bytes = self.scratch.lines.bytes
            self.scratch.beginEvent(line: 0)
            do {
                try self.parser.parse(bytes.span.extracting(range), into: &self.scratch)
            } catch {
                success = false
            }
            self.scratch.finishEvent()
        }
        self.scratch.lines.bytes = []
        swap(&self.scratch.names, &batch.names)
        guard success else {
            self.failed += 1
            return
        }
        self.parsed += 1
        let result = self.scratch.events[0]
        if result.hasTimestamp, !batch.events[event].hasTimestamp {
            batch.events[event].timestamp = result.timestamp
            batch.events[event].timestampDigits = result.timestampDigits
        }
        let addedBefore = self.added.count
        for var found in self.scratch.fields[result.fieldRange] {
            if !self.prefix.isEmpty { found.name = self.prefixedName(found.name, in: &batch.names) }
            if let existing = batch.fieldIndex(found.name, of: event) {
                batch.setField(existing, kind: found.kind, range: found.range, payload: found.payload)
            } else if !self.added[addedBefore...].contains(where: { $0.field.name == found.name }) {
                self.added.append((event, found))
            }
        }
    }

    private mutating func prefixedName(_ id: FieldID, in names: inout FieldNameTable) -> FieldID {
        if let known = self.prefixed[id.rawValue] { return known }
        let name = self.prefix + names.name(id)
        let result = names.intern(name)
        self.prefixed[id.rawValue] = result
        return result
    }
}
