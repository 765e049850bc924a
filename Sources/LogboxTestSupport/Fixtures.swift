public import LogboxCore

/// Builders for the inputs tests feed to parsers.
public enum Fixtures {
    /// A `LineBatch` holding `lines`, numbered from 1, as a source would frame them.
    public static func lineBatch(_ lines: [String], source: String = "test") -> LineBatch {
        var batch = LineBatch(source: source)
        var offset: Int64 = 0
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            batch.append(bytes, lineNumber: Int64(index + 1), sourceOffset: offset)
            offset += Int64(bytes.count + 1)
        }
        return batch
    }

    /// An `EventBatch` of `lines`, each event's `message` the whole line (as the plain-text parser
    /// would have it), for store tests that need events and no parser.
    public static func messageBatch(_ lines: [String], source: String = "test") -> EventBatch {
        var batch = EventBatch(lines: Self.lineBatch(lines, source: source))
        for index in 0..<batch.lines.count {
            batch.beginEvent(line: index)
            batch.append(FieldID.message, .text, 0..<Int(batch.lines.slots[index].length))
            batch.finishEvent()
        }
        return batch
    }

    /// The path of the package root (for `Samples/`), from the path of a test source file.
    public static func packageRoot(from filePath: String = #filePath) -> String {
        var parts = filePath.split(separator: "/", omittingEmptySubsequences: false)
        while let last = parts.last, last != "Tests" && last != "Sources" { parts.removeLast() }
        parts.removeLast()
        return parts.joined(separator: "/")
    }
}
