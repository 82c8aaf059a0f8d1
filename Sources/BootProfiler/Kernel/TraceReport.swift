import Enumerator

/// `pcitime trace`: the kernel's own config accesses during a window (a
/// command, a rescan, a rebind) counted with kprobes, or a saved trace read
/// back. The probes live in a private tracefs instance removed on every
/// exit; SIGINT and SIGTERM end the window and the counts so far are kept.
package struct TraceReport {
    package var window: String
    /// The raw trace with pcitime's header (what `--save` writes).
    package var text: String
    package var parser: KprobeTraceParser
    package var counts: AccessCounts
    package var latencies: [LatencyEstimate]
    package var skipped: [(probe: String, why: String)] = []
    /// What tracefs would not let go of.
    package var leftovers: [String] = []
    /// The window's exit status, and the signal that cut it short.
    package var status: Int32 = 0
    package var interrupted: Int32?

    /// Traces `window` live.
    package static func live(_ window: TraceWindow, force: Bool) throws -> TraceReport {
        var name = window.description
        try window.validate(force: force)
        let k = KprobeAvailability.check(mount: true)
        defer { k.release() }
        guard k.available, let dir = k.tracefs else { throw PCITimeError.unavailable("kernel tracing", k.reason) }
        let trap = SignalTrap(restart: false)
        let session = try KprobeSession(tracefs: dir)
        defer { session.close() }
        try session.start()
        let status: Int32
        do {
            status = try window.perform()
        } catch {
            _ = try? session.stop()
            throw error
        }
        let traced = try session.stop()
        session.close()
        if let sig = trap.caught { name += " (interrupted by signal \(sig))" }
        let present = presentFunctions()
        var run = TraceReport(window: name, text: KprobeTraceParser.header(window: name, present: present) + traced, present: Set(present))
        run.skipped = session.skipped
        run.leftovers = session.leftovers
        run.status = status
        run.interrupted = trap.caught
        return run
    }

    /// What `trace --from FILE --save OUT` holds of FILE's text to write it
    /// again; without `--save` a saved trace is streamed, and what it holds
    /// is its accesses, at most `KprobeTraceParser.maxEntries`.
    package static let savedTextLimit = 1 << 26

    /// Reads a trace saved earlier (`--save`, or tracefs `trace` text; a
    /// FIFO or `-` too) line by line; `keepText` also keeps its text, for `--save`.
    package static func saved(_ file: String, keepText: Bool = false) throws -> TraceReport {
        let f = try CommandLineFile(file, what: "a trace")
        defer { f.close() }
        var parser = KprobeTraceParser()
        var text: [UInt8] = []
        try TraceIntegrity.stream(fd: f.fd, name: f.name) { l, raw in
            try parser.consume(l, from: f.name)
            guard keepText else { return }
            guard text.count + raw.count < savedTextLimit else {
                throw PCITimeError.input(f.name, "more than \(savedTextLimit >> 20) MiB: too large to hold for --save (copy the file instead)")
            }
            text.append(contentsOf: raw)
            text.append(0x0A)
        }
        let accesses = parser.finish()
        try TraceFile.check(f.name, parser: parser)
        return TraceReport(window: "saved trace " + f.name, text: String(decoding: text, as: UTF8.self), parser: parser, accesses: accesses, present: nil)
    }

    /// A live trace's text, parsed here.
    init(window: String, text: String, present: Set<PCIAddress>?) {
        var parser = KprobeTraceParser()
        parser.consume(line: text)
        let accesses = parser.finish()
        self.init(window: window, text: text, parser: parser, accesses: accesses, present: present)
    }

    /// `present`: the functions there now; nil takes the trace's own list, else those it saw answer.
    init(window: String, text: String, parser: KprobeTraceParser, accesses: [TracedAccess], present: Set<PCIAddress>?) {
        self.parser = parser
        self.window = window
        if present == nil, let w = parser.window { self.window += " (\(w))" }
        self.text = text
        let functions = present ?? parser.present ?? TraceCounts.inferredPresent(accesses)
        counts = TraceCounts.counts(accesses, present: functions, base: .type1, extended: .ecam, source: "kprobes, \(self.window)")
        latencies = TraceCounts.latencies(accesses, source: self.window)
    }

    /// Functions present now, from sysfs: accesses elsewhere are empty probes.
    static func presentFunctions() -> [PCIAddress] {
        (MachineRoot.live.names(inDirectory: MachineRoot.devices) ?? []).compactMap(PCIAddress.init)
    }
}
