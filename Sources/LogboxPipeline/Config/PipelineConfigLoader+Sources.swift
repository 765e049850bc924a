import LogboxParse
import Yams

extension PipelineConfigLoader {
    static let commonSourceKeys = ["name", "type", "parser", "pattern", "timezone"]
    static let sourceKeys: [String: [String]] = [
        "file": commonSourceKeys + [
            "paths", "exclude", "start_at", "scan_interval", "multiline", "max_line_length", "read_gzip",
        ],
        "syslog_udp": commonSourceKeys + ["listen", "allow", "receive_buffer", "max_message_size"],
        "syslog_tcp": commonSourceKeys + [
            "listen", "allow", "framing", "max_message_size", "idle_timeout", "max_connections",
        ],
        "stdin": commonSourceKeys + ["max_line_length"],
    ]

    static func readSources(_ node: Node, reader: ConfigReader) -> [SourceConfig] {
        guard let items = reader.sequence(node, "sources") else { return [] }
        var sources: [SourceConfig] = []
        var names: [String: (index: Int, line: Int)] = [:]
        var udpPorts: [ListenAddress: Int] = [:]
        var tcpPorts: [ListenAddress: Int] = [:]
        for (index, item) in items.enumerated() {
            let path = "sources[\(index)]"
            guard case .mapping(let mapping) = item else {
                reader.issue(item, path, "expected a mapping with a 'type', found \(ConfigReader.describe(item))")
                continue
            }
            guard let typeNode = mapping["type"] else {
                reader.issue(item, path, "missing 'type' (one of: \(SourceConfig.typeNames.joined(separator: ", ")))")
                continue
            }
            guard let type = reader.choice(typeNode, "\(path).type", SourceConfig.typeNames, what: "source type") else {
                continue
            }
            guard let source = Self.readSource(item, type: type, path: path, reader: reader) else { continue }
            let line = item.mark?.line ?? 0
            if let first = names[source.name] {
                let nameNode = mapping["name"] ?? item
                reader.issue(
                    nameNode,
                    "\(path).name",
                    "duplicate source name '\(source.name)' (also sources[\(first.index)] at line \(first.line)); "
                        + "give each source its own name"
                )
                continue
            }
            names[source.name] = (index, line)
            switch source.kind {
            case .syslogUDP(let udp):
                if let other = udpPorts[udp.listen] {
                    reader.issue(
                        mapping["listen"] ?? item,
                        "\(path).listen",
                        "UDP \(udp.listen) is also used by sources[\(other)]"
                    )
                }
                udpPorts[udp.listen] = index
            case .syslogTCP(let tcp):
                if let other = tcpPorts[tcp.listen] {
                    reader.issue(
                        mapping["listen"] ?? item,
                        "\(path).listen",
                        "TCP \(tcp.listen) is also used by sources[\(other)]"
                    )
                }
                tcpPorts[tcp.listen] = index
            default:
                break
            }
            sources.append(source)
        }
        return sources
    }

    static func readSource(_ node: Node, type: String, path: String, reader: ConfigReader) -> SourceConfig? {
        guard let entries = reader.mapping(node, path, known: Self.sourceKeys[type] ?? Self.commonSourceKeys) else {
            return nil
        }
        var name: String?
        var parser = ParserConfig()
        var parserNode: Node?
        var patternNode: Node?
        var file = FileSourceConfig(paths: [])
        var pathsSeen = false
        var udp = SyslogUDPConfig()
        var tcp = SyslogTCPConfig()
        // Syslog sources parse syslog unless told otherwise.
        if type == "syslog_udp" || type == "syslog_tcp" { parser.name = "syslog" }
        for entry in entries {
            let key = "\(path).\(entry.key)"
            let value = entry.value
            switch entry.key {
            case "name":
                name = reader.nonEmptyString(value, key)
            case "type":
                break
            case "parser":
                parserNode = value
                if let text = reader.choice(value, key, ParserRegistry.names, what: "parser") { parser.name = text }
            case "pattern":
                patternNode = value
                parser.pattern = reader.nonEmptyString(value, key)
            case "timezone":
                if let zone = reader.nonEmptyString(value, key) {
                    if let problem = PatternCheck.timeZoneProblem(zone) {
                        reader.issue(value, key, problem)
                    } else {
                        parser.timezone = zone
                    }
                }
            case "paths":
                pathsSeen = true
                file.paths = Self.readGlobs(value, key, reader: reader)
                if file.paths.isEmpty, ConfigReader.isEmptyList(value) {
                    reader.issue(value, key, "give at least one path pattern")
                }
            case "exclude":
                file.exclude = Self.readGlobs(value, key, reader: reader)
            case "start_at":
                let choices = FileSourceConfig.StartPosition.allCases.map(\.rawValue)
                if let text = reader.choice(value, key, choices, what: "start position") {
                    file.startAt = FileSourceConfig.StartPosition(rawValue: text)!
                }
            case "scan_interval":
                if let duration = reader.duration(value, key, minimum: .milliseconds(100)) {
                    file.scanInterval = duration
                }
            case "multiline":
                file.multiline = Self.readMultiline(value, key, reader: reader)
            case "max_line_length":
                if let size = reader.size(value, key, in: 256...(64 << 20)) { file.maxLineLength = Int(size) }
            case "read_gzip":
                if let flag = reader.bool(value, key) { file.readGzip = flag }
            case "listen":
                if let address = Self.readListen(value, key, reader: reader) {
                    udp.listen = address
                    tcp.listen = address
                }
            case "allow":
                let networks = Self.readNetworks(value, key, reader: reader)
                udp.allow = networks
                tcp.allow = networks
            case "receive_buffer":
                if let size = reader.size(value, key, in: 4096...(1 << 30)) { udp.receiveBuffer = size }
            case "max_message_size":
                if let size = reader.size(value, key, in: 480...(64 << 20)) {
                    // A datagram holds at most 65507 bytes: `64KiB` means "whole datagrams".
                    udp.maxMessageSize = Int(min(size, 65_507))
                    tcp.maxMessageSize = Int(size)
                }
            case "framing":
                let choices = SyslogTCPConfig.Framing.allCases.map(\.rawValue)
                if let text = reader.choice(value, key, choices, what: "framing") {
                    tcp.framing = SyslogTCPConfig.Framing(rawValue: text)!
                }
            case "idle_timeout":
                if let duration = reader.duration(value, key, minimum: .seconds(1)) { tcp.idleTimeout = duration }
            case "max_connections":
                if let count = reader.int(value, key, in: 1...65_536) { tcp.maxConnections = count }
            default:
                break
            }
        }
        if parser.name == "pattern", parser.pattern == nil, patternNode == nil {
            reader.issue(parserNode ?? node, "\(path).parser", "parser 'pattern' needs a 'pattern' key")
        } else if parser.pattern != nil, parser.name != "pattern" {
            reader.issue(patternNode, "\(path).pattern", "a pattern is used only with 'parser: pattern'")
        } else if let pattern = parser.pattern, let problem = PatternCheck.parserProblem("pattern", pattern: pattern) {
            reader.issue(patternNode, "\(path).pattern", problem)
        }
        let kind: SourceConfig.Kind
        switch type {
        case "file":
            if !pathsSeen { reader.issue(node, path, "a 'file' source needs 'paths' (globs such as /var/log/*.log)") }
            kind = .file(file)
        case "syslog_udp": kind = .syslogUDP(udp)
        case "syslog_tcp": kind = .syslogTCP(tcp)
        default: kind = .stdin
        }
        // A source with problems is still returned (the config is rejected anyway), so that steps
        // naming it do not report it missing as well.
        let defaultName: String
        switch kind {
        case .file(let config): defaultName = config.paths.first?.text ?? "file"
        default: defaultName = type
        }
        return SourceConfig(name: name ?? defaultName, kind: kind, parser: parser, line: node.mark?.line ?? 0)
    }

    static func readGlobs(_ node: Node, _ path: String, reader: ConfigReader) -> [GlobPattern] {
        guard let items = reader.sequence(node, path, allowSingle: true) else { return [] }
        var globs: [GlobPattern] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let text = reader.string(item, itemPath) else { continue }
            do {
                globs.append(try GlobPattern(text))
            } catch {
                reader.issue(item, itemPath, error.message)
            }
        }
        return globs
    }

    static func readMultiline(_ node: Node, _ path: String, reader: ConfigReader) -> MultilineConfig? {
        let keys = ["start_pattern", "continuation_pattern", "timeout", "max_lines"]
        guard let entries = reader.mapping(node, path, known: keys) else { return nil }
        var mode: MultilineConfig.Mode?
        var timeout: Duration?
        var maxLines: Int?
        var modes = 0
        for entry in entries {
            let key = "\(path).\(entry.key)"
            switch entry.key {
            case "start_pattern":
                modes += 1
                if let regex = reader.regex(entry.value, key) { mode = .startPattern(regex) }
            case "continuation_pattern":
                modes += 1
                if let regex = reader.regex(entry.value, key) { mode = .continuationPattern(regex) }
            case "timeout":
                timeout = reader.duration(entry.value, key, minimum: .milliseconds(10))
            case "max_lines":
                maxLines = reader.int(entry.value, key, in: 2...100_000)
            default:
                break
            }
        }
        guard modes == 1 else {
            reader.issue(
                node,
                path,
                modes == 0
                    ? "give 'start_pattern' or 'continuation_pattern'"
                    : "give 'start_pattern' or 'continuation_pattern', not both"
            )
            return nil
        }
        guard let mode else { return nil }
        var config = MultilineConfig(mode: mode)
        if let timeout { config.timeout = timeout }
        if let maxLines { config.maxLines = maxLines }
        return config
    }

    /// `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT`; the host defaults to loopback.
    static func readListen(_ node: Node, _ path: String, reader: ConfigReader) -> ListenAddress? {
        guard let text = reader.nonEmptyString(node, path) else { return nil }
        var host = "127.0.0.1"
        var portText = text
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                reader.issue(node, path, "unclosed '[' in '\(text)'; write [::1]:5514")
                return nil
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                reader.issue(node, path, "expected ':PORT' after '[\(host)]'")
                return nil
            }
            portText = String(rest.dropFirst())
            guard IPAddress(host) != nil, host.contains(":") else {
                reader.issue(node, path, "'\(host)' is not an IPv6 address")
                return nil
            }
        } else if let colon = text.lastIndex(of: ":") {
            let hostPart = String(text[..<colon])
            guard !hostPart.contains(":") else {
                reader.issue(node, path, "write an IPv6 address in brackets: [\(hostPart)]:PORT")
                return nil
            }
            if !hostPart.isEmpty { host = hostPart }
            portText = String(text[text.index(after: colon)...])
        }
        guard Self.isHostName(host) else {
            reader.issue(node, path, "'\(host)' is not an IP address or host name")
            return nil
        }
        guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), portText.utf8.count <= 12,
            let port = Int(portText)
        else {
            reader.issue(node, path, "'\(portText)' is not a port number (write HOST:PORT, e.g. 127.0.0.1:5514)")
            return nil
        }
        guard port <= 65_535 else {
            reader.issue(node, path, "port \(port) is out of range")
            return nil
        }
        return ListenAddress(host: host, port: port)
    }

    static func isHostName(_ host: String) -> Bool {
        if IPAddress(host) != nil { return true }
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.utf8.allSatisfy {
                    ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D
                }
        }
    }

    static func readNetworks(_ node: Node, _ path: String, reader: ConfigReader) -> [IPNetwork] {
        guard let items = reader.sequence(node, path, allowSingle: true) else { return [] }
        var networks: [IPNetwork] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let text = reader.nonEmptyString(item, itemPath) else { continue }
            switch IPNetwork.parse(text) {
            case .success(let network): networks.append(network)
            case .failure(let error): reader.issue(item, itemPath, error.message)
            }
        }
        return networks
    }
}
