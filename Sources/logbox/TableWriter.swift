import LogboxCore

/// Prints events as an aligned table for a person at a terminal.
///
/// Columns: line number, timestamp, then the fields the batch has most often (in the order they
/// first appear), with `message` last taking the rest of the width. A failed line shows its
/// reason in red and its raw text. Column sets are chosen per batch; the header is printed again
/// only when they change.
struct TableWriter {
    let width: Int
    let color: Bool
    private var lastHeader: [String] = []

    init(width: Int, color: Bool) {
        self.width = width
        self.color = color
    }

    mutating func write(_ batch: EventBatch, file: String?, to output: Output) {
        guard batch.count > 0 else { return }
        // Count how often each field appears, keeping first-seen order.
        var order: [FieldID] = []
        var counts: [FieldID: Int] = [:]
        for field in batch.fields where field.name != .message {
            if counts[field.name] == nil { order.append(field.name) }
            counts[field.name, default: 0] += 1
        }
        let common = order.filter { counts[$0]! * 10 >= batch.count }  // in at least 10% of the lines

        var rows: [[String]] = []
        var failed: [Bool] = []
        for index in 0..<batch.count {
            let event = batch.events[index]
            let slot = batch.lineSlot(of: index)
            var row = ["\(slot.lineNumber)", event.hasTimestamp ? Self.shortTime(event) : ""]
            for name in common {
                row.append(batch.field(name, of: index).map { Self.oneLine(batch.string($0)) } ?? "")
            }
            if let issue = event.issue {
                let raw = Self.oneLine(String(decoding: batch.lines.bytes[slot.range], as: UTF8.self))
                row.append("parse_error: \(issue) | \(raw)")
            } else {
                row.append(batch.field(.message, of: index).map { Self.oneLine(batch.string($0)) } ?? "")
            }
            rows.append(row)
            failed.append(event.issue != nil)
        }
        var header = ["line", "timestamp"] + common.map { batch.names.name($0) } + ["message"]
        // Widths: each column as wide as its widest cell (at most 32); drop columns that leave the
        // message less than 30 characters.
        var widths = header.indices.map { column in
            min(32, rows.reduce(header[column].count) { max($0, $1[column].count) })
        }
        var keep = Array(header.indices)
        while keep.count > 3 && keep.dropLast().reduce(0, { $0 + widths[$1] + 2 }) + 30 > self.width {
            keep.remove(at: keep.count - 2)
        }
        header = keep.map { header[$0] }
        widths = keep.map { widths[$0] }
        if header != self.lastHeader {
            if let file { output.write("\(self.bold("==> \(file) <=="))\n") }
            output.write(self.bold(self.line(header, widths)) + "\n")
            self.lastHeader = header
        }
        for (index, row) in rows.enumerated() {
            let text = self.line(keep.map { row[$0] }, widths)
            output.write((failed[index] && self.color ? "\u{1B}[31m\(text)\u{1B}[0m" : text) + "\n")
        }
    }

    private func line(_ cells: [String], _ widths: [Int]) -> String {
        var text = ""
        for (column, cell) in cells.enumerated() {
            if column == cells.count - 1 {
                let room = max(10, self.width - text.count)
                text += cell.count > room ? String(cell.prefix(room - 1)) + "…" : cell
            } else {
                let fitted = cell.count > widths[column] ? String(cell.prefix(widths[column] - 1)) + "…" : cell
                text += fitted + String(repeating: " ", count: widths[column] - fitted.count + 2)
            }
        }
        return text
    }

    private func bold(_ text: String) -> String { self.color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }

    /// `2026-11-01 00:02:41.019` in UTC: the date and time without the `T` and `Z` noise.
    private static func shortTime(_ event: EventSlot) -> String {
        var text = RFC3339.string(TimestampValue(nanoseconds: event.timestamp, fractionDigits: event.timestampDigits))
        if text.hasSuffix("Z") { text.removeLast() }
        return String(text.map { $0 == "T" ? " " : $0 })
    }

    private static func oneLine(_ text: String) -> String {
        text.contains(where: { $0.isNewline || $0 == "\t" })
            ? String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 }) : text
    }
}
