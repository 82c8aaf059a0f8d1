#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Enumerator

/// The one spawn: both pipes read together, pipes that no other child
/// inherits, exits as a shell reports them.
@Suite struct SubprocessTests {
    /// 256 KiB on each pipe, standard error first: read one to its end
    /// before the other and both processes wait forever (`timeout` ends the
    /// child then, and the counts say so).
    @Test func bothPipesAreReadTogether() throws {
        let script = "head -c 262144 /dev/zero >&2; head -c 262144 /dev/zero; head -c 100 /dev/zero >&2"
        let child = try Subprocess.spawn(["/usr/bin/timeout", "20", "/bin/sh", "-c", script], stdout: .pipe, stderr: .pipe)
        let (out, err) = try child.collect()
        #expect(child.wait() == .status(0))
        #expect(out.count == 262_144 && err.count == 262_244)
    }

    @Test func pipesCloseOnExec() throws {
        let child = try Subprocess.spawn(["/bin/true"], stdout: .pipe, stderr: .pipe)
        defer { _ = try? child.collect(); _ = child.wait() }
        for fd in [child.pipes.output, child.pipes.errors] {
            let flags = fcntl(try #require(fd), F_GETFD)
            #expect(flags >= 0 && flags & FD_CLOEXEC != 0)
        }
    }

    @Test func exitsAsAShellReportsThem() throws {
        #expect(try Subprocess.run(["/bin/sh", "-c", "exit 3"]) == 3)
        #expect(try Subprocess.run(["/bin/sh", "-c", "kill -TERM $$"]) == 128 + SIGTERM)
        #expect(Subprocess.output(["/bin/sh", "-c", "echo out; echo err >&2"], quiet: true) == "out\n")
        #expect(Subprocess.output(["/bin/sh", "-c", "echo out; exit 1"]) == nil)
        #expect(throws: PCITimeError.self) { try Subprocess.spawn(["/nonexistent/pcitime"]) }
    }
}
