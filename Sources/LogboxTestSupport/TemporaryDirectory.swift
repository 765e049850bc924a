import Glibc

/// A fresh directory under the system's temporary folder, removed with its contents on `remove()`.
///
/// Tests run in parallel: each makes its own.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "logbox-test") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: errno \(errno)")
        self.path = String(cString: made!)
    }

    /// Writes `bytes` to `name` inside the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = "\(self.path)/\(name)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(descriptor >= 0, "cannot create \(path): errno \(errno)")
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                precondition(written > 0, "cannot write \(path): errno \(errno)")
                offset += written
            }
        }
        close(descriptor)
        return path
    }

    @discardableResult
    public func write(_ name: String, _ text: String) -> String { self.write(name, Array(text.utf8)) }

    /// Removes the directory and everything in it.
    public func remove() {
        Self.removeTree(self.path)
    }

    private static func removeTree(_ path: String) {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let child = "\(path)/\(name)"
                if entry.pointee.d_type == UInt8(DT_DIR) {
                    removeTree(child)
                } else {
                    unlink(child)
                }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}
