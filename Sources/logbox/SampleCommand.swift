import ArgumentParser
import Glibc
import LogboxParse

/// `logbox sample`: writes Logbox's deterministic sample logs (the repository's `Samples/`).
struct SampleCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write sample logs in five formats, with an SSH brute force, an HTTP flood and a 5xx burst in them.",
        discussion:
            "The same seed always gives the same bytes. The repository's Samples/ is 'logbox sample --out Samples --seed 1'."
    )

    @Option(name: .long, help: "Directory to write into (created when missing).")
    var out: String = "Samples"

    @Option(name: .long, help: "Seed of every random choice.")
    var seed: UInt64 = 1

    @Option(
        name: .long,
        help:
            "Fraction of lines (0...1) replaced by malformed ones: truncated, invalid UTF-8, NUL bytes, binary garbage."
    )
    var malformedRate: Double = 0

    @Flag(name: .long, help: "Print what the files contain (incidents and exact counts) to standard output.")
    var truth = false

    func validate() throws {
        guard (0...1).contains(self.malformedRate) else {
            throw ValidationError("--malformed-rate must be between 0 and 1")
        }
    }

    func execute(output: Output, errors: Output) -> Int32 {
        if mkdir(self.out, 0o755) != 0 && errno != EEXIST {
            errors.write("logbox sample: cannot create \(self.out): \(String(cString: strerror(errno)))\n")
            return 2
        }
        let generated = SampleLogGenerator(options: .init(seed: self.seed, malformedRate: self.malformedRate))
            .generateWithTruth()
        for file in generated.files {
            let path = "\(self.out)/\(file.name)"
            if let failure = Self.write(file.bytes, to: path) {
                errors.write("logbox sample: cannot write \(path): \(failure)\n")
                return 2
            }
            let newlines = file.bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            let lines = newlines + (file.bytes.last.map { $0 != 0x0A } ?? false ? 1 : 0)
            errors.write("wrote \(path): \(lines) lines, \(file.bytes.count) bytes\n")
        }
        if self.truth { output.write("\(generated.truth)\n") }
        return 0
    }

    /// Writes to a temporary name, then renames: a reader never sees half a file.
    private static func write(_ bytes: [UInt8], to path: String) -> String? {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        let failure = bytes.withUnsafeBytes { raw -> String? in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                offset += written
            }
            return nil
        }
        if let failure { return failure }
        guard rename(temporary, path) == 0 else { return String(cString: strerror(errno)) }
        return nil
    }
}
