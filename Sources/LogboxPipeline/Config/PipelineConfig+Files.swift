extension PipelineConfig {
    /// The first file source with a glob that matches `path` (and no `exclude` glob that does).
    ///
    /// Relative globs are relative to `workingDirectory`, as every relative path in a pipeline is;
    /// `path` may be absolute or relative to it. `logbox import --config` uses this to pick each
    /// file's parser.
    public func fileSource(matching path: String, workingDirectory: String) -> SourceConfig? {
        let base = workingDirectory.hasSuffix("/") ? String(workingDirectory.dropLast()) : workingDirectory
        let absolute = path.hasPrefix("/") ? path : base + "/" + path
        for source in self.sources {
            guard case .file(let file) = source.kind else { continue }
            for glob in file.paths {
                let candidate: String
                if glob.isAbsolute {
                    candidate = absolute
                } else if path.hasPrefix("/") {
                    guard path.hasPrefix(base + "/") else { continue }
                    candidate = String(path.dropFirst(base.count + 1))
                } else {
                    candidate = path
                }
                if glob.matches(candidate) && !file.exclude.contains(where: { $0.matches(candidate) }) {
                    return source
                }
            }
        }
        return nil
    }
}
