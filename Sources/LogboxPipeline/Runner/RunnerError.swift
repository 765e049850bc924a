/// The daemon could not start or keep running: the store, a listener, a sink or the control socket.
public struct RunnerError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
