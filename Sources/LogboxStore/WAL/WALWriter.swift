/// Appends records to the WAL directory and makes them durable, with group commit.
///
/// Records go to the newest `NNNNNN.wal` file at increasing sequence numbers; when a file would
/// pass `segmentSize`, the writer syncs it and starts the next (a record larger than the limit
/// gets a file of its own). `append` only writes; `sync` (`fdatasync`) makes every record appended
/// so far durable, so callers append a group of records and sync once. `syncIfDue` applies the
/// interval policy. Only the newest file ever has unsynced records: older ones were synced when
/// the writer moved on.
///
/// Failures:
/// - A failed write is not sticky. Whatever part of the record reached the file is cut off
///   again, so the file never holds a partial record in the middle; the sequence number is not
///   used, and the next `append` may succeed (after a full disk has been cleared, say).
/// - A failed fsync is sticky ("fsyncgate"): after Linux reports a writeback error it may have
///   dropped the dirty pages and mark them clean, so a retried fsync can succeed without the data
///   ever reaching the disk. From then on every `append` and `sync` throws the first error; the
///   process must restart and replay the WAL, which holds exactly what reached the disk.
///
/// Opening an existing directory continues after its last valid record (a torn tail is cut
/// first, as replay does); run `WALReader.replay` before opening the writer.
public struct WALWriter: ~Copyable, Sendable {
    public let directory: String
    public let fileSystem: FileSystem
    public let syncInterval: Duration
    public let segmentSize: Int

    /// The file being appended to, the last of `files`.
    private var file: OpenFile
    /// Every WAL file, oldest first, with its first sequence (from its header).
    private var files: [(number: UInt64, firstSequence: UInt64)]
    /// End of the last complete record in `file`: where the next one goes.
    private var offset: Int64
    /// The sequence the next record gets.
    public private(set) var nextSequence: UInt64
    /// Every record up to this sequence is durable.
    public private(set) var lastSyncedSequence: UInt64
    /// When `sync` last ran (or the writer opened), for `syncIfDue`.
    public private(set) var lastSyncInstant: ContinuousClock.Instant
    /// The torn tail cut from the last file when the writer opened, if any.
    public let recoveredTail: TailTruncation?
    /// The first fsync failure: once set, the writer refuses to go on.
    private var failure: StoreError?
    /// A failed write left bytes past `offset` that could not be cut yet.
    private var tailNeedsCut = false
    /// The record being framed, reused so steady-state appends do not allocate for framing.
    private var buffer: [UInt8] = []

    /// Opens the WAL in `directory`, creating the directory and its first file if needed.
    ///
    /// - Parameters:
    ///   - syncInterval: the longest a record waits for `syncIfDue` to make it durable.
    ///   - segmentSize: the size at which the writer moves to a new file (default 64 MiB).
    ///   - nextSequenceAtLeast: a floor for the next sequence, for when the store knows of higher
    ///     sequences than the WAL files still show (say, after they were removed by hand); a
    ///     higher floor starts a new file there.
    public init(
        directory: String,
        fileSystem: FileSystem,
        syncInterval: Duration = .milliseconds(100),
        segmentSize: Int = 64 << 20,
        nextSequenceAtLeast: UInt64 = 1
    ) throws(StoreError) {
        try fileSystem.createDirectory(directory)
        for name in try fileSystem.listDirectory(directory) where name.hasSuffix(WALFile.temporarySuffix) {
            try fileSystem.removeFile("\(directory)/\(name)")
        }
        var files: [(number: UInt64, firstSequence: UInt64)] = []
        for entry in try WALFile.list(directory, fileSystem: fileSystem) {
            files.append((entry.number, try WALFile.readFirstSequence(entry.path, fileSystem: fileSystem)))
        }
        var syncFailed = false
        var recoveredTail: TailTruncation?
        var file: OpenFile
        var offset = Int64(WALFile.headerSize)
        var nextSequence = max(nextSequenceAtLeast, 1)
        if let last = files.last {
            let path = "\(directory)/\(WALFile.name(last.number))"
            let name = fileSystem.relativePath(path)
            let bytes = try fileSystem.readFile(path)
            let scan = try WALReader.scan(bytes, file: name, firstSequence: last.firstSequence, isLast: true)
            file = try fileSystem.open(path, .readWrite)
            if let damage = scan.damage {
                try file.truncate(to: Int64(damage.offset))
                recoveredTail = TailTruncation(
                    file: name,
                    offset: Int64(damage.offset),
                    reason: damage.reason,
                    bytesCut: Int64(bytes.count - damage.offset)
                )
            }
            // Records a crashed process wrote may still be only in the page cache: make them durable
            // now, since replay has handed them on as if they were.
            try file.sync()
            offset = Int64(scan.end)
            if scan.lastSequence == UInt64.max {
                throw StoreError(.corrupt, file: name, offset: Int64(scan.end), "WAL sequence numbers are exhausted")
            }
            if scan.lastSequence + 1 >= nextSequence {
                nextSequence = scan.lastSequence + 1
            } else {
                // The floor is above what the files hold: start a file at the floor so sequences
                // within a file stay contiguous.
                file = try Self.createFile(
                    directory: directory,
                    number: last.number + 1,
                    firstSequence: nextSequence,
                    fileSystem: fileSystem,
                    syncFailed: &syncFailed
                )
                files.append((last.number + 1, nextSequence))
                offset = Int64(WALFile.headerSize)
            }
        } else {
            file = try Self.createFile(
                directory: directory,
                number: 1,
                firstSequence: nextSequence,
                fileSystem: fileSystem,
                syncFailed: &syncFailed
            )
            files.append((1, nextSequence))
        }
        self.directory = directory
        self.fileSystem = fileSystem
        self.syncInterval = syncInterval
        self.segmentSize = segmentSize
        self.file = file
        self.files = files
        self.offset = offset
        self.nextSequence = nextSequence
        self.lastSyncedSequence = nextSequence - 1
        self.lastSyncInstant = .now
        self.recoveredTail = recoveredTail
    }

    /// The sequence of the last record appended (synced or not); `nextSequence - 1`.
    public var lastAppendedSequence: UInt64 { self.nextSequence - 1 }

    /// Whether some appended records are not yet durable.
    public var hasUnsyncedRecords: Bool { self.lastSyncedSequence < self.lastAppendedSequence }

    /// The WAL files, oldest first, as paths relative to the file system's root.
    public var fileNames: [String] {
        self.files.map { self.fileSystem.relativePath(self.path(of: $0.number)) }
    }

    /// The first fsync error, after which the writer accepts nothing; nil while healthy.
    public var stickyFailure: StoreError? { self.failure }

    /// Appends `payload` as one record and returns its sequence; not durable until `sync`.
    ///
    /// - Parameter compress: try LZ4 (kept only when it is smaller).
    /// - Throws: the write's error (the record is not in the WAL, and its sequence is not used);
    ///   the sticky error after a failed fsync; `.invalidArgument` for a payload over 1 GiB.
    /// - Complexity: O(payload); no allocation for framing in steady state.
    public mutating func append(_ payload: [UInt8], compress: Bool = true) throws(StoreError) -> UInt64 {
        if let failure = self.failure { throw failure }
        guard payload.count <= WALRecord.maxPayloadSize else {
            throw StoreError(.invalidArgument, "WAL payload of \(payload.count) bytes is over the 1 GiB limit")
        }
        if self.tailNeedsCut {
            try self.file.truncate(to: self.offset)
            self.tailNeedsCut = false
        }
        let sequence = self.nextSequence
        WALRecord.encode(payload, sequence: sequence, compress: compress, into: &self.buffer)
        if self.offset > Int64(WALFile.headerSize) && self.offset + Int64(self.buffer.count) > Int64(self.segmentSize) {
            try self.startNextFile()
        }
        do throws(StoreError) {
            try self.file.write(self.buffer, at: self.offset)
        } catch {
            // Cut any part of the record that landed, so the next record follows a complete one.
            do throws(StoreError) {
                try self.file.truncate(to: self.offset)
            } catch {
                self.tailNeedsCut = true
            }
            throw error
        }
        self.offset += Int64(self.buffer.count)
        self.nextSequence += 1
        return sequence
    }

    /// Takes the next sequence for a batch that is not written to the WAL (`StoreOptions.writeWAL`
    /// off): the manifest's WAL sequence keeps counting batches, so a later writer that does write
    /// records continues above every sequence a segment covers.
    public mutating func reserveSequence() -> UInt64 {
        let sequence = self.nextSequence
        // Nothing of this sequence is in a file, so there is nothing to sync for it.
        if !self.hasUnsyncedRecords { self.lastSyncedSequence = sequence }
        self.nextSequence += 1
        return sequence
    }

    /// Makes every record appended so far durable (`fdatasync` of the current file).
    ///
    /// - Throws: the fsync error, which is sticky: see the type's documentation.
    public mutating func sync() throws(StoreError) {
        if let failure = self.failure { throw failure }
        if self.hasUnsyncedRecords {
            do throws(StoreError) {
                try self.file.syncData()
            } catch {
                throw self.fail(error)
            }
            self.lastSyncedSequence = self.lastAppendedSequence
        }
        self.lastSyncInstant = .now
    }

    /// Syncs when records are waiting and `syncInterval` has passed since the last sync.
    ///
    /// - Returns: whether it synced.
    @discardableResult
    public mutating func syncIfDue(now: ContinuousClock.Instant = .now) throws(StoreError) -> Bool {
        if let failure = self.failure { throw failure }
        guard self.hasUnsyncedRecords, now - self.lastSyncInstant >= self.syncInterval else { return false }
        try self.sync()
        self.lastSyncInstant = now
        return true
    }

    /// Deletes the oldest files whose records all have a sequence ≤ `upToSequence`, then syncs the directory.
    ///
    /// The current file is never deleted. Files go oldest first, so a crash part way leaves a
    /// contiguous run of files.
    /// - Returns: how many files were deleted.
    @discardableResult
    public mutating func deleteFiles(upToSequence: UInt64) throws(StoreError) -> Int {
        var deleted = 0
        defer { self.files.removeFirst(deleted) }
        while deleted + 1 < self.files.count, self.files[deleted + 1].firstSequence - 1 <= upToSequence {
            try self.fileSystem.removeFile(self.path(of: self.files[deleted].number))
            deleted += 1
        }
        if deleted > 0 { try self.fileSystem.syncDirectory(self.directory) }
        return deleted
    }

    /// Syncs, then continues in a new file, so that `deleteFiles` can remove every file whose
    /// records are all elsewhere (a flush covered them): the live file is never deleted.
    public mutating func roll() throws(StoreError) {
        try self.sync()
        guard self.offset > Int64(WALFile.headerSize) else { return }
        try self.startNextFile()
    }

    /// Syncs outstanding records and closes the file.
    ///
    /// - Throws: the sync's error (or the sticky one); the file is closed either way.
    public consuming func close() throws(StoreError) {
        try self.sync()
    }

    // MARK: Files

    private func path(of number: UInt64) -> String { "\(self.directory)/\(WALFile.name(number))" }

    /// Records the first fsync failure and returns the error every later call throws.
    private mutating func fail(_ error: StoreError) -> StoreError {
        var sticky = error
        sticky.message +=
            "; the WAL accepts no more writes (a failed fsync cannot be retried safely): restart and replay"
        self.failure = sticky
        return sticky
    }

    /// Syncs the current file and moves to a new one.
    private mutating func startNextFile() throws(StoreError) {
        if self.hasUnsyncedRecords {
            do throws(StoreError) {
                try self.file.syncData()
            } catch {
                throw self.fail(error)
            }
            self.lastSyncedSequence = self.lastAppendedSequence
        }
        let number = self.files[self.files.count - 1].number + 1
        var syncFailed = false
        do throws(StoreError) {
            self.file = try Self.createFile(
                directory: self.directory,
                number: number,
                firstSequence: self.nextSequence,
                fileSystem: self.fileSystem,
                syncFailed: &syncFailed
            )
        } catch {
            throw syncFailed ? self.fail(error) : error
        }
        self.files.append((number, self.nextSequence))
        self.offset = Int64(WALFile.headerSize)
    }

    /// Creates file `number` with its header: written under a temporary name, synced, renamed, directory synced.
    ///
    /// - Parameter syncFailed: set when the error came from an fsync (which makes it sticky).
    private static func createFile(
        directory: String,
        number: UInt64,
        firstSequence: UInt64,
        fileSystem: FileSystem,
        syncFailed: inout Bool
    ) throws(StoreError) -> OpenFile {
        let path = "\(directory)/\(WALFile.name(number))"
        let temporary = path + ".tmp"
        let file: OpenFile
        do throws(StoreError) {
            var created = try fileSystem.open(temporary, .readWrite, create: true, truncate: true)
            try created.write(WALFile.header(firstSequence: firstSequence), at: 0)
            do throws(StoreError) {
                try created.sync()
            } catch {
                syncFailed = true
                throw error
            }
            try fileSystem.rename(temporary, to: path)
            created.path = path
            file = created
        } catch {
            _ = try? fileSystem.removeFile(temporary)
            throw error
        }
        do throws(StoreError) {
            try fileSystem.syncDirectory(directory)
        } catch {
            syncFailed = true
            throw error
        }
        return file
    }
}
