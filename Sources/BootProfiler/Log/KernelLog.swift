#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Enumerator

/// Entry points that read a kernel log and return its profile.
package enum KernelLog {
    /// Streams a file named on the command line (`-` is stdin; a FIFO or a
    /// pipe too) in any supported form.
    package static func profile(path: String) throws -> BootProfile {
        let f: CommandLineFile
        do {
            f = try CommandLineFile(path, what: "a kernel log")
        } catch PCITimeError.input(let p, let problem) where problem.hasPrefix("is a directory") {
            throw PCITimeError.input(p, problem + " (for a captured tree use --root)")
        }
        defer { f.close() }
        var builder = BootProfileBuilder()
        let (_, cut) = try f.forEachLine { builder.consume(LineReader.line($0, $1)) }
        return try finish(builder, cut: cut, name: f.name)
    }

    /// A captured tree's `dmesg.txt`, read inside the tree (a regular file,
    /// or refused: a FIFO there must not hang the reader).
    package static func profile(root: MachineRoot) throws -> BootProfile {
        var builder = BootProfileBuilder()
        guard let (_, cut) = try root.forEachLine(MachineRoot.kernelLog, { builder.consume(LineReader.line($0, $1)) }) else {
            throw PCITimeError.missing(root.path(MachineRoot.kernelLog), "no such file")
        }
        return try finish(builder, cut: cut, name: root.path(MachineRoot.kernelLog))
    }

    static func finish(_ builder: BootProfileBuilder, cut: Int, name: String) throws -> BootProfile {
        var builder = builder
        var p = builder.finish()
        p.overlongLines = cut
        guard p.timestampedLines > 0 else {
            throw PCITimeError.input(name, p.lines == 0 ? "empty kernel log" : "no line with a kernel timestamp in \(p.lines) lines (expected dmesg, dmesg -x/-r, /dev/kmsg or journalctl -k -o short-monotonic text)")
        }
        try checkClock(p, name: name)
        return p
    }

    /// A step back of more than this (microseconds) is no race between CPUs
    /// (those are microseconds, milliseconds on a busy host): the log is not
    /// one boot's as the kernel wrote it.
    package static let largestBackwardStep: UInt64 = 1_000_000

    static func checkClock(_ p: BootProfile, name: String) throws {
        guard let s = p.largestBackwardStep, s.from - s.to > largestBackwardStep else { return }
        func seconds(_ us: UInt64) -> String { String(us / 1_000_000) + "." + String(1_000_000 + us % 1_000_000).dropFirst() }
        throw PCITimeError.input(name, "timestamps run backwards at line \(s.line) (\(seconds(s.to)) s after \(seconds(s.from)) s): not one boot's log as the kernel wrote it (joined or edited)")
    }

    /// Parses text already in memory (tests, `dmesg` output).
    package static func profile(text: String, name: String = "kernel log") throws -> BootProfile {
        var builder = BootProfileBuilder()
        LineReader.forEachLine(text: text) { builder.consume($0) }
        let p = builder.finish()
        guard p.timestampedLines > 0 else { throw PCITimeError.input(name, "no line with a kernel timestamp") }
        try checkClock(p, name: name)
        return p
    }

    /// The running kernel's log: `/dev/kmsg`, else the text `KernelLogSource` gets from `dmesg`.
    package static func profileLive() throws -> BootProfile {
        var builder = BootProfileBuilder()
        guard try KernelLogSource.forEachKmsgLine({ builder.consume(LineReader.line($0, $1)) }) else {
            return try profile(text: KernelLogSource.live.text(), name: "dmesg")
        }
        let p = builder.finish()
        guard p.timestampedLines > 0 else { throw PCITimeError.input("/dev/kmsg", "no records") }
        try checkClock(p, name: "/dev/kmsg")
        return p
    }
}

extension KernelLog {
    /// The log a command reads, and its name for the report: FILE (`-` is
    /// stdin), else the captured tree's `dmesg.txt`, else the running kernel's.
    package static func load(file: String?, root: String) throws -> (profile: BootProfile, name: String) {
        if let file { return (try profile(path: file), CommandLineFile.displayName(file)) }
        let tree = MachineRoot(root)
        if let path = tree.kernelLogPath { return (try profile(root: tree), path) }
        return (try profileLive(), "/dev/kmsg")
    }
}
