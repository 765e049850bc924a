import LogboxCore

/// What a query with pipes returns: named columns and rows of values, nil where a row has none.
///
/// Events become rows too (`timestamp`, then their fields), so every pipe after `|` reads and
/// writes this one shape, and output formats need to know only it.
public struct ResultTable: Sendable, Hashable {
    public var columns: [String]
    public var rows: [[ResultValue?]]

    public init(columns: [String], rows: [[ResultValue?]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// The index of `name`, with `_time` and `timestamp` standing for each other.
    public func column(named name: String) -> Int? {
        if let index = self.columns.firstIndex(of: name) { return index }
        if name == "_time" { return self.columns.firstIndex(of: "timestamp") }
        if name == "timestamp" { return self.columns.firstIndex(of: "_time") }
        return nil
    }
}

/// One cell of a result table.
///
/// Numbers stay typed so that sorting and `where` compare them as numbers; `time` is nanoseconds
/// since the epoch, printed as RFC 3339 UTC.
public enum ResultValue: Sendable, Hashable, CustomStringConvertible {
    case text(String)
    case integer(Int64)
    case number(Double)
    case time(Int64)

    /// The value as a number: integers, decimals and times (nanoseconds); nil for text.
    public var numericValue: Double? {
        switch self {
        case .text: nil
        case .integer(let value): Double(value)
        case .number(let value): value
        case .time(let value): Double(value)
        }
    }

    /// The value as a table prints it: text as is, integers in decimal, decimals in Swift's
    /// shortest round-trip form, times as RFC 3339 UTC with as many fraction digits as needed.
    public var description: String {
        switch self {
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .number(let value):
            if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        case .time(let nanoseconds): return Self.timeText(nanoseconds)
        }
    }

    /// RFC 3339 UTC text of a time: whole seconds without a fraction, else 3, 6 or 9 digits.
    static func timeText(_ nanoseconds: Int64) -> String {
        let fraction = TimestampValue(nanoseconds: nanoseconds).nanosecondOfSecond
        let digits: Int8 =
            fraction == 0 ? 0 : (fraction % 1_000_000 == 0 ? 3 : (fraction % 1_000 == 0 ? 6 : 9))
        return RFC3339.string(TimestampValue(nanoseconds: nanoseconds, fractionDigits: digits))
    }

    /// Sort order: numbers (integers, decimals, times) numerically before text, text byte-wise.
    /// Returns negative, zero or positive. NaN sorts after every other number.
    static func compare(_ a: ResultValue, _ b: ResultValue) -> Int {
        switch (a, b) {
        case (.text(let x), .text(let y)):
            if x == y { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case (.text, _): return 1
        case (_, .text): return -1
        case (.integer(let x), .integer(let y)), (.time(let x), .time(let y)), (.integer(let x), .time(let y)),
            (.time(let x), .integer(let y)):
            return x < y ? -1 : (x == y ? 0 : 1)
        default:
            let x = a.numericValue ?? .nan
            let y = b.numericValue ?? .nan
            if x.isNaN || y.isNaN { return x.isNaN ? (y.isNaN ? 0 : 1) : -1 }
            return x < y ? -1 : (x == y ? 0 : 1)
        }
    }

    /// `compare` with absent values last whatever the direction.
    static func compare(_ a: ResultValue?, _ b: ResultValue?, descending: Bool = false) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return 1
        case (_, nil): return -1
        case (let x?, let y?):
            let order = Self.compare(x, y)
            return descending ? -order : order
        }
    }

    /// Lexicographic order of two keys of equal length, absent values last.
    static func compare(keys a: [ResultValue?], _ b: [ResultValue?]) -> Int {
        for index in 0..<min(a.count, b.count) {
            let order = Self.compare(a[index], b[index])
            if order != 0 { return order }
        }
        return a.count - b.count
    }
}
