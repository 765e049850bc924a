public import LogboxCore
import LogboxParse
public import LogboxStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tails the files a set of globs match, through rotations, truncations and restarts.
///
/// Synchronous and poll-driven, with no threads or timers of its own: a run loop calls
/// ``poll(into:maxBytes:now:)`` and passes the time, so every behaviour is deterministic under
/// test. Each poll lists the globs again when ``TailOptions/scanInterval`` has passed, then fills
/// the batch with consecutive lines of one file (files take turns) and returns the checkpoint to
/// store in the same WAL record as those lines.
///
/// Files are known by device, inode and a fingerprint of their first line (the store's
/// ``Checkpoint``), so a reused inode is a new file. Rotation by rename: the renamed file is read
/// to its end by its descriptor (for ``TailOptions/rotateWait`` while its writer may still add
/// to it), and the new file at the path from its start. Copytruncate and truncation: a file
/// shorter than the position reached, or whose first bytes changed, restarts at 0. A deleted file
/// is read to its end and its descriptor closed at once. Started with checkpoints, the tailer
/// finds a file rotated while it was down (by identity, anywhere in its directory) and finishes it
/// from its checkpoint, while the new file at the path is read from 0.
///
/// Files gone for good are forgotten, in the store too: a poll reports a tombstone
/// (`Checkpoint.forgetting`) with its checkpoints for a deleted file once it is read to its end
/// and closed, for a remembered file (rotated and finished, a gzip file, a checkpoint from the
/// store) whose node is no longer in its directory, and for the old content of a file truncated
/// in place. A file renamed out of the globs but still in its directory keeps its checkpoint
/// until it goes.
///
/// Not thread-safe; `~Copyable` so that one owner drives it.
// @unchecked Sendable: the tailer is ~Copyable, so exactly one owner holds it at a time, and the
// objects it holds (open files, the regex matcher, buffers) are created by it and never escape;
// moving it to another task moves all of them together.
public struct FileTailer: ~Copyable, @unchecked Sendable {
    public let options: TailOptions
    /// Counters since the tailer was made.
    public internal(set) var statistics = TailStatistics()

    /// Open (and just closed) files, in the order they take turns.
    var files: [TailedFile] = []
    /// The open file at each watched path.
    var byPath: [String: TailedFile] = [:]
    /// Positions of inputs not open now: checkpoints to resume from, files closed after rotation
    /// and gzip files read to their end.
    var remembered: [IdentityKey: Checkpoint] = [:]
    /// Gzip files known to be read (or skipped), by node, with the size and modification time
    /// they had, so that scans need not open them again.
    var finishedGzip: [FileNode: (size: Int64, modified: Int64)] = [:]
    /// The nodes the last scan matched.
    var seenNodes = Set<FileNode>()
    var cursor = 0
    var lastScan: Int64?
    var isFirstScan = true
    /// No checkpoint of this input existed: `startAt` applies to the first scan.
    let isFresh: Bool
    let matcher: PCRE2Matcher?
    let buffers: ReadBuffers
    /// Framed lines waiting for the multiline assembler.
    var scratch = LineBatch()
    /// Errors since the last `takeErrors()` (at most 100 kept).
    var recentErrors: [TailError] = []
    /// Tombstones (`Checkpoint.forgetting`) of files gone for good, for the next poll to report.
    var forgotten: [Checkpoint] = []
    /// Positions of finished files no glob matches but still in their directory: watched by each
    /// scan so that their deletion is reported (see `pruneRemembered`).
    var parked: [IdentityKey: Checkpoint] = [:]

    /// Makes a tailer and lists its globs for the first time.
    ///
    /// - Parameters:
    ///   - checkpoints: the positions stored so far (the store's `checkpoints`; entries whose path
    ///     no glob matches are ignored). Files with one resume there; files rotated while the
    ///     process was down are found by identity and finished; others start at 0. Without any,
    ///     files found now start at ``TailOptions/startAt``.
    ///   - now: nanoseconds since the epoch (any monotonic clock in nanoseconds works).
    /// - Throws: ``TailError`` when the multiline pattern does not compile.
    public init(options: TailOptions, checkpoints: [Checkpoint] = [], now: Int64) throws(TailError) {
        self.options = options
        if let rule = options.multiline {
            do {
                self.matcher = PCRE2Matcher(try PCRE2Regex(rule.pattern))
            } catch {
                throw TailError(.badPattern("\(error)"), path: rule.pattern, operation: "compile")
            }
        } else {
            self.matcher = nil
        }
        self.buffers = ReadBuffers(size: max(4096, options.readChunkSize))
        let mine = checkpoints.filter { checkpoint in options.paths.contains { $0.matches(checkpoint.path) } }
        self.isFresh = mine.isEmpty
        for checkpoint in mine {
            let key = IdentityKey(checkpoint)
            if let existing = self.remembered[key], existing.offset >= checkpoint.offset { continue }
            self.remembered[key] = checkpoint
        }
        self.rescan(now: now)
        self.findRotatedWhileDown(now: now)
        self.pruneRemembered()
    }

    /// The position after the last line delivered, for every open file: what to store at
    /// shutdown once everything delivered is in the WAL. (Each poll's own checkpoints are the
    /// ones to store with its batch.)
    public var checkpoints: [Checkpoint] {
        self.files.filter(\.isOpen).map(\.deliveredPosition)
    }

    /// The paths open now, in turn order (for status and tests).
    public var openPaths: [String] {
        self.files.filter(\.isOpen).map(\.path)
    }

    /// Errors since the last call: files that could not be opened or read (each was dropped and
    /// is tried again by the next scan, resuming where its lines stopped).
    public mutating func takeErrors() -> [TailError] {
        defer { self.recentErrors.removeAll() }
        return self.recentErrors
    }

    /// Reads up to about `maxBytes` of lines of one file into `batch` (emptied first).
    ///
    /// Lists the globs first when the scan interval has passed. Delivers pending multiline
    /// records whose timeout passed, and closes files that are finished (deleted, rotated and
    /// quiet for `rotateWait`, gzip read to the end). An idle result means no file had anything.
    /// - Complexity: one `pread` and `fstat` per file visited; lines are framed with `memchr`.
    public mutating func poll(into batch: inout LineBatch, maxBytes: Int = 1 << 20, now: Int64) -> TailProgress {
        batch.removeAll(keepingCapacity: true)
        batch.source = self.options.sourceName
        batch.receivedAt = now
        if let last = self.lastScan {
            let (elapsed, overflow) = now.subtractingReportingOverflow(last)
            if overflow || elapsed >= self.options.scanInterval.tailNanoseconds || elapsed < 0 {
                self.rescan(now: now)
                self.pruneRemembered()
            }
        } else {
            self.rescan(now: now)
            self.pruneRemembered()
        }
        self.dropClosed()
        let count = self.files.count
        for step in 0..<count {
            let index = (self.cursor + step) % count
            let file = self.files[index]
            guard file.isOpen else { continue }
            self.visit(file, into: &batch, maxBytes: max(1, maxBytes), now: now)
            if batch.count > 0 || file.positionUnreported {
                file.positionUnreported = false
                self.cursor = index + 1
                self.statistics.lines += batch.count
                // Tombstones after the position: in one WAL record, a deleted file's last lines
                // are stored and its checkpoint dropped together.
                return TailProgress(path: file.path, checkpoints: [file.deliveredPosition] + self.takeForgotten())
            }
        }
        if !self.forgotten.isEmpty { return TailProgress(checkpoints: self.takeForgotten()) }
        return TailProgress()
    }

    mutating func takeForgotten() -> [Checkpoint] {
        defer { self.forgotten.removeAll() }
        return self.forgotten
    }

    /// Lists the globs now (a poll does this every `scanInterval`).
    public mutating func rescan(now: Int64) {
        self.scan(now: now)
    }

    // MARK: Reading

    /// Reads one file: restarts it if it was truncated, reads to `maxBytes` or its end, then
    /// closes it if finished and flushes a multiline record whose timeout passed.
    mutating func visit(_ file: TailedFile, into batch: inout LineBatch, maxBytes: Int, now: Int64) {
        if !file.isGzip {
            guard let info = FileIdentity.status(descriptor: file.descriptor) else {
                self.fail(file, .io(errno: errno), operation: "stat")
                return
            }
            if file.contentReplaced || Int64(info.st_size) < file.readOffset {
                // Lines already complete in the old content go first, under the old identity.
                if file.assembler?.hasRecord == true {
                    self.flushRecord(file, into: &batch)
                    return
                }
                guard
                    let identity = FileIdentity.identify(
                        descriptor: file.descriptor,
                        path: file.identity.path,
                        info: info
                    )
                else {
                    self.fail(file, .io(errno: errno), operation: "read")
                    return
                }
                let old = file.identity
                file.restart(identity: identity, maxLineLength: self.options.maxLineLength)
                // The old content is gone: its position must not match a later file by chance.
                if IdentityKey(old) != IdentityKey(identity) { self.forgotten.append(.forgetting(old)) }
                file.positionUnreported = identity.fingerprintLength > 0
                self.statistics.truncations += 1
            }
        }
        var reachedEnd = false
        var gotData = false
        while batch.bytes.count < maxBytes {
            let read = file.isGzip ? self.readGzipStep(file, into: &batch) : self.readStep(file, into: &batch)
            guard let read else {
                // Content replaced under the read: restart now unless old lines wait in the batch
                // (they go first, under the old identity; the next poll restarts).
                if file.isOpen && file.contentReplaced && batch.count == 0 {
                    self.visit(file, into: &batch, maxBytes: maxBytes, now: now)
                }
                return
            }
            if read == 0 {
                reachedEnd = true
                break
            }
            gotData = true
        }
        if gotData {
            file.lastDataAt = now
            // The first line is complete now: its identity goes with the first checkpoint.
            if file.identity.fingerprintLength == 0, !file.isGzip,
                let info = FileIdentity.status(descriptor: file.descriptor)
            {
                self.settleIdentity(file, info: info)
            }
        }
        if reachedEnd {
            guard let info = FileIdentity.status(descriptor: file.descriptor) else {
                self.fail(file, .io(errno: errno), operation: "stat")
                return
            }
            let deleted = info.st_nlink == 0
            var finished = deleted
            if file.isGzip && file.memberEnded && file.compressedStart >= file.compressed.count {
                finished = true
                self.statistics.gzipFilesRead += 1
                self.finishedGzip[file.node] = (Int64(info.st_size), Self.modificationTime(info))
            }
            if case .rotated(let since) = file.state {
                let quietSince = max(since, file.lastDataAt)
                let (waited, overflow) = now.subtractingReportingOverflow(quietSince)
                if overflow || waited >= self.options.rotateWait.tailNanoseconds { finished = true }
            }
            if finished {
                self.finish(file, into: &batch, remember: !deleted)
                return
            }
        }
        if let rule = self.options.multiline, file.assembler?.hasRecord == true {
            let (waited, overflow) = now.subtractingReportingOverflow(file.lastDataAt)
            if overflow || waited >= rule.timeout.tailNanoseconds { self.flushRecord(file, into: &batch) }
        }
    }

    /// One `pread` of a plain file at its offset; nil after an error (the file is dropped) or when
    /// the file's first bytes changed (it restarts at 0 on the next visit).
    mutating func readStep(_ file: TailedFile, into batch: inout LineBatch) -> Int? {
        let buffer = self.buffers.read
        var count: Int
        repeat {
            count = pread(file.descriptor, buffer.baseAddress, buffer.count, off_t(file.readOffset))
        } while count < 0 && errno == EINTR
        guard count >= 0 else {
            self.fail(file, .io(errno: errno), operation: "read")
            return nil
        }
        guard count > 0 else { return 0 }
        // Copytruncate between two scans: a file emptied and written again past the old offset
        // looks like growth, but these bytes belong to the new content. Checked after the read,
        // so such bytes are dropped (the restart reads them from 0), never delivered twice.
        if file.identity.fingerprintLength > 0,
            FileIdentity.fingerprint(descriptor: file.descriptor, length: Int(file.identity.fingerprintLength))
                != file.identity.fingerprint
        {
            file.contentReplaced = true
            return nil
        }
        file.readOffset += Int64(count)
        self.statistics.bytes += Int64(count)
        self.frame(file, UnsafeRawBufferPointer(rebasing: buffer[0..<count]), into: &batch)
        return count
    }

    /// One step of a gzip file: read compressed bytes if none are waiting, inflate one buffer's
    /// worth, frame what is past the resume point. Returns 0 when no compressed byte is left to
    /// read now, nil after an error (the file is dropped).
    mutating func readGzipStep(_ file: TailedFile, into batch: inout LineBatch) -> Int? {
        guard let inflater = file.inflater, !file.inputEnded else { return 0 }
        if file.compressedStart >= file.compressed.count {
            let buffer = self.buffers.read
            var count: Int
            repeat {
                count = pread(file.descriptor, buffer.baseAddress, buffer.count, off_t(file.readOffset))
            } while count < 0 && errno == EINTR
            guard count >= 0 else {
                self.fail(file, .io(errno: errno), operation: "read")
                return nil
            }
            guard count > 0 else { return 0 }
            file.readOffset += Int64(count)
            file.compressed.removeAll(keepingCapacity: true)
            file.compressed.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            file.compressedStart = 0
        }
        if file.memberEnded {
            // More input after a member's trailer: the next member of a concatenated file.
            inflater.reset()
            file.memberEnded = false
        }
        let output = self.buffers.inflated
        let step = file.compressed.withUnsafeBytes { raw in
            inflater.inflate(UnsafeRawBufferPointer(rebasing: raw[file.compressedStart...]), into: output)
        }
        switch step {
        case .failure(let message):
            if file.anyMemberEnded {
                // Bytes after a complete member that are no gzip member (padding): the end.
                file.compressedStart = file.compressed.count
                file.memberEnded = true
                file.inputEnded = true
                return 0
            }
            if let info = FileIdentity.status(descriptor: file.descriptor) {
                // Not tried again until it changes.
                self.finishedGzip[file.node] = (Int64(info.st_size), Self.modificationTime(info))
            }
            self.fail(file, .badGzip(message), operation: "inflate")
            return nil
        case .progress(let consumed, let produced, let memberEnded):
            file.compressedStart += consumed
            if memberEnded {
                file.memberEnded = true
                file.anyMemberEnded = true
            }
            var start = 0
            if file.skipInflated > 0 {
                start = Int(min(file.skipInflated, Int64(produced)))
                file.skipInflated -= Int64(start)
            }
            if produced > start {
                self.statistics.bytes += Int64(produced - start)
                self.frame(file, UnsafeRawBufferPointer(rebasing: output[start..<produced]), into: &batch)
            }
            return consumed + produced + (memberEnded ? 1 : 0)
        }
    }

    /// Frames `bytes` into lines, through the multiline assembler when there is one.
    mutating func frame(_ file: TailedFile, _ bytes: UnsafeRawBufferPointer, into batch: inout LineBatch) {
        if file.assembler != nil, let matcher = self.matcher {
            self.scratch.removeAll(keepingCapacity: true)
            file.framer.append(bytes, into: &self.scratch)
            self.statistics.truncatedLines += file.assembler!.absorb(self.scratch, matcher: matcher, into: &batch)
        } else {
            let before = file.framer.truncatedLines
            file.framer.append(bytes, into: &batch)
            self.statistics.truncatedLines += file.framer.truncatedLines - before
        }
    }

    mutating func flushRecord(_ file: TailedFile, into batch: inout LineBatch) {
        if file.assembler?.flush(into: &batch) == true { self.statistics.truncatedLines += 1 }
    }

    /// Delivers the last line (even without a newline) and any pending record, then closes.
    mutating func finish(_ file: TailedFile, into batch: inout LineBatch, remember: Bool) {
        if file.assembler != nil, let matcher = self.matcher {
            self.scratch.removeAll(keepingCapacity: true)
            file.framer.finish(into: &self.scratch)
            self.statistics.truncatedLines += file.assembler!.absorb(self.scratch, matcher: matcher, into: &batch)
            self.flushRecord(file, into: &batch)
        } else {
            let before = file.framer.truncatedLines
            file.framer.finish(into: &batch)
            self.statistics.truncatedLines += file.framer.truncatedLines - before
        }
        self.close(file, remember: remember)
        // Reported with the lines it delivered, or on its own when there were none.
        file.positionUnreported = true
    }

    mutating func close(_ file: TailedFile, remember: Bool) {
        if remember {
            let position = file.deliveredPosition
            self.remembered[IdentityKey(position)] = position
        } else {
            // Unlinked and read to its end: once closed, the file no longer exists.
            self.forgotten.append(.forgetting(file.identity))
        }
        if self.byPath[file.path] === file { self.byPath[file.path] = nil }
        file.close()
        self.statistics.filesClosed += 1
    }

    /// Drops a file after an error; the next scan finds it again and resumes where it stopped.
    mutating func fail(_ file: TailedFile, _ kind: TailError.Kind, operation: String) {
        self.statistics.errors += 1
        self.record(TailError(kind, path: file.path, operation: operation))
        self.close(file, remember: true)
    }

    mutating func record(_ error: TailError) {
        if self.recentErrors.count < 100 { self.recentErrors.append(error) }
    }

    /// Removes closed files, keeping the turn order of the rest.
    mutating func dropClosed() {
        guard self.files.contains(where: { !$0.isOpen }) else { return }
        let cursorFile = self.files.isEmpty ? nil : self.files[self.cursor % self.files.count]
        self.files.removeAll { !$0.isOpen }
        if let cursorFile, let index = self.files.firstIndex(where: { $0 === cursorFile }) {
            self.cursor = index
        } else {
            self.cursor = 0
        }
    }

    static func modificationTime(_ info: stat) -> Int64 {
        Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }
}

/// The read and inflate buffers of one tailer, allocated once.
final class ReadBuffers {
    let read: UnsafeMutableRawBufferPointer
    let inflated: UnsafeMutableRawBufferPointer

    init(size: Int) {
        self.read = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        self.inflated = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    }

    deinit {
        self.read.deallocate()
        self.inflated.deallocate()
    }
}
