// Shared by the fuzz targets whose entry point reads a file: one unlinked
// file per process, rewritten with each input and read back through
// /proc/self/fd, so nothing accumulates on disk.
import Glibc

struct InputFile {
    let fd: Int32

    init(_ name: String) {
        let path = "/dev/shm/pcitime-fuzz-\(name)-\(getpid())"
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        unlink(path)
    }

    /// Replaces the file's content with the input; the path to read it back.
    func holding(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
        precondition(fd >= 0 && ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == size)
        return "/proc/self/fd/\(fd)"
    }
}
