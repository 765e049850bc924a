import ArgumentParser
import Testing

@testable import logbox

/// Parses `arguments` as a `logbox` command line (without the program name), runs the command with
/// both outputs captured as if piped, and returns its exit status and what it wrote.
func runCaptured(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
    let command = try #require(try Logbox.parseAsRoot(arguments) as? any OutputCommand)
    let output = Output(capturingAsTerminal: false)
    let errors = Output(capturingAsTerminal: false)
    let status = command.execute(output: output, errors: errors)
    output.flush()
    errors.flush()
    return (status, output.capturedText, errors.capturedText)
}
