/// Values that are not in the line: what enrich steps add (`env=prod`, a lookup result, a
/// redacted value) and lines they rewrite (a redaction).
///
/// The bytes live in the batch's arena: `lines.bytes` after the lines, so a field still is a range
/// into one buffer (absolute, as every `FieldSlot` range) and nothing is allocated per value once
/// the buffer has grown. The store keeps a field whose range lies outside its event's line as an
/// extra value of that event (see `EventRecord` in LogboxStore), so it round-trips, is indexed,
/// and is written out like any other field.
extension EventBatch {
    /// Appends `bytes` to the arena and returns their range in `lines.bytes`.
    ///
    /// Later lines or values go after them; ranges already handed out stay valid.
    @discardableResult
    public mutating func appendValue(_ bytes: some Collection<UInt8>) -> Range<Int> {
        let start = self.lines.bytes.count
        self.lines.bytes.append(contentsOf: bytes)
        return start..<self.lines.bytes.count
    }

    /// Replaces field `index` (an index into `fields`) with a new kind, range and payload, its name kept.
    ///
    /// `range` is absolute in `lines.bytes`: in the event's line, or one `appendValue` returned.
    public mutating func setField(_ index: Int, kind: ValueKind, range: Range<Int>, payload: Int64 = 0) {
        self.fields[index].kind = kind
        self.fields[index].start = Int32(truncatingIfNeeded: range.lowerBound)
        self.fields[index].length = Int32(truncatingIfNeeded: range.count)
        self.fields[index].payload = payload
    }

    /// Adds a field to a finished event, after its other fields; `range` is absolute (see `setField`).
    ///
    /// - Complexity: O(fields of the events after `event`); to add fields to many events, use
    ///   `addFields(_:)`, which moves every field once.
    public mutating func addField(
        event: Int,
        _ name: FieldID,
        _ kind: ValueKind,
        range: Range<Int>,
        payload: Int64 = 0
    ) {
        let slot = FieldSlot(
            name: name,
            kind: kind,
            start: Int32(truncatingIfNeeded: range.lowerBound),
            length: Int32(truncatingIfNeeded: range.count),
            payload: payload
        )
        let end = Int(self.events[event].fieldStart) + Int(self.events[event].fieldCount)
        self.fields.insert(slot, at: end)
        self.events[event].fieldCount += 1
        for later in (event + 1)..<self.events.count { self.events[later].fieldStart += 1 }
    }

    /// Adds fields to finished events, each after its event's other fields, in the order given per
    /// event; ranges are absolute (see `setField`). Events must be valid indexes of `events`.
    /// - Complexity: O(fields + added).
    public mutating func addFields(_ added: [(event: Int, field: FieldSlot)]) {
        guard !added.isEmpty else { return }
        var perEvent = [Int](repeating: 0, count: self.events.count)
        for item in added { perEvent[item.event] += 1 }
        // Where each event's new fields start in the new array, filled below in order given.
        var fields: [FieldSlot] = []
        fields.reserveCapacity(self.fields.count + added.count)
        var insertAt = [Int](repeating: 0, count: self.events.count)
        for index in self.events.indices {
            let old = self.events[index].fieldRange
            self.events[index].fieldStart = Int32(fields.count)
            fields.append(contentsOf: self.fields[old])
            insertAt[index] = fields.count
            let placeholder = FieldSlot(name: FieldID(rawValue: 0), kind: .text, start: 0, length: 0)
            fields.append(contentsOf: repeatElement(placeholder, count: perEvent[index]))
            self.events[index].fieldCount += Int32(perEvent[index])
        }
        for item in added {
            fields[insertAt[item.event]] = item.field
            insertAt[item.event] += 1
        }
        self.fields = fields
    }

    /// Replaces the line of `event` with `bytes` (written to the arena): what the store keeps and
    /// shows as the raw line from now on, e.g. with a secret masked.
    ///
    /// The event's fields that lay in the old line keep their offsets *relative to the line*,
    /// clipped to the new one: the caller sets them right for the new text (`setField`), or uses
    /// `redact(event:range:with:)`, which does. Fields outside the old line (values in the arena)
    /// are left as they are. Events that share the line (`EventSlot.line`) see the new line too.
    public mutating func replaceLine(event: Int, with bytes: some Collection<UInt8>) {
        let lineIndex = Int(self.events[event].line)
        let old = self.lines.slots[lineIndex].range
        let new = self.appendValue(bytes)
        self.lines.slots[lineIndex].offset = Int32(truncatingIfNeeded: new.lowerBound)
        self.lines.slots[lineIndex].length = Int32(truncatingIfNeeded: new.count)
        for index in self.events[event].fieldRange {
            let range = self.fields[index].range
            guard range.lowerBound >= old.lowerBound, range.upperBound <= old.upperBound else { continue }
            let lower = min(range.lowerBound - old.lowerBound, new.count)
            let upper = min(range.upperBound - old.lowerBound, new.count)
            self.fields[index].start = Int32(truncatingIfNeeded: new.lowerBound + lower)
            self.fields[index].length = Int32(truncatingIfNeeded: upper - lower)
        }
    }

    /// Replaces the bytes `range` (absolute, inside the line of `event`) with `replacement`: the
    /// line is rewritten in the arena (`replaceLine`) and the event's fields follow the text.
    ///
    /// A field before or after `range` keeps its text (shifted); a field that overlaps `range`
    /// covers its own bytes outside `range` plus the whole replacement, so no field keeps a byte of
    /// what was replaced. The caller retypes a field that was a number if need be (`setField`).
    /// Nothing happens when `range` is not inside the line.
    public mutating func redact(event: Int, range: Range<Int>, with replacement: some Collection<UInt8>) {
        let lineIndex = Int(self.events[event].line)
        let old = self.lines.slots[lineIndex].range
        guard range.lowerBound >= old.lowerBound, range.upperBound <= old.upperBound else { return }
        let replacementCount = replacement.count
        let delta = replacementCount - range.count
        // The new line (before, replacement, after) goes to the arena; bytes are copied one by one
        // so that no slice of the buffer is alive while it grows (that would copy the whole buffer).
        let start = self.lines.bytes.count
        self.lines.bytes.reserveCapacity(start + old.count + max(delta, 0))
        for index in old.lowerBound..<range.lowerBound { self.lines.bytes.append(self.lines.bytes[index]) }
        self.lines.bytes.append(contentsOf: replacement)
        for index in range.upperBound..<old.upperBound { self.lines.bytes.append(self.lines.bytes[index]) }
        self.lines.slots[lineIndex].offset = Int32(truncatingIfNeeded: start)
        self.lines.slots[lineIndex].length = Int32(truncatingIfNeeded: old.count + delta)
        let cutLower = range.lowerBound - old.lowerBound
        let cutUpper = range.upperBound - old.lowerBound
        for index in self.events[event].fieldRange {
            let field = self.fields[index].range
            guard field.lowerBound >= old.lowerBound, field.upperBound <= old.upperBound else { continue }
            let lower = field.lowerBound - old.lowerBound
            let upper = field.upperBound - old.lowerBound
            let newLower: Int
            let newUpper: Int
            if upper <= cutLower {
                (newLower, newUpper) = (lower, upper)
            } else if lower >= cutUpper {
                (newLower, newUpper) = (lower + delta, upper + delta)
            } else {
                // Overlaps the replaced bytes: its own bytes outside them plus the whole replacement.
                newLower = min(lower, cutLower)
                newUpper = max(upper + delta, cutLower + replacementCount)
            }
            self.fields[index].start = Int32(truncatingIfNeeded: start + newLower)
            self.fields[index].length = Int32(truncatingIfNeeded: newUpper - newLower)
        }
    }
}
