import LogboxCore
import LogboxQuery

/// Writes the table a query's pipes produced (`stats`, `top`, `timechart`, …) in one of the formats.
///
/// - table: a bold header and aligned columns, numbers right-aligned, times local;
/// - json: one object per row, the columns as keys, a missing value as `null`, times RFC 3339 UTC;
/// - csv: a header row, then RFC 4180 rows;
/// - raw: the rows alone, tab-separated.
struct QueryResultWriter {
    let format: QueryEventWriter.Format
    let output: Output
    let color: Bool
    let width: Int
    let wide: Bool
    let time: QueryLocalTime

    func write(_ table: ResultTable) {
        switch self.format {
        case .table: self.writeTable(table)
        case .json: self.writeJSON(table)
        case .csv: self.writeCSV(table)
        case .raw: self.writeRaw(table)
        }
        self.output.flush()
    }

    private func writeTable(_ table: ResultTable) {
        let cells = table.rows.map { row in
            table.columns.indices.map { column in
                column < row.count ? self.tableText(row[column]) : ""
            }
        }
        let limit = self.wide ? Int.max : max(12, min(60, self.width / max(1, table.columns.count)))
        let headers = table.columns.map(QueryCells.terminalSafe)
        var widths = headers.map(\.count)
        for row in cells {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        widths = widths.map { min($0, limit) }
        let numeric = table.columns.indices.map { column in
            table.rows.contains { column < $0.count && $0[column] != nil }
                && table.rows.allSatisfy { row in
                    guard column < row.count, let value = row[column] else { return true }
                    switch value {
                    case .integer, .number: return true
                    case .text, .time: return false
                    }
                }
        }
        func line(_ row: [String]) -> String {
            var text = ""
            for (column, cell) in row.enumerated() {
                let fitted = QueryCells.fit(cell, widths[column])
                let padding = String(repeating: " ", count: max(0, widths[column] - fitted.count))
                text += numeric[column] ? padding + fitted : fitted + padding
                if column < row.count - 1 { text += "  " }
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        let header = line(headers)
        var text = (self.color ? "\u{1B}[1m\(header)\u{1B}[0m" : header) + "\n"
        for row in cells { text += line(row) + "\n" }
        self.output.write(text)
    }

    private func writeJSON(_ table: ResultTable) {
        for row in table.rows {
            self.output.withBuffer { out in
                out.append(UInt8(ascii: "{"))
                for (column, name) in table.columns.enumerated() {
                    if column > 0 { out.append(UInt8(ascii: ",")) }
                    EventJSONWriter.appendString(ArraySlice(name.utf8), into: &out)
                    out.append(UInt8(ascii: ":"))
                    switch column < row.count ? row[column] : nil {
                    case nil:
                        out.append(contentsOf: "null".utf8)
                    case .text(let text)?:
                        EventJSONWriter.appendString(ArraySlice(text.utf8), into: &out)
                    case .integer(let value)?:
                        EventJSONWriter.appendInteger(value, into: &out)
                    case .number(let value)?:
                        out.append(contentsOf: (value.isFinite ? ResultValue.number(value).description : "null").utf8)
                    case let value?:
                        EventJSONWriter.appendString(ArraySlice(value.description.utf8), into: &out)
                    }
                }
                out.append(contentsOf: "}\n".utf8)
            }
        }
    }

    private func writeCSV(_ table: ResultTable) {
        self.output.withBuffer { out in
            for (column, name) in table.columns.enumerated() {
                if column > 0 { out.append(UInt8(ascii: ",")) }
                QueryCells.appendCSV(name, into: &out)
            }
            out.append(0x0A)
        }
        for row in table.rows {
            self.output.withBuffer { out in
                for column in table.columns.indices {
                    if column > 0 { out.append(UInt8(ascii: ",")) }
                    QueryCells.appendCSV(Self.machineText(column < row.count ? row[column] : nil), into: &out)
                }
                out.append(0x0A)
            }
        }
    }

    private func writeRaw(_ table: ResultTable) {
        for row in table.rows {
            let cells = table.columns.indices.map { column in
                let text = Self.machineText(column < row.count ? row[column] : nil)
                return String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
            }
            self.output.write(cells.joined(separator: "\t") + "\n")
        }
    }

    private func tableText(_ value: ResultValue?) -> String {
        switch value {
        case nil: ""
        case .text(let text)?: QueryCells.terminalSafe(text)
        case .integer(let value)?: String(value)
        case .number(let value)?: Self.rounded(value)
        case .time(let nanoseconds)?: self.time.seconds(nanoseconds)
        }
    }

    /// A value as JSON, CSV and raw output write it: full precision, times RFC 3339 UTC.
    static func machineText(_ value: ResultValue?) -> String { value?.description ?? "" }

    /// At most three decimals, for a person reading a table.
    static func rounded(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
        return ResultValue.number((value * 1000).rounded() / 1000).description
    }
}
