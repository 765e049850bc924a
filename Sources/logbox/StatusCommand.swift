import ArgumentParser
import LogboxPipeline

/// `logbox status`: a running daemon's counters, asked over its control socket.
struct StatusCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running daemon's per-source counters, lag, errors and store.",
        discussion: """
            Asks the daemon over DATA_DIR/control.sock. Exits 2 with a message when no daemon runs \
            on that data directory.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: "table or json (default: table at a terminal, json otherwise).")
    var format: Format?

    func execute(output: Output, errors: Output) -> Int32 {
        let directory = self.store.resolved
        let answer: (json: String, status: RunnerStatus)
        do {
            answer = try ControlClient.status(dataDirectory: directory)
        } catch {
            if case .notRunning = error {
                errors.write("logbox status: no daemon is running on \(directory) (start one with 'logbox run')\n")
            } else {
                errors.write("logbox status: \(error)\n")
            }
            return 2
        }
        switch self.format ?? (output.isTerminal ? .table : .json) {
        case .json: output.write(answer.json + "\n")
        case .table: output.write(Self.table(answer.status))
        }
        return 0
    }

    /// The report as a few readable lines and one row per source.
    static func table(_ status: RunnerStatus) -> String {
        var text = "daemon pid \(status.pid), up \(Self.uptime(status.uptimeSeconds)), config \(status.config), "
        text += "data \(status.dataDirectory)\n"
        let header = ["SOURCE", "TYPE", "RECEIVED", "PARSED", "FAILED", "DROPPED", "BYTES", "PENDING", "LAG", "ERROR"]
        var rows = [header]
        for source in status.sources {
            var lag = source.type == "file" ? Self.bytes(source.lagBytes) : "-"
            if let files = source.openFiles { lag += " (\(files) files)" }
            let type = source.state == "ended" ? "\(source.type) (ended)" : source.type
            rows.append([
                source.name, type, "\(source.received)", "\(source.parsed)", "\(source.failed)",
                "\(source.dropped)", Self.bytes(source.bytes), "\(source.pending)", lag, source.lastError ?? "",
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        for row in rows {
            var line = ""
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                // Names left-aligned, numbers right-aligned, the error last as it is.
                if index < 2 || index == row.count - 1 {
                    line += cell + (index == row.count - 1 ? "" : padding)
                } else {
                    line += padding + cell
                }
                if index < row.count - 1 { line += "  " }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            text += line + "\n"
        }
        let store = status.store
        text += "store: \(store.events) events in \(store.segments) segments, \(store.unflushed) not yet flushed"
        if let error = store.lastError { text += "; last error: \(error)" }
        text += "\n"
        var extras: [String] = []
        if status.enrichDropped > 0 { extras.append("\(status.enrichDropped) events dropped by enrich steps") }
        if status.sinkEvents > 0 || status.sinkErrors > 0 {
            extras.append("\(status.sinkEvents) events to file/stdout sinks, \(status.sinkErrors) write errors")
        }
        if status.reloads > 0 { extras.append("\(status.reloads) reloads") }
        if let error = status.lastReloadError { extras.append("last reload failed: \(error)") }
        if !extras.isEmpty { text += extras.joined(separator: "; ") + "\n" }
        return text
    }

    static func uptime(_ seconds: Double) -> String {
        let total = Int(seconds)
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m \(total % 60)s" }
        if total < 86_400 { return "\(total / 3600)h \(total % 3600 / 60)m" }
        return "\(total / 86_400)d \(total % 86_400 / 3600)h"
    }

    static func bytes(_ count: Int) -> String {
        if count < 1024 { return "\(count) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
