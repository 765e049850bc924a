/// One row of the report: what runs (line splitting, framing or a parser) over which corpus file.
public struct BenchmarkCase: Sendable {
    public enum Kind: Sendable {
        /// `memchr` over the bytes: the ceiling.
        case lineSplit
        /// `LineFramer` copying the lines into a `LineBatch`.
        case framing
        case parser(ParserEntry)
    }

    public var kind: Kind
    public var fileName: String

    public init(kind: Kind, fileName: String) {
        self.kind = kind
        self.fileName = fileName
    }

    /// `memchr`, `LineFramer` or the parser's name.
    public var label: String {
        switch self.kind {
        case .lineSplit: "memchr"
        case .framing: "LineFramer"
        case .parser(let entry): entry.name
        }
    }

    /// The benchmark's name, which the report also uses to find its allocation count.
    public var benchmarkName: String { "\(self.label) \(self.fileName)" }

    public var isBaseline: Bool {
        if case .lineSplit = self.kind { return true }
        return false
    }

    public func makeWorkload(file: CorpusFile) -> any Workload {
        switch self.kind {
        case .lineSplit: LineSplitWorkload(file: file)
        case .framing: FramingWorkload(file: file)
        case .parser(let entry): ParsingWorkload(file: file, parser: entry.make())
        }
    }

    /// Every row, grouped by file: the `memchr` ceiling, framing, then each parser that reads the file.
    public static var all: [BenchmarkCase] {
        Corpus.fileNames.flatMap { fileName in
            [BenchmarkCase(kind: .lineSplit, fileName: fileName), BenchmarkCase(kind: .framing, fileName: fileName)]
                + ParserCatalog.entries.filter { $0.fileNames.contains(fileName) }.map {
                    BenchmarkCase(kind: .parser($0), fileName: fileName)
                }
        }
    }
}
