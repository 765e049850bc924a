/// The command line of `ParseReport`.
struct Options {
    var repetitions = 5
    var allocationsDirectory: String?
    var filter: String?

    init(arguments: [String]) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--repetitions":
                guard let value = rest.popFirst().flatMap(Int.init), value > 0 else {
                    throw UsageError("--repetitions takes a positive number")
                }
                self.repetitions = value
            case "--allocations":
                guard let value = rest.popFirst() else { throw UsageError("--allocations takes a directory") }
                self.allocationsDirectory = value
            case "--filter":
                guard let value = rest.popFirst() else { throw UsageError("--filter takes a text") }
                self.filter = value
            default:
                throw UsageError(
                    "unknown argument \(argument); usage: ParseReport [--repetitions N] [--allocations DIR] [--filter TEXT]"
                )
            }
        }
    }
}

/// A command line `ParseReport` does not understand.
struct UsageError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
