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

    /// The path of the package root (for `Samples/`), from the path of a test source file.
    public static func packageRoot(from filePath: String = #filePath) -> String {
        var parts = filePath.split(separator: "/", omittingEmptySubsequences: false)
        while let last = parts.last, last != "Tests" && last != "Sources" { parts.removeLast() }
        parts.removeLast()
        return parts.joined(separator: "/")
    }
}
