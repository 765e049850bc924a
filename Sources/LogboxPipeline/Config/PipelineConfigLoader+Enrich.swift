import LogboxParse
import Yams

extension PipelineConfigLoader {
    static let commonStepKeys = ["type", "name", "when", "sources"]
    static let stepKeys: [String: [String]] = [
        "add": ["fields"], "set": ["fields"], "rename": ["fields"], "drop_fields": ["fields"],
        "keep_fields": ["fields"], "level": ["from"], "parse": ["field", "parser", "pattern", "timezone", "prefix"],
        "lookup": ["file", "field", "key_column", "columns", "prefix"], "classify_ip": ["field", "networks"],
        "redact": ["rules", "patterns", "replacement"], "drop": [], "sample": ["rate"],
    ]

    /// Field names config may write: what the query language accepts (letters, digits, `_ . @ -`).
    static func fieldNameProblem(_ name: String) -> String? {
        guard !name.isEmpty else { return "a field name must not be empty" }
        guard name.utf8.count <= 256 else { return "field name '\(name)' is longer than 256 bytes" }
        let ok = name.utf8.allSatisfy {
            ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2E
                || $0 == 0x40 || $0 == 0x2D || $0 >= 0x80
        }
        return ok ? nil : "'\(name)' is not a field name (letters, digits and _ . @ -)"
    }

    static func fieldName(_ node: Node, _ path: String, reader: ConfigReader) -> String? {
        guard let name = reader.string(node, path) else { return nil }
        if let problem = Self.fieldNameProblem(name) {
            reader.issue(node, path, problem)
            return nil
        }
        return name
    }

    static func fieldNames(_ node: Node, _ path: String, reader: ConfigReader) -> [String] {
        guard let items = reader.sequence(node, path, allowSingle: true) else { return [] }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            if let name = Self.fieldName(item, "\(path)[\(index)]", reader: reader) { names.append(name) }
        }
        if names.isEmpty, items.isEmpty { reader.issue(node, path, "give at least one field") }
        return names
    }

    static func readEnrich(_ node: Node, sources: [String], reader: ConfigReader) -> [EnrichStepConfig] {
        guard let items = reader.sequence(node, "enrich") else { return [] }
        var steps: [EnrichStepConfig] = []
        for (index, item) in items.enumerated() {
            let path = "enrich[\(index)]"
            guard case .mapping(let mapping) = item else {
                reader.issue(item, path, "expected a mapping with a 'type', found \(ConfigReader.describe(item))")
                continue
            }
            guard let typeNode = mapping["type"] else {
                reader.issue(
                    item,
                    path,
                    "missing 'type' (one of: \(EnrichStepConfig.typeNames.joined(separator: ", ")))"
                )
                continue
            }
            guard let type = reader.choice(typeNode, "\(path).type", EnrichStepConfig.typeNames, what: "step type")
            else {
                continue
            }
            guard let entries = reader.mapping(item, path, known: Self.commonStepKeys + (Self.stepKeys[type] ?? []))
            else {
                continue
            }
            var values: [String: (keyNode: Node, value: Node)] = [:]
            for entry in entries { values[entry.key] = (entry.keyNode, entry.value) }
            var name = "\(path) (\(type))"
            var when: FilterText?
            var stepSources: [String] = []
            if let entry = values["name"], let text = reader.nonEmptyString(entry.value, "\(path).name") { name = text }
            if let entry = values["when"] { when = Self.readFilter(entry.value, "\(path).when", reader: reader) }
            if let entry = values["sources"] {
                stepSources = Self.readSourceNames(entry.value, "\(path).sources", known: sources, reader: reader)
            }
            let issuesBefore = reader.issues.count
            guard let kind = Self.readStepKind(type, values, item: item, path: path, reader: reader),
                reader.issues.count == issuesBefore
            else { continue }
            if case .drop = kind, values["when"] == nil {
                reader.issue(item, path, "a 'drop' step needs 'when' (a filter of the events to drop)")
                continue
            }
            steps.append(
                EnrichStepConfig(name: name, kind: kind, when: when, sources: stepSources, line: item.mark?.line ?? 0)
            )
        }
        return steps
    }

    private static func readStepKind(
        _ type: String,
        _ values: [String: (keyNode: Node, value: Node)],
        item: Node,
        path: String,
        reader: ConfigReader
    ) -> EnrichStepConfig.Kind? {
        func required(_ key: String) -> Node? {
            guard let entry = values[key] else {
                reader.issue(item, path, "a '\(type)' step needs '\(key)'")
                return nil
            }
            return entry.value
        }
        switch type {
        case "add", "set":
            guard let node = required("fields"),
                let entries = reader.mapping(node, "\(path).fields", known: Self.anyKey(node))
            else { return nil }
            var fields: [(name: String, value: String)] = []
            for entry in entries {
                let key = "\(path).fields.\(entry.key)"
                if let problem = Self.fieldNameProblem(entry.key) {
                    reader.issue(entry.keyNode, key, problem)
                    continue
                }
                guard let value = reader.string(entry.value, key) else { continue }
                fields.append((entry.key, value))
            }
            if entries.isEmpty { reader.issue(node, "\(path).fields", "give at least one field") }
            return .assign(fields: fields, overwrite: type == "set")
        case "rename":
            guard let node = required("fields"),
                let entries = reader.mapping(node, "\(path).fields", known: Self.anyKey(node))
            else { return nil }
            var pairs: [(from: String, to: String)] = []
            for entry in entries {
                let key = "\(path).fields.\(entry.key)"
                if let problem = Self.fieldNameProblem(entry.key) {
                    reader.issue(entry.keyNode, key, problem)
                    continue
                }
                guard let target = Self.fieldName(entry.value, key, reader: reader) else { continue }
                pairs.append((entry.key, target))
            }
            if entries.isEmpty { reader.issue(node, "\(path).fields", "give at least one 'old: new' pair") }
            return .rename(pairs)
        case "drop_fields", "keep_fields":
            guard let node = required("fields") else { return nil }
            let names = Self.fieldNames(node, "\(path).fields", reader: reader)
            return type == "drop_fields" ? .dropFields(names) : .keepFields(names)
        case "level":
            var from = LevelStepDefaults.sourceFields
            if let entry = values["from"] { from = Self.fieldNames(entry.value, "\(path).from", reader: reader) }
            return .level(from: from)
        case "parse":
            var config = ParseFieldConfig(parser: ParserConfig(name: "json"))
            var patternNode: Node?
            if let entry = values["field"], let field = Self.fieldName(entry.value, "\(path).field", reader: reader) {
                config.field = field
            }
            if let entry = values["parser"],
                let name = reader.choice(entry.value, "\(path).parser", ParserRegistry.names, what: "parser")
            {
                config.parser.name = name
            }
            if let entry = values["pattern"] {
                patternNode = entry.value
                config.parser.pattern = reader.nonEmptyString(entry.value, "\(path).pattern")
                if values["parser"] == nil { config.parser.name = "pattern" }
            }
            if let entry = values["timezone"], let zone = reader.nonEmptyString(entry.value, "\(path).timezone") {
                if let problem = PatternCheck.timeZoneProblem(zone) {
                    reader.issue(entry.value, "\(path).timezone", problem)
                } else {
                    config.parser.timezone = zone
                }
            }
            if let entry = values["prefix"], let prefix = reader.string(entry.value, "\(path).prefix") {
                config.prefix = prefix
            }
            if config.parser.name == "pattern" {
                if let pattern = config.parser.pattern {
                    if let problem = PatternCheck.parserProblem("pattern", pattern: pattern) {
                        reader.issue(patternNode, "\(path).pattern", problem)
                    }
                } else if patternNode == nil {
                    reader.issue(item, path, "parser 'pattern' needs a 'pattern' key")
                }
            } else if patternNode != nil {
                reader.issue(
                    values["pattern"]?.keyNode,
                    "\(path).pattern",
                    "a pattern is used only with 'parser: pattern'"
                )
            }
            return .parse(config)
        case "lookup":
            guard let fileNode = required("file"), let fieldNode = required("field"),
                let file = reader.nonEmptyString(fileNode, "\(path).file").map(reader.resolve),
                let field = Self.fieldName(fieldNode, "\(path).field", reader: reader)
            else { return nil }
            var config = LookupConfig(file: file, field: field)
            if let entry = values["key_column"] {
                config.keyColumn = reader.nonEmptyString(entry.value, "\(path).key_column")
            }
            if let entry = values["columns"] {
                config.columns = Self.fieldNames(entry.value, "\(path).columns", reader: reader)
            }
            if let entry = values["prefix"], let prefix = reader.string(entry.value, "\(path).prefix") {
                config.prefix = prefix
            }
            // The table is read now, so that a missing file or column is a config error.
            switch LookupTable.load(path: file, keyColumn: config.keyColumn, columns: config.columns) {
            case .success: break
            case .failure(let error): reader.issue(fileNode, "\(path).file", error.message)
            }
            return .lookup(config)
        case "classify_ip":
            guard let fieldNode = required("field") else { return nil }
            var config = ClassifyIPConfig(fields: Self.fieldNames(fieldNode, "\(path).field", reader: reader))
            if let entry = values["networks"],
                let entries = reader.mapping(entry.value, "\(path).networks", known: Self.anyKey(entry.value))
            {
                for network in entries {
                    let key = "\(path).networks.\(network.key)"
                    switch IPNetwork.parse(network.key) {
                    case .success(let parsed):
                        if let tag = reader.nonEmptyString(network.value, key) { config.networks.append((parsed, tag)) }
                    case .failure(let error):
                        reader.issue(network.keyNode, key, error.message)
                    }
                }
            }
            return .classifyIP(config)
        case "redact":
            var config = RedactConfig()
            if let entry = values["rules"], let items = reader.sequence(entry.value, "\(path).rules", allowSingle: true)
            {
                config.rules = []
                for (index, rule) in items.enumerated() {
                    if let name = reader.choice(
                        rule,
                        "\(path).rules[\(index)]",
                        RedactConfig.builtInRules,
                        what: "redaction rule"
                    ) {
                        config.rules.append(name)
                    }
                }
            }
            if let entry = values["patterns"],
                let entries = reader.mapping(entry.value, "\(path).patterns", known: Self.anyKey(entry.value))
            {
                for pattern in entries {
                    if let regex = reader.regex(pattern.value, "\(path).patterns.\(pattern.key)") {
                        config.patterns.append((pattern.key, regex))
                    }
                }
            }
            if let entry = values["replacement"], let text = reader.string(entry.value, "\(path).replacement") {
                config.replacement = text
            }
            return .redact(config)
        case "drop":
            return .drop
        case "sample":
            guard let node = required("rate"), let rate = reader.int(node, "\(path).rate", in: 1...1_000_000_000) else {
                return nil
            }
            return .sample(rate: rate)
        default:
            return nil
        }
    }

    /// The keys of a mapping whose keys are data (field names, CIDRs), so none is "unknown".
    private static func anyKey(_ node: Node) -> [String] {
        guard case .mapping(let mapping) = node else { return [] }
        return mapping.keys.compactMap { $0.scalar?.string }
    }
}

/// Defaults of the `level` step.
public enum LevelStepDefaults {
    /// Where a level is looked for when `from` is not given: syslog's number, then the usual keys.
    public static let sourceFields = ["severity", "level", "lvl", "loglevel", "log.level", "severity_text"]
}
