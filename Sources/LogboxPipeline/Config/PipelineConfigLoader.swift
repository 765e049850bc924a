import Yams

/// Reads a pipeline config from YAML and checks all of it: types, ranges, durations, sizes, globs,
/// regexes, parser names, filters, CIDRs, source names, then the environment overrides.
///
/// Problems are collected, not thrown one by one: `PipelineConfigError` lists every one with its
/// file, line and key path, so a user fixes a file in one round.
///
/// Environment overrides (applied after the file; a bad value is an error naming the variable):
/// - `LOGBOX_DATA_DIR`: `data_dir`
/// - `LOGBOX_LOG_LEVEL`: `log_level`
/// - `LOGBOX_RETENTION_MAX_AGE`: `store.retention.max_age` (`none` disables)
/// - `LOGBOX_RETENTION_MAX_BYTES`: `store.retention.max_bytes` (`none` disables)
public enum PipelineConfigLoader {
    /// The overrides read from the environment, in the order they are applied.
    public static let environmentVariables = [
        "LOGBOX_DATA_DIR", "LOGBOX_LOG_LEVEL", "LOGBOX_RETENTION_MAX_AGE", "LOGBOX_RETENTION_MAX_BYTES",
    ]

    static let topLevelKeys = ["data_dir", "log_level", "sources", "enrich", "sinks", "store", "metrics", "alerts"]

    /// Reads and checks the file at `path` (relative to the working directory).
    /// - Parameter workingDirectory: what relative paths in the config are relative to; nil for the
    ///   process's working directory (DESIGN.md). Paths the config reads are made absolute with it.
    public static func load(
        path: String,
        environment: [String: String] = EnvironmentExpansion.processEnvironment,
        workingDirectory: String? = nil
    ) throws(PipelineConfigError) -> PipelineConfig {
        switch ConfigFile.contents(of: path) {
        case .success(let text):
            return try Self.parse(yaml: text, file: path, environment: environment, workingDirectory: workingDirectory)
        case .failure(let error):
            throw PipelineConfigError(issues: [
                ConfigIssue(file: path, line: 0, path: "", message: "cannot read the config: \(error.message)")
            ])
        }
    }

    /// Reads and checks `yaml`; `file` names it in messages.
    public static func parse(
        yaml: String,
        file: String,
        environment: [String: String] = EnvironmentExpansion.processEnvironment,
        workingDirectory: String? = nil
    ) throws(PipelineConfigError) -> PipelineConfig {
        let reader = ConfigReader(file: file, environment: environment, workingDirectory: workingDirectory)
        var config = PipelineConfig()
        config.file = file
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw PipelineConfigError(issues: [Self.syntaxIssue(error, file: file)])
        } catch {
            throw PipelineConfigError(issues: [ConfigIssue(file: file, line: 0, path: "", message: "\(error)")])
        }
        if let root {
            Self.readTopLevel(root, reader: reader, into: &config)
        }
        Self.applyEnvironment(environment, reader: reader, to: &config)
        guard reader.issues.isEmpty else {
            // File order; problems of the environment (line 0) after the file's.
            let sorted = reader.issues.enumerated().sorted {
                let left = ($0.element.line == 0 ? Int.max : $0.element.line, $0.element.column, $0.offset)
                let right = ($1.element.line == 0 ? Int.max : $1.element.line, $1.element.column, $1.offset)
                return left < right
            }
            throw PipelineConfigError(issues: sorted.map(\.element))
        }
        return config
    }

    /// A YAML syntax error as an issue at Yams' line (the message without Yams' snippet).
    static func syntaxIssue(_ error: YamlError, file: String) -> ConfigIssue {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "YAML syntax: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return ConfigIssue(file: file, line: mark.line, column: mark.column, path: "", message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ConfigIssue(
                file: file,
                line: context.mark.line,
                column: context.mark.column,
                path: "",
                message: "duplicate key \(keys) in one mapping"
            )
        case .reader(let problem, _, _, _):
            return ConfigIssue(file: file, line: 0, path: "", message: "YAML: \(problem)")
        default:
            return ConfigIssue(file: file, line: 0, path: "", message: "YAML: \(error)")
        }
    }

    // MARK: Top level

    static func readTopLevel(_ root: Node, reader: ConfigReader, into config: inout PipelineConfig) {
        guard let entries = reader.mapping(root, "", known: Self.topLevelKeys) else { return }
        var sinkNode: Node?
        var enrichNode: Node?
        for entry in entries {
            switch entry.key {
            case "data_dir":
                if let value = reader.nonEmptyString(entry.value, "data_dir") { config.dataDirectory = value }
            case "log_level":
                let levels = PipelineConfig.LogLevel.allCases.map(\.rawValue)
                if let value = reader.choice(entry.value, "log_level", levels, what: "log level") {
                    config.logLevel = PipelineConfig.LogLevel(rawValue: value)!
                }
            case "sources":
                config.sources = Self.readSources(entry.value, reader: reader)
            case "enrich":
                enrichNode = entry.value
            case "sinks":
                sinkNode = entry.value
            case "store":
                Self.readStore(entry.value, reader: reader, into: &config.store)
            case "metrics", "alerts":
                // Reserved: their features read these sections; here they only have to be YAML.
                config.reservedSections.append(entry.key)
            default:
                break
            }
        }
        // Steps and sinks name sources, so they are read once the sources are known.
        let sourceNames = config.sources.map(\.name)
        if let enrichNode { config.enrich = Self.readEnrich(enrichNode, sources: sourceNames, reader: reader) }
        if let sinkNode { config.sinks = Self.readSinks(sinkNode, sources: sourceNames, reader: reader) }
    }

    // MARK: Store

    static func readStore(_ node: Node, reader: ConfigReader, into store: inout StoreConfig) {
        let keys = ["flush_interval", "sync_interval", "merge_factor", "retention"]
        guard let entries = reader.mapping(node, "store", known: keys) else { return }
        for entry in entries {
            let path = "store.\(entry.key)"
            switch entry.key {
            case "flush_interval":
                if let value = reader.duration(entry.value, path, minimum: .milliseconds(10)) {
                    store.flushInterval = value
                }
            case "sync_interval":
                if let value = reader.duration(entry.value, path, minimum: .milliseconds(1)) {
                    store.syncInterval = value
                }
            case "merge_factor":
                if let value = reader.int(entry.value, path, in: 2...64) { store.mergeFactor = value }
            case "retention":
                guard let retention = reader.mapping(entry.value, path, known: ["max_age", "max_bytes"]) else {
                    continue
                }
                for item in retention {
                    let itemPath = "\(path).\(item.key)"
                    let disabled = Self.isNone(item.value)
                    if item.key == "max_age" {
                        if disabled {
                            store.retentionMaxAge = nil
                        } else if let value = reader.duration(item.value, itemPath, minimum: .seconds(60)) {
                            store.retentionMaxAge = value
                        }
                    } else {
                        if disabled {
                            store.retentionMaxBytes = nil
                        } else if let value = reader.size(item.value, itemPath, in: (1 << 20)...Int64.max) {
                            store.retentionMaxBytes = value
                        }
                    }
                }
            default:
                break
            }
        }
    }

    static func isNone(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return ConfigReader.isNull(node) || scalar.string == "none"
    }

    // MARK: Sinks

    static func readSinks(_ node: Node, sources: [String], reader: ConfigReader) -> [SinkConfig] {
        guard let items = reader.sequence(node, "sinks") else { return [] }
        var sinks: [SinkConfig] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let path = "sinks[\(index)]"
            guard let entries = reader.mapping(item, path, known: ["name", "type", "path", "when", "sources"]) else {
                continue
            }
            guard let typeEntry = entries.first(where: { $0.key == "type" }) else {
                reader.issue(item, path, "missing 'type' (one of: \(SinkConfig.typeNames.joined(separator: ", ")))")
                continue
            }
            guard let type = reader.choice(typeEntry.value, "\(path).type", SinkConfig.typeNames, what: "sink type")
            else { continue }
            var name: String?
            var filePath: String?
            var when: FilterText?
            var sinkSources: [String] = []
            for entry in entries {
                let key = "\(path).\(entry.key)"
                switch entry.key {
                case "name": name = reader.nonEmptyString(entry.value, key)
                case "path":
                    if type != "file" {
                        reader.issue(entry.keyNode, key, "only a 'file' sink takes a path")
                    } else {
                        filePath = reader.nonEmptyString(entry.value, key)
                    }
                case "when": when = Self.readFilter(entry.value, key, reader: reader)
                case "sources": sinkSources = Self.readSourceNames(entry.value, key, known: sources, reader: reader)
                default: break
                }
            }
            let kind: SinkConfig.Kind
            switch type {
            case "store": kind = .store
            case "stdout": kind = .stdout
            default:
                guard let filePath else {
                    if !entries.contains(where: { $0.key == "path" }) {
                        reader.issue(item, path, "a 'file' sink needs a path")
                    }
                    continue
                }
                kind = .file(path: filePath)
            }
            let sinkName = name ?? filePath ?? type
            if let first = seen[sinkName] {
                reader.issue(
                    item,
                    "\(path).name",
                    "duplicate sink name '\(sinkName)' (also sinks[\(first)]); give each a name"
                )
                continue
            }
            seen[sinkName] = index
            sinks.append(SinkConfig(name: sinkName, kind: kind, when: when, sources: sinkSources))
        }
        return sinks
    }

    // MARK: Shared pieces

    /// A query filter, checked for syntax now (its fields are only known at run time).
    static func readFilter(_ node: Node, _ path: String, reader: ConfigReader) -> FilterText? {
        guard let text = reader.nonEmptyString(node, path) else { return nil }
        if let problem = FilterCheck.problem(text) {
            reader.issue(node, path, "bad filter: \(problem)")
            return nil
        }
        return FilterText(text: text, line: node.mark?.line ?? 0, path: path)
    }

    /// A list of source names, each one the pipeline defines.
    static func readSourceNames(_ node: Node, _ path: String, known: [String], reader: ConfigReader) -> [String] {
        guard let items = reader.sequence(node, path, allowSingle: true) else { return [] }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let name = reader.nonEmptyString(item, itemPath) else { continue }
            guard known.contains(name) else {
                var message = "no source is named '\(name)'"
                if let suggestion = ConfigReader.suggestion(for: name, among: known) {
                    message += "; did you mean '\(suggestion)'?"
                } else if !known.isEmpty {
                    message += "; sources: \(known.joined(separator: ", "))"
                }
                reader.issue(item, itemPath, message)
                continue
            }
            names.append(name)
        }
        return names
    }

    // MARK: Environment

    static func applyEnvironment(_ environment: [String: String], reader: ConfigReader, to config: inout PipelineConfig)
    {
        func problem(_ variable: String, _ message: String) {
            reader.add(ConfigIssue(file: "environment", line: 0, path: variable, message: message))
        }
        if let value = environment["LOGBOX_DATA_DIR"], !value.isEmpty {
            config.dataDirectory = value
            config.environmentOverrides.append("LOGBOX_DATA_DIR")
        }
        if let value = environment["LOGBOX_LOG_LEVEL"], !value.isEmpty {
            if let level = PipelineConfig.LogLevel(rawValue: value.lowercased()) {
                config.logLevel = level
                config.environmentOverrides.append("LOGBOX_LOG_LEVEL")
            } else {
                let levels = PipelineConfig.LogLevel.allCases.map(\.rawValue).joined(separator: ", ")
                problem("LOGBOX_LOG_LEVEL", "unknown log level '\(value)'; expected one of: \(levels)")
            }
        }
        if let value = environment["LOGBOX_RETENTION_MAX_AGE"], !value.isEmpty {
            if value == "none" {
                config.store.retentionMaxAge = nil
            } else {
                switch ConfigValues.duration(value) {
                case .success(let duration): config.store.retentionMaxAge = duration
                case .failure(let error): problem("LOGBOX_RETENTION_MAX_AGE", error.message)
                }
            }
            config.environmentOverrides.append("LOGBOX_RETENTION_MAX_AGE")
        }
        if let value = environment["LOGBOX_RETENTION_MAX_BYTES"], !value.isEmpty {
            if value == "none" {
                config.store.retentionMaxBytes = nil
            } else {
                switch ConfigValues.size(value) {
                case .success(let bytes): config.store.retentionMaxBytes = bytes
                case .failure(let error): problem("LOGBOX_RETENTION_MAX_BYTES", error.message)
                }
            }
            config.environmentOverrides.append("LOGBOX_RETENTION_MAX_BYTES")
        }
    }
}
