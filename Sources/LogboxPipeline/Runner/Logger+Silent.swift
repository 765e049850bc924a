import Logging

extension Logger {
    /// A logger that drops everything: for the runner's parts when the caller gives none (tests),
    /// and for the daemon at `log_level: off`.
    static let silent = Logger(label: "logbox", factory: { _ in SwiftLogNoOpLogHandler() })
}
