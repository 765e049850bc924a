import Foundation
import LogboxCore
import LogboxParse
import LogboxTestSupport
import Testing

/// The loghub samples beside the project (never inside it: they are licensed for research use).
private let loghub = Fixtures.packageRoot(from: #filePath) + "/../shared/corpus/loghub"
private let loghubExists = FileManager.default.fileExists(atPath: loghub)

private let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/// A CSV file with a header row: fields split on commas, `"..."` quoting with `""` for a quote
/// inside, rows ended by LF or CRLF.
private struct CSVTable {
    var header: [String] = []
    var rows: [[String]] = []

    init(_ bytes: [UInt8]) {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var i = 0
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll()
        }
        while i < bytes.count {
            let byte = bytes[i]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                endField()
            } else if byte == UInt8(ascii: "\n") {
                endField()
                records.append(record)
                record.removeAll()
            } else if byte != UInt8(ascii: "\r") {
                field.append(byte)
            }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty {
            endField()
            records.append(record)
        }
        self.header = records.first ?? []
        self.rows = Array(records.dropFirst())
    }

    func column(_ name: String) -> Int? { self.header.firstIndex(of: name) }
}

/// What loghub's structured CSV says a line holds.
private struct Expected {
    var month: String
    var day: String
    var time: String
    var host: String
    var program: String
    var pid: String
    var content: String
}

private func read(_ path: String) throws -> [UInt8] {
    try #require(FileManager.default.contents(atPath: path)).map { $0 }
}

private func trimmed(_ text: String) -> String {
    text.trimmingCharacters(in: .whitespaces)
}

/// Parses every line of `log` with `RFC3164Parser` and compares it with `expected`, returning one
/// description per mismatch and the number of lines that loghub splits differently (a program
/// name holding a space) and that are checked in their own way.
private func compare(log: String, reference: Int64, expected: [Expected]) throws -> (mismatches: [String], special: Int)
{
    var framer = LineFramer()
    var lines = LineBatch()
    framer.append(try read(log), into: &lines)
    framer.finish(into: &lines)
    var driver = BatchParser(parser: RFC3164Parser(context: ParseContext(referenceTime: reference)))
    var batch = EventBatch()
    driver.parse(lines, into: &batch)

    var mismatches: [String] = []
    var special = 0
    guard batch.count == expected.count else {
        return (["\(batch.count) lines parsed, \(expected.count) rows in the CSV"], 0)
    }
    for (index, row) in expected.enumerated() {
        func value(_ name: FieldID) -> String? { batch.field(name, of: index).map { batch.string($0) } }
        func fail(_ what: String) {
            // The first few are enough to see what went wrong.
            if mismatches.count < 20 { mismatches.append("line \(index + 1): \(what)") }
        }

        let event = batch.events[index]
        if let issue = event.issue { fail("issue \(issue)") }
        if event.hasTimestamp {
            let seconds = event.timestamp / 1_000_000_000
            let date = civilFromDays(seconds / 86_400)
            let second = seconds % 86_400
            let clock = String(format: "%02d:%02d:%02d", second / 3600, second / 60 % 60, second % 60)
            if monthNames[date.month - 1] != row.month || String(date.day) != row.day || clock != row.time {
                fail("timestamp \(monthNames[date.month - 1]) \(date.day) \(clock)")
            }
        } else {
            fail("no timestamp")
        }
        if value(.host) != row.host { fail("host \(value(.host) ?? "nil") != \(row.host)") }
        let message = trimmed(value(.message) ?? "")

        let program = row.program
        if program.contains(" ") {
            // loghub reads `syslogd 1.4.1: restart.` as program `syslogd 1.4.1` and
            // `-- root[2421]: ROOT LOGIN ON tty2` as program `-- root`; a syslog tag ends at the
            // first space, so the parser finds no tag there and keeps all of it as the message.
            special += 1
            let pid = row.pid.isEmpty ? "" : "[\(row.pid)]"
            if value(.program) != nil || value(.pid) != nil { fail("unexpected tag") }
            if message != "\(program)\(pid): \(row.content)" { fail("message \(message)") }
            continue
        }
        if value(.program) != program {
            fail("program \(value(.program) ?? "nil") != \(program)")
        }
        if row.pid.isEmpty {
            if let pid = value(.pid) { fail("pid \(pid), none expected") }
        } else {
            let pid = batch.field(.pid, of: index)
            if pid?.kind != .integer || pid.map({ String($0.payload) }) != row.pid {
                fail("pid \(value(.pid) ?? "nil") != \(row.pid)")
            }
        }
        if message != row.content { fail("message \(message) != \(row.content)") }
    }
    return (mismatches, special)
}

@Suite("loghub Linux and OpenSSH samples through the RFC 3164 parser", .enabled(if: loghubExists))
struct LoghubSyslogTests {
    @Test("Linux_2k.log matches its structured CSV on every line")
    func linux() throws {
        let table = CSVTable(try read(loghub + "/Linux/Linux_2k.log_structured.csv"))
        #expect(table.header.prefix(8) == ["LineId", "Month", "Date", "Time", "Level", "Component", "PID", "Content"])
        let expected = table.rows.map { row in
            Expected(
                month: row[1],
                day: row[2],
                time: row[3],
                host: row[4],
                program: row[5],
                pid: row[6],
                content: row[7]
            )
        }
        #expect(expected.count == 2000)
        // Jun 14 to Jul 27: a reference in early August puts every line in one year.
        let result = try compare(
            log: loghub + "/Linux/Linux_2k.log",
            reference: syslogInstant(2005, 8, 1, 0, 0, 0),
            expected: expected
        )
        #expect(result.mismatches == [])
        #expect(result.special == 8)
    }

    @Test("OpenSSH_2k.log matches its structured CSV on every line")
    func openSSH() throws {
        let table = CSVTable(try read(loghub + "/OpenSSH/OpenSSH_2k.log_structured.csv"))
        #expect(table.header.prefix(7) == ["LineId", "Date", "Day", "Time", "Component", "Pid", "Content"])
        // The CSV has no program column: every line of the sample is sshd's.
        let expected = table.rows.map { row in
            Expected(
                month: row[1],
                day: row[2],
                time: row[3],
                host: row[4],
                program: "sshd",
                pid: row[5],
                content: row[6]
            )
        }
        #expect(expected.count == 2000)
        let result = try compare(
            log: loghub + "/OpenSSH/OpenSSH_2k.log",
            reference: syslogInstant(2015, 12, 31, 0, 0, 0),
            expected: expected
        )
        #expect(result.mismatches == [])
        #expect(result.special == 0)
    }
}
