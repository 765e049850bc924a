import LogboxCore
import LogboxStore

/// Writes matched events in one of `logbox query`'s formats, one event at a time, so results print
/// while the scan goes on.
///
/// - table: time (local, to the millisecond), host, program (or the input's name), level and
///   message, aligned; levels coloured at a terminal; the message cut to the width unless `wide`.
///   Column widths come from the first screenful of rows, so the first page prints without waiting
///   for the rest.
/// - json: `StoredEvent.json`, one object per line (flat dotted keys, RFC 3339 UTC `timestamp` —
///   the receive time for a line without one —, `\xNN` for bytes that are not UTF-8).
/// - raw: the stored line bytes exactly, one per line.
/// - csv: a header, then `timestamp,host,program,level,message` per event, RFC 4180 quoting.
struct QueryEventWriter {
    enum Format: String, CaseIterable {
        case table, json, raw, csv
    }

    /// Rows held back to size the table's columns.
    static let sizingRows = 50

    let format: Format
    let output: Output
    let color: Bool
    let width: Int
    let wide: Bool
    let time: QueryLocalTime
    private(set) var written = 0
    private var pending: [Row] = []
    private var widths: [Int]?
    private var names: [UInt64: Names] = [:]
    private var scratch: [UInt8] = []

    /// One table row before it is laid out.
    private struct Row {
        var cells: [String]
        var level: Level?
    }

    /// The name ids (in one segment's name table) of the fields the table and CSV show.
    private struct Names {
        var host: UInt32?
        var program: UInt32?
        var level: UInt32?
        var message: UInt32?

        init(_ table: [String]) {
            for (index, name) in table.enumerated() {
                switch name {
                case "host": self.host = UInt32(index)
                case "program": self.program = UInt32(index)
                case "level": self.level = UInt32(index)
                case IndexingRules.messageField: self.message = UInt32(index)
                default: break
                }
            }
        }
    }

    init(format: Format, output: Output, color: Bool, width: Int, wide: Bool, time: QueryLocalTime) {
        self.format = format
        self.output = output
        self.color = color
        self.width = width
        self.wide = wide
        self.time = time
    }

    /// Writes one event of `segment` (its names and input names come from the segment's tables).
    mutating func write(_ event: StoredEvent, of segment: SegmentReader) {
        self.written += 1
        switch self.format {
        case .json:
            var shown = event
            // An event without a time of its own still has one (when it was received): say it.
            if !shown.hasTimestamp && !segment.meta.fieldNames.contains("timestamp") { shown.timestampDigits = 3 }
            self.output.withBuffer {
                shown.json(names: segment.meta.fieldNames, sources: segment.meta.sources, into: &$0)
            }
        case .raw:
            self.output.withBuffer {
                $0.append(contentsOf: event.line)
                $0.append(0x0A)
            }
        case .csv:
            if self.written == 1 { self.output.write("timestamp,host,program,level,message\n") }
            self.writeCSV(event, of: segment)
        case .table:
            self.pending.append(self.row(event, of: segment))
            if self.widths != nil || self.pending.count >= Self.sizingRows { self.writePending() }
        }
    }

    /// Writes what is held back; call once the events are all written (and before waiting, when following).
    mutating func finish() {
        self.writePending()
        self.output.flush()
    }

    // MARK: CSV

    private mutating func writeCSV(_ event: StoredEvent, of segment: SegmentReader) {
        let names = self.names(of: segment)
        var scratch = self.scratch
        self.output.withBuffer { out in
            let digits = event.hasTimestamp ? event.timestampDigits : 3
            RFC3339.format(TimestampValue(nanoseconds: event.timestamp, fractionDigits: digits), into: &out)
            for id in [names.host, names.program, names.level] {
                out.append(UInt8(ascii: ","))
                if let id, let field = event.field(id) {
                    scratch.removeAll(keepingCapacity: true)
                    event.decodedBytes(field, into: &scratch)
                    QueryCells.appendCSV(scratch[...], into: &out)
                }
            }
            out.append(UInt8(ascii: ","))
            if let id = names.message, let field = event.field(id) {
                scratch.removeAll(keepingCapacity: true)
                event.decodedBytes(field, into: &scratch)
                QueryCells.appendCSV(scratch[...], into: &out)
            } else {
                QueryCells.appendCSV(event.line[...], into: &out)
            }
            out.append(0x0A)
        }
        self.scratch = scratch
    }

    // MARK: Table

    private mutating func row(_ event: StoredEvent, of segment: SegmentReader) -> Row {
        let names = self.names(of: segment)
        func text(_ id: UInt32?) -> String {
            guard let id, let field = event.field(id) else { return "" }
            return QueryCells.terminalSafe(event.string(field))
        }
        var program = text(names.program)
        if program.isEmpty {
            let sources = segment.meta.sources
            program = Int(event.source) < sources.count ? QueryCells.terminalSafe(sources[Int(event.source)]) : ""
        }
        let levelText = text(names.level)
        // No message (an access log line, a syslog line of structured data only): the line itself.
        var message = text(names.message)
        if message.isEmpty { message = QueryCells.terminalSafe(String(decoding: event.line, as: UTF8.self)) }
        return Row(
            cells: [self.time.milliseconds(event.timestamp), text(names.host), program, levelText, message],
            level: Level.allCases.first { $0.description == levelText }
        )
    }

    private mutating func writePending() {
        guard !self.pending.isEmpty else { return }
        if self.widths == nil {
            // Time is fixed; host and program as wide as the widest seen (capped); level fits `emergency`.
            var widths = [23, 4, 7, 5]
            for row in self.pending {
                for column in 1...3 { widths[column] = max(widths[column], row.cells[column].count) }
            }
            widths[1] = min(widths[1], 24)
            widths[2] = min(widths[2], 24)
            widths[3] = min(widths[3], 9)
            self.widths = widths
            let header =
                zip(["TIME", "HOST", "PROGRAM", "LEVEL"], widths).map { QueryCells.pad($0, $1) + "  " }.joined()
                + "MESSAGE"
            self.output.write((self.color ? "\u{1B}[1m\(header)\u{1B}[0m" : header) + "\n")
        }
        let widths = self.widths!
        let messageRoom = max(20, self.width - widths.reduce(0) { $0 + $1 + 2 })
        var text = ""
        for row in self.pending {
            var line = ""
            for column in 0..<4 { line += QueryCells.pad(row.cells[column], widths[column]) + "  " }
            let message = self.wide ? row.cells[4] : QueryCells.fit(row.cells[4], messageRoom)
            line += message
            if self.color, let color = Self.color(of: row.level) {
                line = color + line + "\u{1B}[0m"
            }
            text += line + "\n"
        }
        self.pending.removeAll(keepingCapacity: true)
        self.output.write(text)
    }

    /// Errors and worse red, warnings yellow, debug and trace dim; the rest as the terminal has it.
    private static func color(of level: Level?) -> String? {
        guard let level else { return nil }
        if level >= .error { return "\u{1B}[31m" }
        if level == .warning { return "\u{1B}[33m" }
        if level <= .debug { return "\u{1B}[2m" }
        return nil
    }

    private mutating func names(of segment: SegmentReader) -> Names {
        if let known = self.names[segment.id] { return known }
        let names = Names(segment.meta.fieldNames)
        self.names[segment.id] = names
        return names
    }
}
