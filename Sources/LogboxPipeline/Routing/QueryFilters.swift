public import LogboxQuery

/// Compiles the query-language filters a pipeline writes (`when:` of steps and sinks) into
/// `EventFilter`s evaluated on in-flight events, with the semantics `logbox query` has.
public enum QueryFilters {
    /// The filter of `text`, or an issue at its line and key path (the file is filled in by the caller).
    public static func make(_ text: FilterText) throws(ConfigIssue) -> any EventFilter {
        do {
            return try Self.prepare(text.text)
        } catch {
            var message = "bad filter: \(error.description)"
            if let hint = error.hint { message += " (\(hint))" }
            throw ConfigIssue(file: "", line: text.line, path: text.path, message: message)
        }
    }

    /// Parses and compiles `text` (a filter without pipes).
    public static func prepare(_ text: String) throws(QueryError) -> PreparedFilter {
        try PreparedFilter(compiling: QueryParser.parseFilter(text))
    }
}

extension PreparedFilter: EventFilter {}
