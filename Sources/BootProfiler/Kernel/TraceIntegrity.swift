import Enumerator

/// What a tracefs text file (`trace`, `snapshot`: kprobe traces and the
/// census's function traces alike) says of itself, against what it holds,
/// checked line by line beside the parser. A file that is not one trace as
/// tracefs wrote it is refused (65), never counted as measured:
/// - fewer entries than its header's `entries-in-buffer` (the file was cut:
///   the census would miss that many accesses and say "lost: 0"), or more;
/// - a second `# tracer:` header (two traces in one file: double counts);
/// - timestamps running backwards (tracefs merges its CPUs' buffers in time
///   order, so only joining or editing makes them go back).
package struct TraceIntegrity: Sendable {
    /// `# entries-in-buffer/entries-written: A/B`: A, the entries the file holds.
    package private(set) var declaredEntries: Int?
    /// Entry lines: all but comments, blank lines and `[LOST N EVENTS]` markers.
    package private(set) var entries = 0
    /// The first problem met, with its line number.
    package private(set) var secondHeader: Int?
    package private(set) var backwards: (line: Int, from: UInt64, to: UInt64)?
    var tracerHeaders = 0
    var line = 0
    var lastTime: UInt64?

    package init() {}

    /// Streams `fd`'s lines to `body` (as `LineReader` hands them out, and
    /// the line's raw bytes, without the `\n`) with the integrity check
    /// beside it, then refuses (65) a file that is not one whole trace
    /// (`entries`: as `check`'s). `name` names the file in errors.
    static func stream(fd: Int32, name: String, entries: Bool = true, _ body: (ByteLine, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var integrity = TraceIntegrity()
        _ = try LineStream.forEachLine(fd: fd, name: name) { p, n in
            let l = LineReader.line(p, n)
            try body(l, UnsafeBufferPointer(start: p, count: n))
            integrity.consume(l)
        }
        try integrity.check(name, entries: entries)
    }

    mutating func consume(_ raw: ByteLine) {
        line += 1
        let l = raw.trimmingLeadingBlanks()
        guard !l.isEmpty else { return }
        if l[0] == 0x23 {                                                         // '#'
            if l.hasPrefix("# tracer: ") {
                tracerHeaders += 1
                if tracerHeaders > 1 && secondHeader == nil { secondHeader = line }
            }
            if let (a, _) = Self.entryCounts(l) {
                if declaredEntries != nil && secondHeader == nil { secondHeader = line }
                declaredEntries = Int(a)
            }
            return
        }
        if Self.lostCount(l) != nil { return }
        entries += 1
        guard let t = Self.time(l) else { return }
        if let last = lastTime, t < last, backwards == nil { backwards = (line, last, t) }
        lastTime = t
    }

    /// `CPU:N [LOST n EVENTS]`: n, the events the kernel dropped there.
    static func lostCount(_ l: ByteLine) -> Int? {
        guard l.hasPrefix("CPU:"), let at = l.firstRange(of: "[LOST "), let (n, _) = l.decimalValue(at: at + 6) else { return nil }
        return Int(n)
    }

    /// `# entries-in-buffer/entries-written: A/B`: A, and B when the line has it.
    static func entryCounts(_ l: ByteLine) -> (inBuffer: UInt64, written: UInt64?)? {
        guard let at = l.firstRange(of: "entries-written: "), let (a, slash) = l.decimalValue(at: at + 17) else { return nil }
        guard slash < l.count, l[slash] == 0x2F, let (b, _) = l.decimalValue(at: slash + 1) else { return (a, nil) }
        return (a, b)
    }

    /// `FLAGS TIME:` or `TIME:` after an entry's `[CPU]` (the flags field is
    /// optional, noirq-info), from `i`, the index after the `]`: the time
    /// and the index of its `:`.
    static func entryTime(_ l: ByteLine, from i: Int) -> (time: UInt64, colon: Int)? {
        var i = i
        for _ in 0..<2 {
            while i < l.count && l[i] == 0x20 { i += 1 }
            if let (t, end) = l.seconds(at: i), end < l.count, l[end] == 0x3A { return (t, end) }
            while i < l.count && l[i] != 0x20 { i += 1 }
        }
        return nil
    }

    /// The entry's timestamp: `TASK-PID [CPU] FLAGS TIME:` (function and
    /// kprobe events) or function_graph's `TIME |` (funcgraph-abstime).
    static func time(_ l: ByteLine) -> UInt64? {
        if let (t, end) = l.seconds(at: 0) {
            var i = end
            while i < l.count && l[i] == 0x20 { i += 1 }
            return i < l.count && l[i] == 0x7C ? t : nil                          // '|'
        }
        guard let open = l.firstRange(of: " ["), let close = l.firstIndex(of: 0x5D, from: open + 2) else { return nil }
        return entryTime(l, from: close + 1)?.time
    }

    /// Refuses (65) a file that is not one whole trace. `entries`: check the
    /// header's count (a live buffer keeps filling while it is read, so its
    /// count is checked only in saved files).
    package func check(_ name: String, entries checkEntries: Bool = true) throws {
        if let n = secondHeader {
            throw PCITimeError.input(name, "a second trace header at line \(n): two traces in one file (counted together they would count twice); give each on its own")
        }
        if let b = backwards {
            throw PCITimeError.input(name, "timestamps run backwards at line \(b.line) (\(Self.seconds(b.to)) s after \(Self.seconds(b.from)) s): not one trace as tracefs writes it (joined or edited)")
        }
        if checkEntries, let declared = declaredEntries, declared != entries {
            throw PCITimeError.input(name, entries < declared
                ? "holds \(entries) entries where its header (entries-in-buffer) counts \(declared): the file was cut; give the whole trace"
                : "holds \(entries) entries where its header (entries-in-buffer) counts \(declared): more than the buffer held (joined or edited)")
        }
    }

    static func seconds(_ ns: UInt64) -> String {
        String(ns / 1_000_000_000) + "." + String(1_000_000 + (ns % 1_000_000_000) / 1000).dropFirst()
    }
}
