#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Asks a running daemon for its status over the control socket in its data directory.
public enum ControlClient {
    /// Why no report came back.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// No socket, or nobody listening on it: no daemon runs on this data directory.
        case notRunning(path: String)
        /// The daemon answered something that is not a status report.
        case badAnswer(String)
        case io(String)

        public var description: String {
            switch self {
            case .notRunning(let path): "no daemon is running (no answer on \(path))"
            case .badAnswer(let text): "unexpected answer from the daemon: \(text)"
            case .io(let message): message
            }
        }
    }

    /// The socket's path in `dataDirectory`.
    public static func socketPath(dataDirectory: String) -> String {
        "\(dataDirectory)/\(ControlServer.fileName)"
    }

    /// The daemon's report, as the JSON line it sent and decoded.
    public static func status(dataDirectory: String, timeoutSeconds: Int = 5) throws(Failure)
        -> (json: String, status: RunnerStatus)
    {
        let path = Self.socketPath(dataDirectory: dataDirectory)
        let text = try Self.request("status", path: path, timeoutSeconds: timeoutSeconds)
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        do {
            return (line, try RunnerStatus.decode(line))
        } catch {
            throw .badAnswer(line)
        }
    }

    /// Sends one request line and reads the answer to the end.
    static func request(_ command: String, path: String, timeoutSeconds: Int) throws(Failure) -> String {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw .io("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        #if canImport(Glibc)
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw .io("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            if code == ENOENT || code == ECONNREFUSED || code == ENOTSOCK { throw .notRunning(path: path) }
            throw .io("\(path): connect: \(String(cString: strerror(code)))")
        }
        let request = Array((command + "\n").utf8)
        let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { throw .io("\(path): send: \(String(cString: strerror(errno)))") }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("\(path): receive: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
