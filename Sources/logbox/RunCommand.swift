import ArgumentParser
import LogboxPipeline
import Synchronization

/// `logbox run`: the collector daemon.
struct RunCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the collector daemon: tail files, receive syslog, parse, enrich and store.",
        discussion: """
            Reads the pipeline (checked as 'logbox check' does; an error exits 2 naming FILE:LINE), \
            takes the store's writer lock, and runs until SIGTERM or SIGINT, then stops the inputs, \
            stores everything received, syncs and exits 0. SIGHUP reads the config again: a config \
            with errors is logged and the running one kept; otherwise changed sources restart where \
            they stopped and the rest keep running. 'logbox status' shows the counters. The daemon's \
            own log goes to standard error (log_level, or LOGBOX_LOG_LEVEL).
            """
    )

    @Option(name: .long, help: "The pipeline config.")
    var config: String = "Pipelines/default.yaml"

    @Option(name: .long, help: "The store's directory (default: $LOGBOX_DATA_DIR, else the pipeline's data_dir).")
    var dataDir: String?

    func execute(output: Output, errors: Output) -> Int32 {
        let pipeline: PipelineConfig
        do throws(PipelineConfigError) {
            pipeline = try PipelineConfigLoader.load(path: self.config)
            var problems: [ConfigIssue] = []
            do { _ = try EnrichChain(config: pipeline, referenceTime: 0) } catch { problems += error.issues }
            do { _ = try Router(config: pipeline) } catch { problems += error.issues }
            if !problems.isEmpty { throw PipelineConfigError(issues: problems) }
        } catch {
            for issue in error.issues { errors.write("\(issue)\n") }
            let count = error.issues.count
            errors.write("\(self.config): \(count) \(count == 1 ? "error" : "errors")\n")
            return 2
        }
        // --data-dir, then LOGBOX_DATA_DIR (the loader applied it to data_dir), then data_dir.
        let directory = self.dataDir ?? pipeline.dataDirectory
        let messages = Mutex<[String]>([])
        errors.flush()
        let status = Daemon.runBlocking(config: pipeline, configPath: self.config, dataDirectory: directory) {
            message in messages.withLock { $0.append(message) }
        }
        for message in messages.withLock({ $0 }) { errors.write("logbox run: \(message)\n") }
        return status
    }
}
