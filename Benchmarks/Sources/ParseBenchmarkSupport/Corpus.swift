import Foundation

/// The generated 1M-line corpus that the parse benchmarks read, found through `LOGBOX_BENCH_CORPUS`.
///
/// The corpus is generated, never committed (`run-parse.sh` makes it with
/// `python3 ../../shared/corpus/gen_logs.py --out .corpus --lines 1000000 --seed 1`), so a run
/// without it stops with a message that says how to make it.
public enum Corpus {
    /// The environment variable naming the corpus directory.
    public static let environmentVariable = "LOGBOX_BENCH_CORPUS"

    /// Lines per `LineBatch`: what one benchmark iteration parses.
    public static let linesPerBatch = 10_000

    /// The five files `gen_logs.py` writes, in report order.
    public static let fileNames = ["auth.log", "syslog5424.log", "nginx_access.log", "app.jsonl", "app.logfmt"]

    /// The corpus directory from the environment.
    public static func directory() throws(CorpusError) -> String {
        guard let path = ProcessInfo.processInfo.environment[Self.environmentVariable], !path.isEmpty else {
            throw CorpusError(
                "\(Self.environmentVariable) is not set. Run Benchmarks/run-parse.sh, or generate the corpus with "
                    + "`python3 ../../shared/corpus/gen_logs.py --out .corpus --lines 1000000 --seed 1` (from "
                    + "Benchmarks/) and export \(Self.environmentVariable)=$PWD/.corpus."
            )
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CorpusError(
                "\(Self.environmentVariable)=\(path) is not a directory. Run Benchmarks/run-parse.sh to generate it."
            )
        }
        return path
    }

    /// The corpus directory; without one, prints how to make it and exits with status 1.
    public static func directoryOrExit(program: String) -> String {
        do {
            return try Self.directory()
        } catch {
            FileHandle.standardError.write(Data("\(program): \(error)\n".utf8))
            exit(1)
        }
    }

    /// Reads one corpus file into memory and frames it into batches of `linesPerBatch` lines.
    public static func load(_ name: String, linesPerBatch: Int = Self.linesPerBatch) throws(CorpusError) -> CorpusFile {
        let path = try Self.directory() + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CorpusError(
                "cannot read \(path). Regenerate the corpus: rm -rf the directory and run Benchmarks/run-parse.sh."
            )
        }
        return CorpusFile(name: name, bytes: [UInt8](data), linesPerBatch: linesPerBatch)
    }
}

/// The corpus is missing or unreadable; the message says how to make it.
public struct CorpusError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
