#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `${VAR}` expansion in config strings, as shells and Docker Compose write it.
///
/// - `${VAR}`: the variable's value; an error when it is unset (a silent empty value would turn
///   `path: ${LOG_DIR}/app.log` into `/app.log`).
/// - `${VAR:-default}`: the default when the variable is unset or empty.
/// - `${HOSTNAME}`: the box's host name (`gethostname`), since shells rarely export `HOSTNAME`.
/// - `$$`: a literal `$`. A `$` not followed by `{` or `$` stays as it is (regex anchors).
public enum EnvironmentExpansion {
    public static func expand(_ text: String, environment: [String: String]) -> Result<String, ConfigValues.ValueError>
    {
        guard text.contains("$") else { return .success(text) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            guard byte == UInt8(ascii: "$"), i + 1 < bytes.count else {
                out.append(byte)
                i += 1
                continue
            }
            if bytes[i + 1] == UInt8(ascii: "$") {
                out.append(byte)
                i += 2
                continue
            }
            guard bytes[i + 1] == UInt8(ascii: "{") else {
                out.append(byte)
                i += 1
                continue
            }
            guard let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                return .failure(ConfigValues.ValueError("unclosed '${' in '\(text)'"))
            }
            let inner = String(decoding: bytes[(i + 2)..<close], as: UTF8.self)
            var name = inner
            var fallback: String?
            let innerBytes = Array(inner.utf8)
            if let dash = innerBytes.indices.first(where: {
                innerBytes[$0] == UInt8(ascii: ":") && $0 + 1 < innerBytes.count
                    && innerBytes[$0 + 1] == UInt8(ascii: "-")
            }) {
                name = String(decoding: innerBytes[..<dash], as: UTF8.self)
                fallback = String(decoding: innerBytes[(dash + 2)...], as: UTF8.self)
            }
            guard Self.isVariableName(name) else {
                return .failure(
                    ConfigValues.ValueError(
                        "'${\(inner)}' is not a variable reference; write ${NAME} or ${NAME:-default}"
                    )
                )
            }
            let value: String?
            if name == "HOSTNAME" {
                value = Self.hostName
            } else if let set = environment[name], !(set.isEmpty && fallback != nil) {
                value = set
            } else {
                value = fallback
            }
            guard let value else {
                return .failure(
                    ConfigValues.ValueError(
                        "environment variable \(name) is not set (write ${\(name):-default} to give a default)"
                    )
                )
            }
            out.append(contentsOf: value.utf8)
            i = close + 1
        }
        return .success(String(decoding: out, as: UTF8.self))
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        return name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F
        }
    }

    /// The box's host name, as `gethostname` reports it.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The process environment as a dictionary.
    public static var processEnvironment: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
