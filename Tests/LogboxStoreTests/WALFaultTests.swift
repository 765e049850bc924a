import Glibc
import LogboxStore
import LogboxTestSupport
import Testing

@Suite("WAL: injected I/O faults")
struct WALFaultTests {
    static let file = "wal/000001.wal"

    @Test("a failed write throws a clear error, leaves no partial record, and later appends work")
    func writeFailure() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter()
        let payloads = (0..<4).map { WALFixture.payload($0, size: 120, compressible: $0 % 2 == 0) }
        _ = try writer.append(payloads[0])
        _ = try writer.append(payloads[1])
        let good = try fixture.fileSystem.fileSize(fixture.path(Self.file))
        fixture.fileSystem.faults.failNext(.write, matching: "wal/", errno: ENOSPC, bytesWrittenFirst: 13)
        let error = #expect(throws: StoreError.self) { try writer.append(payloads[2]) }
        #expect(error?.kind == .io(errno: ENOSPC))
        #expect(error?.description == "wal/000001.wal: write: No space left on device")
        #expect(try fixture.fileSystem.fileSize(fixture.path(Self.file)) == good)
        #expect(writer.stickyFailure == nil)
        #expect(writer.lastAppendedSequence == 2)

        #expect(try writer.append(payloads[2]) == 3)
        #expect(try writer.append(payloads[3]) == 4)
        try writer.close()
        let (report, records) = try fixture.replay()
        #expect(records.map(\.1) == payloads)
        #expect(report.truncation == nil)
    }

    @Test("when the cut after a failed write fails too, the next append makes it")
    func writeAndTruncateFailure() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter()
        _ = try writer.append([1, 1, 1])
        let good = try fixture.fileSystem.fileSize(fixture.path(Self.file))
        fixture.fileSystem.updateFaults { plan in
            plan.failNext(.write, matching: "wal/", errno: ENOSPC, bytesWrittenFirst: 10)
            plan.failNext(.truncate, matching: "wal/")
        }
        #expect(throws: StoreError.self) { try writer.append([UInt8](repeating: 2, count: 40)) }
        #expect(try fixture.fileSystem.fileSize(fixture.path(Self.file)) == good + 10)

        fixture.fileSystem.faults.failNext(.truncate, matching: "wal/")
        #expect(throws: StoreError.self) { try writer.append([3]) }
        #expect(try writer.append([4, 4]) == 2)
        #expect(try writer.append([UInt8]()) == 3)
        try writer.close()
        let (report, records) = try fixture.replay()
        #expect(records.map(\.1) == [[1, 1, 1], [4, 4], []])
        #expect(report.truncation == nil)
    }

    @Test("a failed fsync is sticky: every later append and sync throws")
    func syncFailureIsSticky() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter()
        _ = try writer.append([1])
        fixture.fileSystem.faults.failNext(.fsync, matching: "wal/")
        let error = #expect(throws: StoreError.self) { try writer.sync() }
        #expect(error?.kind == .io(errno: EIO))
        #expect(error?.file == Self.file)
        #expect(error?.message.hasPrefix("fdatasync: Input/output error; ") == true)
        #expect(error?.message.contains("restart and replay") == true)
        #expect(writer.lastSyncedSequence == 0)
        #expect(fixture.fileSystem.faults.isEmpty)

        #expect(writer.stickyFailure?.message == error?.message)
        let append = #expect(throws: StoreError.self) { try writer.append([2]) }
        #expect(append?.message == error?.message)
        #expect(throws: StoreError.self) { try writer.sync() }
        #expect(throws: StoreError.self) { try writer.syncIfDue(now: .now + .seconds(1)) }
        #expect(writer.lastSyncedSequence == 0 && writer.lastAppendedSequence == 1)
        do throws(StoreError) {
            try writer.close()
            Issue.record("close after a failed fsync succeeded")
        } catch {
            #expect(error.message == append?.message)
        }
    }

    @Test("a failed fsync of the full file while moving to the next is sticky")
    func syncFailureWhileRolling() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter(segmentSize: 1)
        _ = try writer.append([1])
        fixture.fileSystem.faults.failNext(.fsync, matching: "000001.wal")
        let error = #expect(throws: StoreError.self) { try writer.append([2]) }
        #expect(error?.file == Self.file)
        #expect(writer.stickyFailure != nil)
        #expect(throws: StoreError.self) { try writer.append([3]) }
        #expect(writer.fileNames == [Self.file])
    }

    @Test(
        "a failed fsync while creating the next file is sticky",
        arguments: [("wal/000002.wal.tmp", 0), ("wal", 2)]
    )
    func syncFailureCreatingFile(target: String, successes: Int) throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter(segmentSize: 1)
        _ = try writer.append([1])
        // "wal" matches every fsync of the roll: the full file's, the new file's, then the directory's.
        fixture.fileSystem.faults.failNext(.fsync, matching: target, after: successes)
        #expect(throws: StoreError.self) { try writer.append([2]) }
        #expect(writer.stickyFailure != nil)
        #expect(writer.lastSyncedSequence == 1)
    }

    @Test("failing to create the next file is not sticky", arguments: [FaultPlan.Operation.open, .write, .rename])
    func createFailure(operation: FaultPlan.Operation) throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter(segmentSize: 1)
        _ = try writer.append([1])
        fixture.fileSystem.faults.failNext(operation, matching: "000002", errno: ENOSPC)
        let error = #expect(throws: StoreError.self) { try writer.append([2]) }
        #expect(error?.kind == .io(errno: ENOSPC))
        #expect(error?.file == "wal/000002.wal.tmp")
        #expect(writer.stickyFailure == nil)
        #expect(try fixture.fileSystem.listDirectory(fixture.walPath) == ["000001.wal"])
        #expect(try writer.append([2]) == 2)
        #expect(writer.fileNames == [Self.file, "wal/000002.wal"])
        try writer.close()
        #expect(try fixture.replay().records.map(\.1) == [[1], [2]])
    }

    @Test("a failed delete stops deleteFiles with the files before it gone and the rest kept")
    func deleteFailure() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter(segmentSize: 1)
        for index in 0..<4 { _ = try writer.append([UInt8(index)]) }
        fixture.fileSystem.faults.failNext(.remove, matching: "000002")
        let error = #expect(throws: StoreError.self) { try writer.deleteFiles(upToSequence: .max) }
        #expect(error?.description == "wal/000002.wal: unlink: Input/output error")
        #expect(writer.fileNames == ["wal/000002.wal", "wal/000003.wal", "wal/000004.wal"])
        #expect(try writer.deleteFiles(upToSequence: .max) == 2)
        #expect(writer.fileNames == ["wal/000004.wal"])
        #expect(try writer.append([9]) == 5)
        try writer.close()
        #expect(try fixture.replay().records.map(\.0) == [4, 5])
    }

    @Test("replay reports a failed cut of the torn tail and can run again")
    func truncateFailureDuringReplay() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter()
        _ = try writer.append([1, 2, 3])
        try writer.close()
        let full = try fixture.fileSystem.readFile(fixture.path(Self.file))
        try fixture.fileSystem.writeAtomically(path: fixture.path(Self.file), bytes: full + [0xCF, 0x52, 1])
        fixture.fileSystem.faults.failNext(.truncate, matching: "wal/")
        let error = #expect(throws: StoreError.self) { try fixture.replay() }
        #expect(error?.description == "wal/000001.wal: ftruncate: Input/output error")
        let (report, records) = try fixture.replay()
        #expect(records.count == 1 && report.truncation?.bytesCut == 3)
    }
}
