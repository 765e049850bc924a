import LogboxCore
import LogboxParse

/// Joins the physical lines of one file into records (a stack trace under its first line).
///
/// Lines are joined with `\n`. A record keeps at most `maxLength` bytes (the rest is counted in
/// its `truncatedBytes`) and `maxLines` lines. While a record is pending, the file's position
/// stays at the record's first line, so a crash re-reads the record rather than losing it.
struct MultilineAssembler {
    let mode: MultilineRule.Mode
    let maxLines: Int
    let maxLength: Int

    private var record: [UInt8] = []
    private(set) var hasRecord = false
    /// Where the pending record's first line starts, and its number.
    private(set) var firstOffset: Int64 = 0
    private(set) var firstLine: Int64 = 0
    private var lineCount = 0
    private var cut: Int64 = 0

    init(_ rule: MultilineRule, maxLength: Int) {
        self.mode = rule.mode
        self.maxLines = max(1, rule.maxLines)
        self.maxLength = maxLength
    }

    /// Adds the lines of `lines` (consecutive lines of one file); records they complete go to
    /// `batch`. Returns the number of records cut to the maximum length.
    mutating func absorb(_ lines: LineBatch, matcher: PCRE2Matcher, into batch: inout LineBatch) -> Int {
        var truncated = 0
        let span = lines.bytes.span
        for slot in lines.slots {
            let matched = matcher.matches(span.extracting(slot.range))
            let starts = self.mode == .startPattern ? matched : !matched
            if !self.hasRecord || starts || self.lineCount >= self.maxLines {
                if self.flush(into: &batch) { truncated += 1 }
                self.hasRecord = true
                self.firstOffset = slot.sourceOffset
                self.firstLine = slot.lineNumber
                self.lineCount = 0
                self.cut = 0
            } else {
                self.appendCapped(CollectionOfOne(UInt8(ascii: "\n")))
            }
            self.appendCapped(lines.bytes[slot.range])
            self.cut += slot.truncatedBytes
            self.lineCount += 1
        }
        return truncated
    }

    /// Delivers the pending record, if any; returns whether it was cut.
    @discardableResult
    mutating func flush(into batch: inout LineBatch) -> Bool {
        guard self.hasRecord else { return false }
        self.record.withUnsafeBufferPointer { buffer in
            batch.append(buffer, lineNumber: self.firstLine, sourceOffset: self.firstOffset, truncatedBytes: self.cut)
        }
        let wasCut = self.cut > 0
        self.record.removeAll(keepingCapacity: self.record.capacity <= 1 << 20)
        self.hasRecord = false
        self.lineCount = 0
        self.cut = 0
        return wasCut
    }

    /// Drops the pending record (its file restarted from the beginning).
    mutating func discard() {
        self.record.removeAll(keepingCapacity: true)
        self.hasRecord = false
        self.lineCount = 0
        self.cut = 0
    }

    private mutating func appendCapped(_ bytes: some Collection<UInt8>) {
        let room = self.maxLength - self.record.count
        if bytes.count <= room {
            self.record.append(contentsOf: bytes)
        } else {
            self.record.append(contentsOf: bytes.prefix(max(room, 0)))
            self.cut += Int64(bytes.count - max(room, 0))
        }
    }
}
