/// One problem in a pipeline config: where it is (file, line, key path) and what is wrong.
///
/// Reads as `Pipelines/x.yaml:14: sources[1].listen: port 99999 is out of range`, so an editor or a
/// terminal can jump to the line. Problems from the environment (`LOGBOX_LOG_LEVEL=loud`) have line 0
/// and name the variable as their file.
public struct ConfigIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// The config file as it was named (relative paths stay relative), or the environment variable.
    public var file: String
    /// 1-based line; 0 when there is none (the environment, a file that cannot be read).
    public var line: Int
    /// 1-based column, for tools; not part of the description.
    public var column: Int
    /// The key path (`sources[1].listen`); empty for problems of the whole file.
    public var path: String
    public var message: String

    public init(file: String, line: Int, column: Int = 0, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    public var description: String {
        var text = self.file
        if self.line > 0 { text += ":\(self.line)" }
        text += ": "
        if !self.path.isEmpty { text += self.path + ": " }
        return text + self.message
    }
}

/// Every problem found in a pipeline config, in file order; thrown only when there is at least one.
public struct PipelineConfigError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigIssue]

    public init(issues: [ConfigIssue]) {
        self.issues = issues
    }

    /// One problem per line.
    public var description: String { self.issues.map(\.description).joined(separator: "\n") }
}
