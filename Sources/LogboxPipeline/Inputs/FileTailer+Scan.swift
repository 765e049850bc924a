import LogboxStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FileTailer {
    /// Lists the globs and reconciles what they match with the open files: new files are opened,
    /// a path that names another inode means its open file was rotated away, an open inode found
    /// under another watched path was renamed there, a watched path that vanished means its file
    /// was renamed out of the globs or deleted (both are read to their end).
    mutating func scan(now: Int64) {
        self.lastScan = now
        let matches = self.listMatches()
        var matchedPaths = Set<String>()
        var seen = Set<FileNode>()
        for (path, info) in matches {
            let node = FileNode(info)
            matchedPaths.insert(path)
            seen.insert(node)
            if let current = self.byPath[path], current.isOpen {
                if current.node == node {
                    self.check(current)
                    continue
                }
                // The path names another file now: the open one was renamed away (or deleted).
                self.markRotated(current, now: now)
                self.byPath[path] = nil
            }
            if let tracked = self.files.first(where: { $0.isOpen && $0.node == node }) {
                if self.byPath[tracked.path] === tracked, tracked.path != path,
                    let other = FileIdentity.status(path: tracked.path), FileNode(other) == node
                {
                    continue  // a second name (hard link) of a file already read
                }
                if self.byPath[tracked.path] === tracked { self.byPath[tracked.path] = nil }
                tracked.path = path
                tracked.state = .active
                self.byPath[path] = tracked
                continue
            }
            self.open(path: path, info: info, now: now)
        }
        for file in self.files where file.isOpen && file.state == .active && !matchedPaths.contains(file.path) {
            if self.byPath[file.path] === file { self.byPath[file.path] = nil }
            self.markRotated(file, now: now)
        }
        self.finishedGzip = self.finishedGzip.filter { seen.contains($0.key) }
        self.seenNodes = seen
        self.isFirstScan = false
    }

    /// Forgets remembered positions of files no scan matches any more. Their checkpoints stay in
    /// the store while the file is still in its directory (renamed out of the globs: `app.log.1`
    /// for a glob `app.log`), watched at each scan as `parked`; once its node is gone from the
    /// directory (deleted, or moved elsewhere) a tombstone tells the store to drop it.
    mutating func pruneRemembered() {
        let seen = self.seenNodes
        // Matched again: followed as an open file, with a position of its own.
        self.parked = self.parked.filter { !seen.contains($0.key.node) }
        for (key, checkpoint) in self.remembered where !seen.contains(key.node) {
            self.remembered[key] = nil
            self.parked[key] = checkpoint
        }
        guard !self.parked.isEmpty else { return }
        var listings: [String: Set<FileNode>?] = [:]
        for (key, checkpoint) in self.parked {
            let directory = Self.directory(of: checkpoint.path)
            if listings[directory] == nil { listings[directory] = Self.nodes(in: directory) }
            // A directory that cannot be listed proves nothing: keep the store's checkpoint.
            guard let nodes = listings[directory] ?? nil, !nodes.contains(key.node) else { continue }
            self.parked[key] = nil
            self.forgotten.append(.forgetting(checkpoint))
        }
    }

    /// The nodes of the regular files in `directory`; nil when it cannot be read.
    static func nodes(in directory: String) -> Set<FileNode>? {
        guard let handle = opendir(directory) else { return nil }
        closedir(handle)
        return Set(Self.listDirectory(directory).map { FileNode($0.1) })
    }

    /// For a file still at its path: notices content rewritten in place (copytruncate followed by
    /// more writes than were read), and settles a provisional identity.
    mutating func check(_ file: TailedFile) {
        guard !file.isGzip, file.state == .active, let info = FileIdentity.status(descriptor: file.descriptor) else {
            return
        }
        let identity = file.identity
        let size = Int64(info.st_size)
        if identity.fingerprintLength > 0 {
            if !FileIdentity.stillMatches(identity, descriptor: file.descriptor, size: size) {
                file.contentReplaced = true
            }
        } else if size > 0 {
            self.settleIdentity(file, info: info)
        }
    }

    /// Takes the identity of a file that had no complete first line when it was opened, once it has.
    mutating func settleIdentity(_ file: TailedFile, info: stat) {
        guard file.identity.fingerprintLength == 0,
            var settled = FileIdentity.identify(descriptor: file.descriptor, path: file.identity.path, info: info),
            settled.fingerprintLength > 0
        else { return }
        settled.path = file.identity.path
        file.identity = settled
    }

    /// The file left its watched path: it is read to its end under its new name, when that is in
    /// the same directory (`app.log.1`), so its lines name the file they are in.
    mutating func markRotated(_ file: TailedFile, now: Int64) {
        guard file.state == .active else { return }
        file.state = .rotated(since: now)
        self.statistics.rotations += 1
        guard let info = FileIdentity.status(descriptor: file.descriptor), info.st_nlink > 0 else { return }
        let node = file.node
        if let (path, _) = Self.listDirectory(Self.directory(of: file.path)).first(where: { FileNode($0.1) == node }) {
            file.path = path
        }
    }

    /// Opens a newly matched file at the position it resumes from.
    mutating func open(path: String, info listed: stat, now: Int64) {
        let isGzip = path.hasSuffix(".gz")
        if isGzip, let done = self.finishedGzip[FileNode(listed)], done.size == Int64(listed.st_size),
            done.modified == Self.modificationTime(listed)
        {
            return
        }
        guard self.files.count(where: \.isOpen) < self.options.maxOpenFiles else { return }
        let descriptor = SystemFile.openForReading(path)
        guard descriptor >= 0 else {
            if errno != ENOENT {
                self.statistics.errors += 1
                self.record(TailError(.io(errno: errno), path: path, operation: "open"))
            }
            return
        }
        guard let info = FileIdentity.status(descriptor: descriptor), (info.st_mode & S_IFMT) == S_IFREG,
            let fresh = FileIdentity.identify(descriptor: descriptor, path: path, info: info, wholePrefix: isGzip)
        else {
            SystemFile.close(descriptor)
            return
        }
        var identity = fresh
        var offset: Int64 = 0
        var nextLine: Int64 = 1
        var startedAtEnd = false
        if let known = FileIdentity.bestMatch(descriptor: descriptor, info: info, among: Array(self.remembered.values))
        {
            self.remembered[IdentityKey(known)] = nil
            if isGzip {
                if Self.gzipIsDone(descriptor: descriptor, info: info, inflatedOffset: known.offset) {
                    SystemFile.close(descriptor)
                    self.remembered[IdentityKey(known)] = known
                    self.finishedGzip[FileNode(info)] = (Int64(info.st_size), Self.modificationTime(info))
                    return
                }
                identity = known
                offset = known.offset
                nextLine = known.nextLine
            } else if known.offset > Int64(info.st_size) {
                self.statistics.truncations += 1  // truncated while it was not read
            } else {
                identity = known
                offset = known.offset
                nextLine = known.nextLine
            }
        } else if self.isFirstScan && self.isFresh && self.options.startAt == .end {
            if isGzip {
                // An old rotated file at start-up: starting at the end means it is not read.
                SystemFile.close(descriptor)
                self.finishedGzip[FileNode(info)] = (Int64(info.st_size), Self.modificationTime(info))
                return
            }
            (offset, nextLine) = Self.endOfLastLine(descriptor: descriptor, size: Int64(info.st_size))
            startedAtEnd = true
        }
        let file = TailedFile(
            path: path,
            identity: identity,
            descriptor: descriptor,
            isGzip: isGzip,
            maxLineLength: self.options.maxLineLength,
            multiline: self.options.multiline,
            offset: offset,
            nextLine: nextLine,
            now: now
        )
        // Reported so that a restart before the first line does not go back (a file with no
        // complete line yet starts at 0 anyway).
        file.positionUnreported = startedAtEnd && offset > 0
        self.statistics.filesOpened += 1
        self.files.append(file)
        self.byPath[path] = file
    }

    /// After the first scan of a tailer started with checkpoints: a checkpoint no watched file
    /// claimed may belong to a file rotated while the process was down (`app.log.1`,
    /// `app.log-20240101`, any name in the same directory). Found by identity, it is read from
    /// its checkpoint to its end, ahead of the files at the watched paths.
    mutating func findRotatedWhileDown(now: Int64) {
        let unclaimed = self.remembered.values.filter { !self.finishedGzip.keys.contains(FileNode($0)) }
        guard !unclaimed.isEmpty else { return }
        let open = Set(self.files.filter(\.isOpen).map(\.node))
        var byDirectory: [String: [Checkpoint]] = [:]
        for checkpoint in unclaimed where !open.contains(FileNode(checkpoint)) {
            byDirectory[Self.directory(of: checkpoint.path), default: []].append(checkpoint)
        }
        var found: [TailedFile] = []
        for (directory, checkpoints) in byDirectory.sorted(by: { $0.key < $1.key }) {
            let wanted = Set(checkpoints.map { FileNode($0) })
            for (path, info) in Self.listDirectory(directory) where wanted.contains(FileNode(info)) {
                guard !path.hasSuffix(".gz") else { continue }
                let descriptor = SystemFile.openForReading(path)
                guard descriptor >= 0 else { continue }
                guard let current = FileIdentity.status(descriptor: descriptor),
                    let known = FileIdentity.bestMatch(descriptor: descriptor, info: current, among: checkpoints)
                else {
                    SystemFile.close(descriptor)
                    continue
                }
                self.remembered[IdentityKey(known)] = nil
                var identity = known
                var offset = known.offset
                var nextLine = known.nextLine
                if known.offset > Int64(current.st_size),
                    let fresh = FileIdentity.identify(descriptor: descriptor, path: known.path, info: current)
                {
                    identity = fresh
                    offset = 0
                    nextLine = 1
                    self.statistics.truncations += 1
                }
                let file = TailedFile(
                    path: path,
                    identity: identity,
                    descriptor: descriptor,
                    isGzip: false,
                    maxLineLength: self.options.maxLineLength,
                    multiline: self.options.multiline,
                    offset: offset,
                    nextLine: nextLine,
                    now: now
                )
                file.state = .rotated(since: now)
                self.statistics.filesOpened += 1
                self.statistics.rotations += 1
                found.append(file)
            }
        }
        self.files.insert(contentsOf: found, at: 0)
    }

    // MARK: Listing

    /// Regular files the globs match and the excludes do not, sorted by path (gzip files only
    /// when `readGzip`). Symbolic links are followed; a missing directory matches nothing.
    func listMatches() -> [(path: String, info: stat)] {
        var result: [String: stat] = [:]
        for pattern in self.options.paths {
            let base = pattern.baseDirectory
            let depth =
                pattern.text.contains("**")
                ? 32 : max(1, Self.componentCount(pattern.text) - (base == "." ? 0 : Self.componentCount(base)))
            self.walk(base, depth: depth, pattern: pattern, into: &result)
        }
        return result.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private func walk(_ directory: String, depth: Int, pattern: GlobPattern, into result: inout [String: stat]) {
        for (path, info) in Self.listDirectory(directory, includeDirectories: depth > 1) {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                self.walk(path, depth: depth - 1, pattern: pattern, into: &result)
                continue
            }
            guard result[path] == nil, pattern.matches(path) else { continue }
            if path.hasSuffix(".gz") && !self.options.readGzip { continue }
            if self.options.exclude.contains(where: { $0.matches(path) }) { continue }
            result[path] = info
        }
    }

    /// The regular files (and, if asked, directories) in `directory`, with their `stat`.
    static func listDirectory(_ directory: String, includeDirectories: Bool = false) -> [(String, stat)] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var entries: [(String, stat)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path =
                directory == "." ? name : directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let info = FileIdentity.status(path: path) else { continue }
            let kind = info.st_mode & S_IFMT
            if kind == S_IFREG || (includeDirectories && kind == S_IFDIR) { entries.append((path, info)) }
        }
        return entries
    }

    static func componentCount(_ path: String) -> Int {
        path.split(separator: "/").filter { $0 != "." }.count
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Where "the end" of an existing file is: after its last complete line (a line still being
    /// written is read once it is complete), with the number of lines before it.
    static func endOfLastLine(descriptor: Int32, size: Int64) -> (offset: Int64, nextLine: Int64) {
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var offset: Int64 = 0
        var lines: Int64 = 0
        var lastEnd: Int64 = 0
        while offset < size {
            let count = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress, min(chunk, Int(size - offset)), off_t(offset))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            buffer.withUnsafeBytes { raw in
                let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var start = 0
                while start < count, let found = memchr(base + start, 0x0A, count - start) {
                    let index = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
                    lines += 1
                    lastEnd = offset + Int64(index) + 1
                    start = index + 1
                }
            }
            offset += Int64(count)
        }
        return (lastEnd, lines + 1)
    }

    /// Whether a gzip file was read to its end at `inflatedOffset`: its trailer's ISIZE (the
    /// inflated size modulo 2^32) says so. A multi-member file whose last member differs is
    /// inflated again and skipped to the offset instead, which is slower but right.
    static func gzipIsDone(descriptor: Int32, info: stat, inflatedOffset: Int64) -> Bool {
        guard inflatedOffset > 0, info.st_size >= 18 else { return false }
        var trailer = [UInt8](repeating: 0, count: 4)
        let count = trailer.withUnsafeMutableBytes { raw in
            pread(descriptor, raw.baseAddress, 4, off_t(info.st_size - 4))
        }
        guard count == 4 else { return false }
        let size = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
        return size == UInt32(truncatingIfNeeded: inflatedOffset)
    }
}
