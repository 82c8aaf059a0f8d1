#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way pcitime writes what it produces: standard output and error,
/// and every file a command creates (`--svg`, `--trace-json`, `--save`, a
/// capture's files). Partial writes and EINTR are retried here, once.
public struct OutputFile: Sendable {
    public let path: String
    let fd: Int32

    public static let standardOutput = OutputFile(path: "stdout", fd: 1)
    public static let standardError = OutputFile(path: "stderr", fd: 2)

    init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Creates `path` (or truncates it), writes `text`, closes it.
    public static func write(_ text: String, to path: String) throws {
        var bytes = Array(text.utf8)
        try write(bytes: &bytes, to: path)
    }

    public static func write(bytes: inout [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw PCITimeError.system(path, errno) }
        let file = OutputFile(path: path, fd: fd)
        do {
            try file.write(bytes: bytes)
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw PCITimeError.system(path, errno) }
    }

    public func write(_ text: String) throws {
        try write(bytes: Array(text.utf8))
    }

    public func write(bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw PCITimeError.system(path, errno)
                }
                done += n
            }
        }
    }
}
