/// A CSV table loaded for the `lookup` step: key column → the other columns' values.
///
/// Keys are found by bytes (FNV-1a into an open-addressing table), so a lookup of a field value
/// builds no `String`. The CSV follows RFC 4180: a header row, commas, `"` quoting with `""` for a
/// quote, CRLF or LF line ends. Later rows with a key already seen are ignored (the first wins).
public struct LookupTable: Sendable {
    /// The names of the value columns, in the order `values(row:)` returns them.
    public let columns: [String]
    /// Every value back to back; row `r`, column `c` is `arena[ends[r * columns.count + c - 1] ..< ends[…]]`.
    private var arena: [UInt8] = []
    private var ends: [Int] = []
    private var keys: [UInt8] = []
    private var keyEnds: [Int] = []
    private var keyHashes: [UInt32] = []
    /// Slot → row + 1 (0: empty); a power of two at most half full.
    private var slots: [Int32] = []

    public var rowCount: Int { self.keyEnds.count }

    /// Reads the table at `path`; `keyColumn` defaults to the first column and `columns` to all others.
    public static func load(path: String, keyColumn: String?, columns: [String]) -> Result<
        LookupTable, ConfigValues.ValueError
    > {
        switch ConfigFile.contents(of: path) {
        case .failure(let error):
            return .failure(ConfigValues.ValueError("cannot read lookup table '\(path)': \(error.message)"))
        case .success(let text):
            return Self.parse(csv: Array(text.utf8), keyColumn: keyColumn, columns: columns, name: path)
        }
    }

    /// Builds the table from CSV bytes; `name` is used in messages.
    public static func parse(csv: [UInt8], keyColumn: String?, columns: [String], name: String = "CSV")
        -> Result<LookupTable, ConfigValues.ValueError>
    {
        var rows = Self.records(csv)
        guard !rows.isEmpty else { return .failure(ConfigValues.ValueError("lookup table '\(name)' is empty")) }
        let header = rows.removeFirst().map { String(decoding: $0, as: UTF8.self) }
        let keyIndex: Int
        if let keyColumn {
            guard let index = header.firstIndex(of: keyColumn) else {
                return .failure(
                    ConfigValues.ValueError(
                        "lookup table '\(name)' has no column '\(keyColumn)'; columns: \(header.joined(separator: ", "))"
                    )
                )
            }
            keyIndex = index
        } else {
            keyIndex = 0
        }
        var valueIndexes: [Int] = []
        if columns.isEmpty {
            valueIndexes = header.indices.filter { $0 != keyIndex }
        } else {
            for column in columns {
                guard let index = header.firstIndex(of: column) else {
                    return .failure(
                        ConfigValues.ValueError(
                            "lookup table '\(name)' has no column '\(column)'; columns: \(header.joined(separator: ", "))"
                        )
                    )
                }
                valueIndexes.append(index)
            }
        }
        guard !valueIndexes.isEmpty else {
            return .failure(ConfigValues.ValueError("lookup table '\(name)' has no column besides its key"))
        }
        var table = LookupTable(columns: valueIndexes.map { header[$0] })
        var capacity = 64
        while capacity < rows.count * 2 + 2 { capacity *= 2 }
        table.slots = [Int32](repeating: 0, count: capacity)
        for (number, row) in rows.enumerated() {
            if row.count == 1 && row[0].isEmpty { continue }
            guard row.count == header.count else {
                return .failure(
                    ConfigValues.ValueError(
                        "lookup table '\(name)' row \(number + 2) has \(row.count) columns, the header \(header.count)"
                    )
                )
            }
            table.insert(key: row[keyIndex], values: valueIndexes.map { row[$0] })
        }
        return .success(table)
    }

    private init(columns: [String]) {
        self.columns = columns
    }

    /// The row whose key equals `key`, if any.
    /// - Complexity: O(key length), no allocation.
    public func row(for key: Span<UInt8>) -> Int? {
        guard !self.slots.isEmpty else { return nil }
        let hash = Self.hash(key)
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let entry = self.slots[slot]
            if entry == 0 { return nil }
            let row = Int(entry - 1)
            if self.keyHashes[row] == hash && self.keyEquals(row, key) { return row }
            slot = (slot + 1) & mask
        }
    }

    /// The bytes of value column `column` (an index into `columns`) of `row`.
    public func value(row: Int, column: Int) -> ArraySlice<UInt8> {
        let index = row * self.columns.count + column
        let start = index == 0 ? 0 : self.ends[index - 1]
        return self.arena[start..<self.ends[index]]
    }

    private mutating func insert(key: [UInt8], values: [[UInt8]]) {
        let hash = key.withUnsafeBufferPointer { Self.hash($0.span) }
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
        while self.slots[slot] != 0 {
            let row = Int(self.slots[slot] - 1)
            if self.keyHashes[row] == hash && self.keyEquals(row, key.span) { return }
            slot = (slot + 1) & mask
        }
        self.keys.append(contentsOf: key)
        self.keyEnds.append(self.keys.count)
        self.keyHashes.append(hash)
        for value in values {
            self.arena.append(contentsOf: value)
            self.ends.append(self.arena.count)
        }
        self.slots[slot] = Int32(self.keyEnds.count)
    }

    private func keyEquals(_ row: Int, _ key: Span<UInt8>) -> Bool {
        let start = row == 0 ? 0 : self.keyEnds[row - 1]
        let end = self.keyEnds[row]
        guard end - start == key.count else { return false }
        for i in 0..<key.count where self.keys[start + i] != key[i] { return false }
        return true
    }

    private static func hash(_ bytes: Span<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for i in 0..<bytes.count { hash = (hash ^ UInt32(bytes[i])) &* 16_777_619 }
        return hash
    }

    /// Splits CSV bytes into records of fields (RFC 4180), values unquoted.
    static func records(_ bytes: [UInt8]) -> [[[UInt8]]] {
        var records: [[[UInt8]]] = []
        var record: [[UInt8]] = []
        var field: [UInt8] = []
        var i = 0
        var quoted = false
        var started = false
        // A UTF-8 byte order mark is not part of the first column's name.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < bytes.count {
            let byte = bytes[i]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        i += 2
                        continue
                    }
                    quoted = false
                } else {
                    field.append(byte)
                }
                i += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                quoted = true
                started = true
            case UInt8(ascii: ","):
                record.append(field)
                field = []
                started = true
            case UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "\n"):
                record.append(field)
                records.append(record)
                record = []
                field = []
                started = false
            default:
                field.append(byte)
                started = true
            }
            i += 1
        }
        if started || !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
