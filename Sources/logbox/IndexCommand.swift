import ArgumentParser
import LogboxCore
import LogboxStore

/// `logbox index stats | verify | compact | prune`.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Inspect and maintain the store.",
        subcommands: [IndexStats.self, IndexVerify.self, IndexCompact.self, IndexPrune.self]
    )

    /// A writer for `verify`, `compact` and `prune`: it starts no background merge when it opens,
    /// so the command's own work (moving a damaged segment aside, rewriting, dropping) is all it
    /// does, and no merge reads a segment `verify` found damaged.
    static func writer(_ directory: String) throws(StoreError) -> StoreWriter {
        var options = StoreOptions()
        options.backgroundMerges = false
        return try StoreWriter(directory: directory, options: options)
    }
}

struct IndexStats: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Segments, events, time range, bytes by structure and compression ratio."
    )

    @OptionGroup var store: DataDirectoryOptions

    @Flag(name: .long, help: "Also show the term dictionary and postings bytes of every field.")
    var fields = false

    func execute(output: Output, errors: Output) -> Int32 {
        let directory = self.store.resolved
        let snapshot: StoreSnapshot
        do {
            snapshot = try StoreSnapshot(directory: directory)
        } catch {
            errors.write("logbox index stats: \(directory): \(error)\n")
            return 2
        }
        var bytesByFile: [String: UInt64] = [:]
        var rawBytes: UInt64 = 0
        var levels: [UInt8: Int] = [:]
        var docCompressions: [DocCompression: Int] = [:]
        for segment in snapshot.segments {
            docCompressions[segment.docs.compression, default: 0] += 1
            for file in segment.meta.fileSizes { bytesByFile[file.name, default: 0] += file.bytes }
            bytesByFile["meta", default: 0] += UInt64(segment.meta.encode().count)
            rawBytes += segment.meta.rawBytes
            levels[segment.meta.level, default: 0] += 1
        }
        let walBytes = Self.directoryBytes(StoreWriter.walDirectory(directory))
        let stored = bytesByFile.values.reduce(0, +)
        let events = snapshot.eventCount
        var text = "store:        \(directory)\n"
        text += "segments:     \(snapshot.segments.count)"
        if !levels.isEmpty {
            text +=
                " (" + levels.sorted { $0.key < $1.key }.map { "level \($0.key): \($0.value)" }.joined(separator: ", ")
                + ")"
        }
        text += "\nevents:       \(events)\n"
        if let first = snapshot.segments.map(\.meta.minTime).min(),
            let last = snapshot.segments.map(\.meta.maxTime).max(), events > 0
        {
            text +=
                "time range:   \(RFC3339.string(TimestampValue(nanoseconds: first))) … \(RFC3339.string(TimestampValue(nanoseconds: last)))\n"
        }
        text += "raw input:    \(Self.size(rawBytes))\n"
        text += "on disk:      \(Self.size(stored)) in segments"
        if rawBytes > 0 { text += " = \(ParseCommand.decimal(Double(stored) / Double(rawBytes), 3)) × raw" }
        text += "; WAL \(Self.size(walBytes))\n"
        // The postings split: walks every segment's term dictionary (a second or so per million events).
        var split = PostingsBreakdown()
        var byField: [String: FieldBytes] = [:]
        for segment in snapshot.segments {
            var addresses: [PostingsAddress] = []
            var fieldOf: [UInt64: String] = [:]
            for (field, bytes) in segment.columns.sectionBytes {
                byField[field, default: FieldBytes()].columns += bytes
            }
            do {
                for field in segment.terms.fields {
                    byField[field, default: FieldBytes()].terms += segment.terms.termCount(field: field)
                    byField[field, default: FieldBytes()].dictionary += segment.terms.sectionBytes(field: field)
                    var postings = 0
                    try segment.terms.enumerate(field: field) { _, address in
                        addresses.append(address)
                        postings += Int(address.docCount)
                        if self.fields { fieldOf[address.offset] = field }
                        return true
                    }
                    byField[field, default: FieldBytes()].postingsCount += postings
                }
                split = split + (try segment.postings.breakdown(addresses))
                if self.fields {
                    try segment.postings.forEachListBreakdown(addresses) { address, list in
                        guard let field = fieldOf[address.offset] else { return }
                        byField[field, default: FieldBytes()].postings += list
                    }
                }
            } catch {
                errors.write("logbox index stats: \(segment.directory): postings: \(error)\n")
            }
        }
        for name in ["docs", "terms", "postings", "columns", "meta"] {
            let bytes = bytesByFile[name] ?? 0
            let share = rawBytes > 0 ? " (\(ParseCommand.decimal(Double(bytes) / Double(rawBytes), 3)) × raw)" : ""
            text += "  \(name.padding(9)) \(Self.size(bytes))\(share)"
            if name == "docs", !docCompressions.isEmpty {
                let mix = docCompressions.sorted { $0.value > $1.value }
                text += ": " + mix.map { "\($0.key) in \($0.value)" }.joined(separator: ", ")
            }
            text += "\n"
            guard name == "postings" else { continue }
            for (part, partBytes) in [
                ("doc ids", split.docBytes), ("positions", split.positionBytes), ("skip data", split.skipBytes),
            ] {
                let partShare =
                    rawBytes > 0 ? " (\(ParseCommand.decimal(Double(partBytes) / Double(rawBytes), 3)) × raw)" : ""
                text += "    \(part.padding(9)) \(Self.size(partBytes))\(partShare)\n"
            }
        }
        if self.fields {
            text += Self.fieldTable(byField, rawBytes: rawBytes)
        }
        for (id, error) in snapshot.unreadable {
            text += "unreadable:   \(SegmentInfo.directoryName(id)): \(error)\n"
        }
        output.write(text)
        return snapshot.unreadable.isEmpty ? 0 : 1
    }

    /// Per field: distinct terms summed over segments, dictionary and postings bytes.
    struct FieldBytes {
        var terms = 0
        var dictionary = 0
        var columns = 0
        /// Term-doc pairs: each term's doc count, added up.
        var postingsCount = 0
        var postings = PostingsBreakdown()
        var total: Int { self.dictionary + Int(self.postings.total) + self.columns }
    }

    static func fieldTable(_ byField: [String: FieldBytes], rawBytes: UInt64) -> String {
        func share(_ bytes: Int) -> String {
            rawBytes > 0 ? ParseCommand.decimal(Double(bytes) / Double(rawBytes), 4) : "-"
        }
        let header = ["field", "terms", "postings", "dictionary", "doc ids", "positions", "skip", "columns", "× raw"]
        var rows = [header]
        let sorted = byField.sorted {
            $0.value.total > $1.value.total
        }
        for (name, bytes) in sorted {
            let postings = bytes.postings
            // A hashed field's dictionary name starts with a control byte (`IndexingRules`).
            let shown = IndexingRules.isHashedFieldName(name) ? "\(name.dropFirst()) (hashed)" : name
            rows.append([
                shown, "\(bytes.terms)", "\(bytes.postingsCount)", Self.size(UInt64(bytes.dictionary)),
                Self.size(postings.docBytes),
                Self.size(postings.positionBytes), Self.size(postings.skipBytes), Self.size(UInt64(bytes.columns)),
                share(bytes.total),
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = "fields (terms summed over segments; × raw counts dictionary, postings and columns):\n"
        for row in rows {
            let cells = row.indices.map { column in
                let pad = String(repeating: " ", count: widths[column] - row[column].count)
                return column == 0 ? row[column] + pad : pad + row[column]
            }
            text += "  " + cells.joined(separator: "  ") + "\n"
        }
        return text
    }

    static func size(_ bytes: UInt64) -> String {
        if bytes >= 1_000_000_000 { return ParseCommand.decimal(Double(bytes) / 1e9, 2) + " GB" }
        if bytes >= 1_000_000 { return ParseCommand.decimal(Double(bytes) / 1e6, 2) + " MB" }
        if bytes >= 1000 { return ParseCommand.decimal(Double(bytes) / 1e3, 1) + " kB" }
        return "\(bytes) B"
    }

    static func directoryBytes(_ path: String) -> UInt64 {
        let fileSystem = FileSystem()
        guard let names = try? fileSystem.listDirectory(path) else { return 0 }
        return names.reduce(0) { $0 + UInt64(max(0, (try? fileSystem.fileSize("\(path)/\($1)")) ?? 0)) }
    }
}

struct IndexVerify: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every checksum and structure; move damaged segments aside.",
        discussion: "Exit status 0 when the store is clean, 1 when problems were found, 2 on an error."
    )

    @OptionGroup var store: DataDirectoryOptions

    @Flag(name: .long, help: "Report problems without moving damaged segments to quarantine/.")
    var reportOnly = false

    func execute(output: Output, errors: Output) -> Int32 {
        let directory = self.store.resolved
        let report: StoreVerifier.Report
        do {
            report = try StoreVerifier.verify(directory: directory)
        } catch {
            errors.write("logbox index verify: \(directory): \(error)\n")
            return 2
        }
        output.write(
            "checked \(report.segmentsChecked) segments, \(report.eventsChecked) events, \(report.postingsChecked) postings lists, \(report.walRecords) WAL records\n"
        )
        guard !report.isClean else {
            output.write("clean\n")
            return 0
        }
        for problem in report.problems { output.write("problem: \(problem)\n") }
        let damaged = Set(report.problems.compactMap(\.segment))
        if !damaged.isEmpty && !self.reportOnly {
            do {
                let writer = try IndexCommand.writer(directory)
                for id in damaged.sorted() {
                    try writer.quarantine(segment: id)
                    output.write(
                        "moved \(SegmentInfo.directoryName(id)) to \(directory)/quarantine/; the other segments stay queryable\n"
                    )
                }
                try writer.close()
            } catch {
                errors.write("logbox index verify: cannot move damaged segments aside: \(error)\n")
            }
        }
        return 1
    }
}

struct IndexCompact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Merge segments as far as they merge, their events recompressed (zstd 12)."
    )

    @OptionGroup var store: DataDirectoryOptions

    func run() throws {
        let directory = self.store.resolved
        do {
            let writer = try IndexCommand.writer(directory)
            let before = writer.manifest.segments
            try writer.compact()
            let after = writer.manifest.segments
            try writer.close()
            let size = { (segments: [SegmentInfo]) in IndexStats.size(segments.reduce(0) { $0 + $1.bytes }) }
            print("compacted \(before.count) segments (\(size(before))) into \(after.count) (\(size(after)))")
        } catch {
            StandardError.line("logbox index compact: \(directory): \(error)")
            throw ExitCode(2)
        }
    }
}

struct IndexPrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Drop whole segments, oldest first, by age and by total size."
    )

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: "Drop segments whose newest event is older than this (30d, 12h, 90m).")
    var maxAge: String?

    @Option(name: .long, help: "Then drop the oldest until the segments take at most this much (500M, 10G).")
    var maxBytes: String?

    func validate() throws {
        guard self.maxAge != nil || self.maxBytes != nil else { throw ValidationError("give --max-age or --max-bytes") }
        if let maxAge, Self.duration(maxAge) == nil {
            throw ValidationError("--max-age '\(maxAge)': expected a number and s, m, h or d")
        }
        if let maxBytes, Self.bytes(maxBytes) == nil {
            throw ValidationError("--max-bytes '\(maxBytes)': expected a number and K, M or G")
        }
    }

    func run() throws {
        let directory = self.store.resolved
        do {
            let writer = try IndexCommand.writer(directory)
            let dropped = try writer.prune(
                maxAge: self.maxAge.flatMap(Self.duration),
                maxBytes: self.maxBytes.flatMap(Self.bytes)
            )
            try writer.close()
            let events = dropped.reduce(0) { $0 + $1.docCount }
            print("dropped \(dropped.count) segments (\(events) events); \(writer.manifest.segments.count) remain")
        } catch {
            StandardError.line("logbox index prune: \(directory): \(error)")
            throw ExitCode(2)
        }
    }

    static func duration(_ text: String) -> Duration? {
        guard let unit = text.last, let value = Int64(text.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "s": return .seconds(value)
        case "m": return .seconds(value * 60)
        case "h": return .seconds(value * 3600)
        case "d": return .seconds(value * 86400)
        default: return nil
        }
    }

    static func bytes(_ text: String) -> UInt64? {
        guard let unit = text.last else { return nil }
        if let value = UInt64(text) { return value }
        guard let value = UInt64(text.dropLast()) else { return nil }
        switch unit.uppercased() {
        case "K": return value * 1_000
        case "M": return value * 1_000_000
        case "G": return value * 1_000_000_000
        default: return nil
        }
    }
}

/// Writes a line to standard error without an `Output` (for commands whose only output is one line).
enum StandardError {
    static func line(_ text: String) {
        let errors = Output(descriptor: 2)
        errors.write(text + "\n")
        errors.flush()
    }
}

extension String {
    func padding(_ width: Int) -> String {
        self.count >= width ? self : self + String(repeating: " ", count: width - self.count)
    }
}
