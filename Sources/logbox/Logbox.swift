import ArgumentParser

@main
struct Logbox: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logbox",
        abstract: "A single-box log pipeline: collect, parse, index, query and alert on logs.",
        discussion: "Run 'logbox help COMMAND' for the options of one command.",
        subcommands: [
            ParseCommand.self, ImportCommand.self, IndexCommand.self, QueryCommand.self, SampleCommand.self,
            CheckCommand.self, RunCommand.self, StatusCommand.self,
        ]
    )
}
