/// Reads the WAL back after a restart: every record in sequence order, and the repair of a torn tail.
///
/// A crash can leave the last record of the last file half written (or its blocks unwritten,
/// reading back as zeros). That tail is expected: replay reports it, cuts the file there
/// (`ftruncate` + `fsync`) so new records follow clean ones, and carries on. Anything else that
/// does not check out is damage, reported as an error with the file and offset, never skipped:
/// a bad record in any file but the last, a bad record in the last file that valid records
/// follow, a file header that fails its checks, or sequences that do not follow each other.
/// (A torn tail and a damaged last record cannot be told apart; both are cut.)
///
/// Run replay before opening a `WALWriter` on the same directory.
public enum WALReader {
    /// Reads every record with a sequence above `afterSequence`, oldest first, and passes it to `body`.
    ///
    /// Files whose records are all at or below `afterSequence` are skipped unread. Any byte
    /// content is handled: damage throws `StoreError(.corrupt)`, never traps.
    /// - Parameters:
    ///   - afterSequence: the last sequence already persisted elsewhere (the manifest's), 0 for all.
    ///   - repairTail: cut a torn tail (the default, for recovery). `false` only reports it, for a
    ///     read-only check that may run beside a live writer, whose record in progress looks torn.
    ///   - body: receives each record's sequence and payload (decompressed); an error it throws stops replay.
    public static func replay(
        directory: String,
        fileSystem: FileSystem,
        afterSequence: UInt64 = 0,
        repairTail: Bool = true,
        _ body: (UInt64, [UInt8]) throws(StoreError) -> Void
    ) throws(StoreError) -> ReplayReport {
        let files = try WALFile.list(directory, fileSystem: fileSystem)
        var report = ReplayReport()
        guard !files.isEmpty else { return report }
        var firstSequences: [UInt64] = []
        for file in files { firstSequences.append(try WALFile.readFirstSequence(file.path, fileSystem: fileSystem)) }

        var previousLast: UInt64?
        for (index, file) in files.enumerated() {
            let name = fileSystem.relativePath(file.path)
            let isLast = index == files.count - 1
            let first = firstSequences[index]
            if let previousLast, first <= previousLast {
                throw StoreError(
                    .corrupt,
                    file: name,
                    offset: 8,
                    "WAL file starts at sequence \(first), but the file before it ends at \(previousLast)"
                )
            }
            if !isLast && firstSequences[index + 1] - 1 <= afterSequence {
                report.filesSkipped += 1
                previousLast = nil
                continue
            }
            if report.firstSequence == nil { report.firstSequence = first }
            let bytes = try fileSystem.readFile(file.path)
            let scan = try Self.scan(bytes, file: name, firstSequence: first, isLast: isLast) {
                (sequence, payload, flags, _) throws(StoreError) in
                report.records += 1
                guard sequence > afterSequence else { return }
                let decoded: [UInt8]
                do throws(StoreError) {
                    decoded = try WALRecord.payload(bytes, payload, flags: flags)
                } catch {
                    throw error.located(in: name, baseOffset: Int64(payload.lowerBound))
                }
                try body(sequence, decoded)
                report.delivered += 1
            }
            report.filesRead += 1
            previousLast = scan.lastSequence
            if let damage = scan.damage {
                if repairTail { try fileSystem.truncateFile(file.path, to: Int64(damage.offset)) }
                report.truncation = TailTruncation(
                    file: name,
                    offset: Int64(damage.offset),
                    reason: damage.reason,
                    bytesCut: Int64(bytes.count - damage.offset),
                    applied: repairTail
                )
            }
        }
        report.lastSequence = previousLast ?? 0
        return report
    }

    /// What one pass over a file found.
    struct FileScan {
        /// The offset just past the last valid record.
        var end: Int
        /// The sequence of the last valid record, or `firstSequence - 1` when there is none.
        var lastSequence: UInt64
        /// The torn tail of the last file: where it starts and why it is not a record.
        var damage: (offset: Int, reason: String)?
    }

    /// Walks the records of one file (header included in `bytes`), checking framing and sequences.
    ///
    /// - Throws: `.corrupt` for damage that is not a torn tail of the last file.
    static func scan(
        _ bytes: [UInt8],
        file: String,
        firstSequence: UInt64,
        isLast: Bool,
        visit: (UInt64, Range<Int>, UInt8, Int) throws(StoreError) -> Void = { _, _, _, _ in }
    ) throws(StoreError) -> FileScan {
        _ = try WALFile.firstSequence(header: bytes, file: file)
        var offset = WALFile.headerSize
        var expected = firstSequence
        while offset < bytes.count {
            switch WALRecord.parse(bytes, at: offset) {
            case .record(let sequence, let flags, let payload):
                guard sequence == expected else {
                    throw StoreError(
                        .corrupt,
                        file: file,
                        offset: Int64(offset),
                        "record has sequence \(sequence), expected \(expected)"
                    )
                }
                guard expected < UInt64.max else {
                    throw StoreError(.corrupt, file: file, offset: Int64(offset), "record sequence overflows")
                }
                try visit(sequence, payload, flags, offset)
                expected += 1
                offset = payload.upperBound
            case .damaged(let reason):
                guard isLast else {
                    throw StoreError(
                        .corrupt,
                        file: file,
                        offset: Int64(offset),
                        "\(reason) (not in the last WAL file)"
                    )
                }
                if let next = WALRecord.nextValidRecord(in: bytes, after: offset) {
                    throw StoreError(
                        .corrupt,
                        file: file,
                        offset: Int64(offset),
                        "\(reason), and a valid record follows at offset \(next): damage, not a torn tail"
                    )
                }
                return FileScan(end: offset, lastSequence: expected - 1, damage: (offset, reason))
            }
        }
        return FileScan(end: offset, lastSequence: expected - 1, damage: nil)
    }
}

/// What a replay read, delivered and repaired.
public struct ReplayReport: Sendable {
    /// Files read record by record.
    public var filesRead = 0
    /// Files skipped because all their records are at or below `afterSequence`.
    public var filesSkipped = 0
    /// Valid records seen in the files read.
    public var records = 0
    /// Records passed to the caller (sequence above `afterSequence`).
    public var delivered = 0
    /// The first sequence of the first file read, or nil when there are no WAL files.
    ///
    /// If it is above `afterSequence + 1`, records in between are missing from the WAL.
    public var firstSequence: UInt64?
    /// The sequence of the last valid record, or the one before the last file's first sequence
    /// when that file is empty; 0 when there are no WAL files.
    public var lastSequence: UInt64 = 0
    /// The torn tail cut from the last file, if there was one.
    public var truncation: TailTruncation?

    public init() {}

    /// The sequence the next appended record gets.
    public var nextSequence: UInt64 { self.lastSequence + 1 }
}

/// A torn or damaged tail cut from the last WAL file.
public struct TailTruncation: Sendable, Hashable, CustomStringConvertible {
    /// The file, relative to the file system's root.
    public var file: String
    /// Where the cut was made: the start of the first record that did not check out.
    public var offset: Int64
    /// Why the bytes there were not a record.
    public var reason: String
    /// How many bytes follow the last valid record (removed when `applied`).
    public var bytesCut: Int64
    /// Whether the file was truncated; false after a read-only replay (`repairTail: false`).
    public var applied: Bool

    public init(file: String, offset: Int64, reason: String, bytesCut: Int64, applied: Bool = true) {
        self.file = file
        self.offset = offset
        self.reason = reason
        self.bytesCut = bytesCut
        self.applied = applied
    }

    public var description: String {
        "\(self.file)@\(self.offset): \(self.applied ? "cut" : "torn tail of") \(self.bytesCut) bytes: \(self.reason)"
    }
}
