import ArgumentParser
import Glibc

/// The `--data-dir` option every store command takes, resolved as DESIGN.md orders it:
/// `--data-dir`, then `LOGBOX_DATA_DIR`, then `./data` (a pipeline's `data_dir` comes with `logbox run`).
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .long, help: "The store's directory (default: $LOGBOX_DATA_DIR, else ./data).")
    var dataDir: String?

    var resolved: String {
        if let dataDir { return dataDir }
        if let environment = getenv("LOGBOX_DATA_DIR"), environment.pointee != 0 { return String(cString: environment) }
        return "data"
    }
}
