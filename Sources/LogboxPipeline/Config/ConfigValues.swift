/// Parsers for the value syntaxes config files share: durations (`1s`, `7d`) and sizes (`64KiB`).
///
/// Each returns nil or a reason, never throws: the config reader turns the reason into a `ConfigIssue`
/// with the line and key.
public enum ConfigValues {
    /// A duration as a run of `<number><unit>` parts: `500ms`, `1s`, `5m`, `1h30m`, `7d`, `2w`.
    ///
    /// Units: `ns`, `us`, `ms`, `s`, `m`, `h`, `d` (24 h), `w` (7 d). A bare `0` is zero; another bare
    /// number is refused because the unit is not obvious.
    public static func duration(_ text: String) -> Result<Duration, ValueError> {
        let bytes = Array(text.utf8)
        if bytes == [UInt8(ascii: "0")] { return .success(.zero) }
        guard !bytes.isEmpty else { return .failure(ValueError("empty duration; write e.g. 1s, 5m, 7d")) }
        var total: Int64 = 0
        var i = 0
        while i < bytes.count {
            let numberStart = i
            var value: Int64 = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
                let (plus, overflowPlus) = times.addingReportingOverflow(Int64(bytes[i] - 0x30))
                guard !overflowTimes, !overflowPlus else {
                    return .failure(ValueError("duration '\(text)' is too long"))
                }
                value = plus
                i += 1
            }
            guard i > numberStart else {
                return .failure(ValueError("bad duration '\(text)'; write e.g. 500ms, 1s, 5m, 1h30m, 7d"))
            }
            let unitStart = i
            while i < bytes.count, !(bytes[i] >= 0x30 && bytes[i] <= 0x39) { i += 1 }
            let unit = String(decoding: bytes[unitStart..<i], as: UTF8.self)
            let nanoseconds: Int64
            switch unit {
            case "ns": nanoseconds = 1
            case "us", "µs": nanoseconds = 1_000
            case "ms": nanoseconds = 1_000_000
            case "s": nanoseconds = 1_000_000_000
            case "m": nanoseconds = 60_000_000_000
            case "h": nanoseconds = 3_600_000_000_000
            case "d": nanoseconds = 86_400_000_000_000
            case "w": nanoseconds = 604_800_000_000_000
            case "":
                return .failure(ValueError("duration '\(text)' needs a unit (ms, s, m, h, d, w)"))
            default:
                return .failure(ValueError("unknown unit '\(unit)' in duration '\(text)'; units: ms, s, m, h, d, w"))
            }
            let (part, overflowPart) = value.multipliedReportingOverflow(by: nanoseconds)
            let (sum, overflowSum) = total.addingReportingOverflow(part)
            guard !overflowPart, !overflowSum else { return .failure(ValueError("duration '\(text)' is too long")) }
            total = sum
        }
        return .success(.nanoseconds(total))
    }

    /// A size in bytes: a plain integer, or a number with a unit: `B`, `KB`/`MB`/`GB`/`TB` (powers of
    /// 1000) or `KiB`/`MiB`/`GiB`/`TiB` (powers of 1024). `k`, `K`, `M`, `G` alone are read as the
    /// binary units, as most tools do for buffer sizes.
    public static func size(_ text: String) -> Result<Int64, ValueError> {
        let trimmed = text.trimmingSpaces
        let bytes = Array(trimmed.utf8)
        var i = 0
        var value: Int64 = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int64(bytes[i] - 0x30))
            guard !o1, !o2 else { return .failure(ValueError("size '\(text)' is too large")) }
            value = plus
            i += 1
        }
        guard i > 0 else { return .failure(ValueError("bad size '\(text)'; write e.g. 4096, 64KiB, 10MB, 2GiB")) }
        while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
        let unit = String(decoding: bytes[i...], as: UTF8.self)
        let factor: Int64
        switch unit {
        case "", "B", "b": factor = 1
        case "KB", "kB": factor = 1_000
        case "MB": factor = 1_000_000
        case "GB": factor = 1_000_000_000
        case "TB": factor = 1_000_000_000_000
        case "KiB", "k", "K", "Ki": factor = 1 << 10
        case "MiB", "M", "Mi": factor = 1 << 20
        case "GiB", "G", "Gi": factor = 1 << 30
        case "TiB", "T", "Ti": factor = 1 << 40
        default:
            return .failure(ValueError("unknown unit '\(unit)' in size '\(text)'; units: B, KB, MB, GB, KiB, MiB, GiB"))
        }
        let (result, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow else { return .failure(ValueError("size '\(text)' is too large")) }
        return .success(result)
    }

    /// Why a value was refused, as a sentence.
    public struct ValueError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { self.message }
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
