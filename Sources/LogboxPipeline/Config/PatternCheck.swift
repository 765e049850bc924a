import LogboxParse

/// Compiles the patterns a config names, so that `logbox check` and loading catch every bad one.
enum PatternCheck {
    /// Why `pattern` does not compile as a PCRE2 regex (with its column), or nil.
    static func regexProblem(_ pattern: String) -> String? {
        do {
            _ = try PCRE2Regex(pattern)
            return nil
        } catch {
            return "bad regex: \(error)"
        }
    }

    /// Why parser `name` (with `pattern` for the pattern parser) cannot be made, or nil.
    static func parserProblem(_ name: String, pattern: String?) -> String? {
        do {
            _ = try ParserRegistry.make(name, pattern: pattern, context: ParseContext(referenceTime: 0))
            return nil
        } catch {
            return error.message
        }
    }

    /// Why `zone` is not a usable time zone, or nil.
    static func timeZoneProblem(_ zone: String) -> String? {
        do {
            _ = try TimeZoneRules(named: zone)
            return nil
        } catch {
            return error.reason
        }
    }
}
