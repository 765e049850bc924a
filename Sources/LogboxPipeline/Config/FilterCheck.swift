import LogboxQuery

/// Checks a query-language filter written in a config (`when:` of steps and sinks) by compiling it
/// as `QueryFilters` will: syntax, then regexes, CIDRs, ranges.
enum FilterCheck {
    /// Why `text` is not a valid filter (with the 1-based column), or nil.
    static func problem(_ text: String) -> String? {
        do {
            _ = try QueryFilters.prepare(text)
            return nil
        } catch {
            var message = error.description
            if let hint = error.hint { message += " (\(hint))" }
            return message
        }
    }
}
