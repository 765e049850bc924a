import LogboxStore
import LogboxTestSupport
import Testing

extension WALFixture {
    /// Replaces the content of `name` (no fsync: the tests only read it back).
    func overwrite(_ name: String, _ bytes: [UInt8]) throws(StoreError) {
        let file = try self.fileSystem.open(self.path(name), .readWrite, create: true, truncate: true)
        try file.write(bytes, at: 0)
    }

    func read(_ name: String) throws(StoreError) -> [UInt8] { try self.fileSystem.readFile(self.path(name)) }
}

@Suite("WAL: recovery from torn and damaged files")
struct WALRecoveryTests {
    static let file = "wal/000001.wal"

    /// Four records, then the size of the file, then a fifth record: the file and where record 5 starts.
    static func fiveRecords(_ fixture: borrowing WALFixture, compress: Bool) throws -> (
        payloads: [[UInt8]], goodEnd: Int
    ) {
        let payloads = (0..<5).map { WALFixture.payload($0, size: 90, compressible: true) }
        var writer = try fixture.openWriter()
        for payload in payloads.prefix(4) { _ = try writer.append(payload, compress: compress) }
        let goodEnd = Int(try fixture.fileSystem.fileSize(fixture.path(Self.file)))
        _ = try writer.append(payloads[4], compress: compress)
        try writer.close()
        return (payloads, goodEnd)
    }

    @Test(
        "a torn tail at every byte offset of the last record is cut, and appending continues",
        arguments: [true, false]
    )
    func tornTail(compress: Bool) throws {
        let fixture = WALFixture()
        let (payloads, goodEnd) = try Self.fiveRecords(fixture, compress: compress)
        let full = try fixture.read(Self.file)
        #expect(full.count > goodEnd + 20)
        let extra: [[UInt8]] = [Array("after the cut".utf8), WALFixture.payload(9, size: 200, compressible: true)]
        for cut in goodEnd..<full.count {
            try fixture.overwrite(Self.file, Array(full[..<cut]))
            let (report, records) = try fixture.replay()
            #expect(records.map(\.1) == Array(payloads.prefix(4)), "cut at \(cut)")
            #expect(report.lastSequence == 4)
            if cut == goodEnd {
                #expect(report.truncation == nil)
            } else {
                let truncation = try #require(report.truncation, "cut at \(cut)")
                #expect(truncation.file == Self.file)
                #expect(truncation.offset == Int64(goodEnd))
                #expect(truncation.bytesCut == Int64(cut - goodEnd))
                #expect(!truncation.reason.isEmpty)
            }
            #expect(try fixture.fileSystem.fileSize(fixture.path(Self.file)) == Int64(goodEnd))

            var writer = try fixture.openWriter()
            #expect(writer.recoveredTail == nil)
            #expect(try writer.append(extra[0], compress: compress) == 5)
            #expect(try writer.append(extra[1], compress: compress) == 6)
            try writer.close()
            let (again, all) = try fixture.replay()
            #expect(all.map(\.0) == Array(1...6))
            #expect(all.map(\.1) == Array(payloads.prefix(4)) + extra, "cut at \(cut)")
            #expect(again.truncation == nil)
        }
    }

    @Test("a writer opened on a torn tail without replay cuts it too")
    func writerCutsTornTail() throws {
        let fixture = WALFixture()
        let (payloads, goodEnd) = try Self.fiveRecords(fixture, compress: true)
        let full = try fixture.read(Self.file)
        for cut in [goodEnd + 1, goodEnd + 19, goodEnd + 20, full.count - 1] {
            try fixture.overwrite(Self.file, Array(full[..<cut]))
            var writer = try fixture.openWriter()
            let recovered = writer.recoveredTail
            let tail = try #require(recovered)
            #expect(tail.offset == Int64(goodEnd) && tail.bytesCut == Int64(cut - goodEnd))
            #expect(try writer.append([42]) == 5)
            try writer.close()
            let (report, records) = try fixture.replay()
            #expect(records.map(\.1) == Array(payloads.prefix(4)) + [[42]])
            #expect(report.truncation == nil)
        }
    }

    @Test("a read-only replay reports a torn tail without cutting it")
    func readOnlyReplay() throws {
        let fixture = WALFixture()
        let (payloads, goodEnd) = try Self.fiveRecords(fixture, compress: true)
        let torn = Array(try fixture.read(Self.file).dropLast(5))
        try fixture.overwrite(Self.file, torn)
        var seen: [[UInt8]] = []
        let report = try WALReader.replay(directory: fixture.walPath, fileSystem: fixture.fileSystem, repairTail: false)
        {
            _,
            payload in seen.append(payload)
        }
        #expect(seen == Array(payloads.prefix(4)))
        let truncation = try #require(report.truncation)
        #expect(!truncation.applied && truncation.offset == Int64(goodEnd))
        #expect(truncation.description.hasPrefix("wal/000001.wal@\(goodEnd): torn tail of "))
        #expect(try fixture.read(Self.file) == torn)
        let repaired = try #require(try fixture.replay().report.truncation)
        #expect(repaired.applied && repaired.description.hasPrefix("wal/000001.wal@\(goodEnd): cut "))
    }

    @Test("a flipped byte anywhere in the last record is cut", arguments: [true, false])
    func flippedLastRecord(compress: Bool) throws {
        let fixture = WALFixture()
        let (payloads, goodEnd) = try Self.fiveRecords(fixture, compress: compress)
        let full = try fixture.read(Self.file)
        for position in goodEnd..<full.count {
            for mask: UInt8 in [0x01, 0x80] {
                var damaged = full
                damaged[position] ^= mask
                try fixture.overwrite(Self.file, damaged)
                let (report, records) = try fixture.replay()
                #expect(records.map(\.1) == Array(payloads.prefix(4)), "byte \(position)")
                let truncation = try #require(report.truncation, "byte \(position)")
                #expect(truncation.offset == Int64(goodEnd))
                #expect(truncation.bytesCut == Int64(full.count - goodEnd))
            }
        }
    }

    @Test("damage in a file before the last is an error naming the file and offset")
    func damageInEarlierFile() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter(segmentSize: 1)
        for index in 0..<3 { _ = try writer.append(WALFixture.payload(index, size: 50, compressible: false)) }
        #expect(writer.fileNames.count == 3)
        try writer.close()
        let first = try fixture.read(Self.file)

        var flipped = first
        flipped[20 + 30] ^= 0x04
        try fixture.overwrite(Self.file, flipped)
        let error = #expect(throws: StoreError.self) { try fixture.replay() }
        #expect(error?.kind == .corrupt)
        #expect(error?.file == "wal/000001.wal")
        #expect(error?.offset == 20)
        #expect(error?.message.contains("checksum mismatch") == true)
        #expect(error?.description.hasPrefix("wal/000001.wal@20: ") == true)
        // Opening the writer does not read old files' records: it still works.
        let reopened = try fixture.openWriter(segmentSize: 1)
        #expect(reopened.nextSequence == 4)
        try reopened.close()
        // Replay after the damaged file's records skips it.
        #expect(try fixture.replay(after: 1).records.map(\.0) == [2, 3])

        // A torn tail is fine only in the last file.
        try fixture.overwrite(Self.file, Array(first.dropLast(3)))
        let torn = #expect(throws: StoreError.self) { try fixture.replay() }
        #expect(torn?.file == "wal/000001.wal" && torn?.offset == 20)
        #expect(torn?.message.contains("not in the last WAL file") == true)

        // A damaged file header is never a torn tail.
        var header = first
        header[9] ^= 0x01
        try fixture.overwrite(Self.file, header)
        let bad = #expect(throws: StoreError.self) { try fixture.replay() }
        #expect(bad?.file == "wal/000001.wal" && bad?.offset == 16)
    }

    @Test("damage in the middle of the last file, with valid records after it, is an error")
    func damageInMiddleOfLastFile() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter()
        for index in 0..<5 { _ = try writer.append(WALFixture.payload(index, size: 50, compressible: false)) }
        try writer.close()
        let full = try fixture.read(Self.file)
        #expect(full.count == 20 + 5 * 70)
        var damaged = full
        damaged[90 + 40] ^= 0x10
        try fixture.overwrite(Self.file, damaged)
        let error = #expect(throws: StoreError.self) { try fixture.replay() }
        #expect(error?.kind == .corrupt && error?.file == Self.file && error?.offset == 90)
        #expect(error?.message.contains("valid record follows at offset 160") == true)
        #expect(try fixture.read(Self.file) == damaged)
        #expect(throws: StoreError.self) { _ = try fixture.openWriter() }

        // Zeros where record 2 was (blocks lost in a crash) are damage too, not a tail.
        var zeroed = full
        for index in 90..<160 { zeroed[index] = 0 }
        try fixture.overwrite(Self.file, zeroed)
        let zeros = #expect(throws: StoreError.self) { try fixture.replay() }
        #expect(zeros?.offset == 90)

        // A zero-filled tail is cut.
        try fixture.overwrite(Self.file, full + [UInt8](repeating: 0, count: 4096))
        let (report, records) = try fixture.replay()
        #expect(records.count == 5 && report.truncation?.bytesCut == 4096)
    }

    @Test("a valid record out of sequence is an error, not a tail")
    func outOfSequence() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter()
        for index in 0..<3 { _ = try writer.append(WALFixture.payload(index, size: 50, compressible: false)) }
        try writer.close()
        let full = try fixture.read(Self.file)
        try fixture.overwrite(Self.file, full + full[160..<230])
        let error = #expect(throws: StoreError.self) { try fixture.replay() }
        #expect(error?.offset == 230)
        #expect(error?.message == "record has sequence 3, expected 4")
    }

    @Test("a record whose checksum holds but whose LZ4 block does not decode is an error, not a cut")
    func undecodableCompressedRecord() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter()
        _ = try writer.append([1])
        try writer.close()
        let payload = WALFixture.payload(3, size: 500, compressible: true)
        var record: [UInt8] = []
        WALRecord.encode(payload, sequence: 2, compress: true, into: &record)
        #expect(record[3] == WALRecord.compressedFlag)
        // Claim one byte more than the block holds, and make the checksum agree.
        record[20] &+= 1
        let crc = CRC32.checksum(record[20...], previous: CRC32.checksum(record[2..<16]))
        for index in 0..<4 { record[16 + index] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(index))) }
        let start = try fixture.read(Self.file).count
        try fixture.overwrite(Self.file, try fixture.read(Self.file) + record)
        let error = #expect(throws: StoreError.self) { try fixture.replay() }
        #expect(error?.kind == .corrupt && error?.file == Self.file)
        #expect(error?.offset == Int64(start + 20 + 2))
        #expect(try fixture.read(Self.file).count == start + record.count)
    }

    @Test("replay and the writer never trap on damaged files, and a repaired WAL takes new records")
    func arbitraryBytes() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter(segmentSize: 600)
        for index in 0..<12 {
            _ = try writer.append(WALFixture.payload(index, size: 40 + index * 7, compressible: index % 2 == 0))
        }
        let names = writer.fileNames
        try writer.close()
        #expect(names.count >= 2)
        let lastName = names[names.count - 1]
        let originals = try names.map { try fixture.read($0) }

        var generator = TestGenerator(seed: 2024)
        var accepted = 0
        for round in 0..<250 {
            for (name, bytes) in zip(names, originals) { try fixture.overwrite(name, bytes) }
            let target = Int(generator.next() % UInt64(names.count))
            var bytes = originals[target]
            switch round % 4 {
            case 0:
                bytes = (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            case 1:
                for _ in 0..<(1 + Int(generator.next() % 4)) where !bytes.isEmpty {
                    bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
                }
            case 2:
                bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count + 1))))
                bytes += (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            default:
                let from = Int(generator.next() % UInt64(bytes.count))
                bytes.insert(contentsOf: bytes[from...].prefix(30), at: Int(generator.next() % UInt64(bytes.count)))
            }
            try fixture.overwrite(names[target], bytes)
            let replayed: (report: ReplayReport, records: [(UInt64, [UInt8])])
            do {
                replayed = try fixture.replay()
            } catch {
                continue
            }
            accepted += 1
            // Whatever replay accepted, the writer continues right after it.
            var reopened = try fixture.openWriter(segmentSize: 600)
            #expect(reopened.recoveredTail == nil)
            #expect(try reopened.append([1, 2, 3]) == replayed.report.nextSequence, "round \(round)")
            try reopened.close()
            let after = try fixture.replay().records
            #expect(after.count == replayed.records.count + 1, "round \(round)")
            for name in try fixture.fileSystem.listDirectory(fixture.walPath) where "wal/\(name)" > lastName {
                try fixture.fileSystem.removeFile(fixture.path("wal/\(name)"))
            }
        }
        #expect(accepted > 20)
    }
}
