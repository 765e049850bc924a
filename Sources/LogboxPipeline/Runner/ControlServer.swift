import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The daemon's control socket (`DATA_DIR/control.sock`): answers `status` with the report as JSON.
///
/// Protocol: the client sends one line (`status`), the daemon answers one JSON line and closes.
/// The socket is made after the store's lock is taken, so a socket file left by a daemon that
/// died is stale and replaced; it is removed again at shutdown.
final class ControlServer: Service, Sendable {
    static let fileName = "control.sock"

    let path: String
    private let channel: any Channel

    private init(path: String, channel: any Channel) {
        self.path = path
        self.channel = channel
    }

    /// Binds the socket in `directory`, replacing a stale one.
    static func bind(
        directory: String,
        group: any EventLoopGroup,
        report: @escaping @Sendable () -> String
    ) async throws(RunnerError) -> ControlServer {
        let path = "\(directory)/\(Self.fileName)"
        unlink(path)
        let bootstrap = ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ControlHandler(report: report))
                }
            }
        do {
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            chmod(path, 0o600)
            return ControlServer(path: path, channel: channel)
        } catch {
            throw RunnerError("cannot listen on the control socket \(path): \(error)")
        }
    }

    func run() async throws {
        // Serves until the group shuts down (the runner, stopped first, has finished by then).
        try? await gracefulShutdown()
        try? await self.channel.close()
        unlink(self.path)
    }
}

/// One control connection: read a line, answer it, close.
final class ControlHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let report: @Sendable () -> String
    private var request: [UInt8] = []

    init(report: @escaping @Sendable () -> String) {
        self.report = report
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = self.unwrapInboundIn(data)
        if let bytes = buffer.readBytes(length: buffer.readableBytes) { self.request += bytes }
        guard let newline = self.request.firstIndex(of: 0x0A) else {
            if self.request.count > 4096 { context.close(promise: nil) }
            return
        }
        let command = String(decoding: self.request[..<newline], as: UTF8.self)
            .trimmingCharacters(in: " \r\t")
        let answer: String
        switch command {
        case "status": answer = self.report()
        default:
            var text = ""
            JSONText.quote("unknown request '\(command)'; try 'status'", into: &text)
            answer = "{\"error\":\(text)}"
        }
        var out = context.channel.allocator.buffer(capacity: answer.utf8.count + 1)
        out.writeString(answer + "\n")
        // Close once the answer is written; the channel, unlike the context, may be captured.
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(out)).whenComplete { _ in channel.close(promise: nil) }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let drop = Set(set)
        return String(self.drop(while: { drop.contains($0) }).reversed().drop(while: { drop.contains($0) }).reversed())
    }
}
