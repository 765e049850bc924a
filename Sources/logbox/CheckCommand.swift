import ArgumentParser
import LogboxPipeline

/// `logbox check [CONFIG]`: validates a pipeline without running it.
struct CheckCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a pipeline config and summarize it.",
        discussion: """
            Reads the config as `logbox run` would (environment overrides included), compiles every \
            pattern, regex and filter and reads lookup tables. Prints a summary and exits 0 when the \
            config is valid; lists every problem as FILE:LINE: KEY: MESSAGE and exits 2 otherwise.
            """
    )

    @Argument(help: "The pipeline config.")
    var config: String = "Pipelines/default.yaml"

    func execute(output: Output, errors: Output) -> Int32 {
        let pipeline: PipelineConfig
        do throws(PipelineConfigError) {
            pipeline = try PipelineConfigLoader.load(path: self.config)
            // Compile what only runs later: filters, parsers of parse steps, redaction rules, tables.
            var problems: [ConfigIssue] = []
            do {
                _ = try EnrichChain(config: pipeline, referenceTime: 0)
            } catch {
                problems += error.issues
            }
            do {
                _ = try Router(config: pipeline)
            } catch {
                problems += error.issues
            }
            if !problems.isEmpty { throw PipelineConfigError(issues: problems) }
        } catch {
            for issue in error.issues { errors.write("\(issue)\n") }
            let count = error.issues.count
            errors.write("\(self.config): \(count) \(count == 1 ? "error" : "errors")\n")
            return 2
        }
        output.write(Self.summary(pipeline))
        return 0
    }

    /// A few lines that say what the pipeline will do.
    static func summary(_ config: PipelineConfig) -> String {
        var text = "\(config.file): valid\n"
        text += "data directory: \(config.dataDirectory)\n"
        text += "sources (\(config.sources.count)):\n"
        let width = config.sources.map(\.name.count).max() ?? 0
        for source in config.sources {
            var parser = source.parser.name
            if source.parser.timezone != "UTC" { parser += " (\(source.parser.timezone))" }
            let detail: String
            switch source.kind {
            case .file(let file):
                var words = file.paths.map(\.text).joined(separator: ", ")
                words += file.startAt == .beginning ? " from the beginning" : " from the end"
                if file.multiline != nil { words += ", multiline" }
                if file.readGzip { words += ", .gz" }
                detail = words
            case .syslogUDP(let udp):
                detail = "udp \(udp.listen)" + (udp.allow.isEmpty ? "" : ", \(udp.allow.count) allowed networks")
            case .syslogTCP(let tcp):
                detail =
                    "tcp \(tcp.listen), framing \(tcp.framing.rawValue)"
                    + (tcp.allow.isEmpty ? "" : ", \(tcp.allow.count) allowed networks")
            case .stdin:
                detail = "standard input"
            }
            let padding = String(repeating: " ", count: width - source.name.count)
            text += "  \(source.name)\(padding)  \(source.kind.typeName): \(detail); parser \(parser)\n"
        }
        text += "enrich steps (\(config.enrich.count)):\n"
        for step in config.enrich {
            var line = "  \(step.name)"
            if !step.name.hasSuffix("(\(step.kind.typeName))") { line += " (\(step.kind.typeName))" }
            if !step.sources.isEmpty { line += " sources: \(step.sources.joined(separator: ", "))" }
            if let when = step.when { line += " when: \(when.text)" }
            text += line + "\n"
        }
        text += "sinks (\(config.sinks.count)):\n"
        for sink in config.sinks {
            var line = "  \(sink.name): "
            switch sink.kind {
            case .store: line += "store"
            case .stdout: line += "stdout"
            case .file(let path): line += "file \(path)"
            }
            if !sink.sources.isEmpty { line += " sources: \(sink.sources.joined(separator: ", "))" }
            if let when = sink.when { line += " when: \(when.text)" }
            text += line + "\n"
        }
        let store = config.store
        var retention = store.retentionMaxAge.map { "max age \(Self.duration($0))" } ?? "no age limit"
        retention += store.retentionMaxBytes.map { ", max \($0) bytes" } ?? ""
        text +=
            "store: flush every \(Self.duration(store.flushInterval)), merge factor \(store.mergeFactor), \(retention)\n"
        if !config.reservedSections.isEmpty {
            text += "reserved sections (not used yet): \(config.reservedSections.joined(separator: ", "))\n"
        }
        if !config.environmentOverrides.isEmpty {
            text += "overridden by the environment: \(config.environmentOverrides.joined(separator: ", "))\n"
        }
        return text
    }

    /// `30d`, `1s`, `500ms`: the largest unit that divides the duration.
    static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds != 0 || seconds == 0 { return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms" }
        for (unit, size) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3_600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
