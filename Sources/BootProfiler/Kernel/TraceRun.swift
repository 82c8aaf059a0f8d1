import Enumerator

/// `pcitime trace`: the kernel's own config accesses during a window (a
/// command, a rescan, a rebind) counted with kprobes, or a saved trace read
/// back. The probes live in a private tracefs instance removed on every
/// exit; SIGINT and SIGTERM end the window and the counts so far are kept.
public struct TraceRun {
    public var window: String
    /// The raw trace with pcitime's header (what `--save` writes).
    public var text: String
    public var parser: KprobeTraceParser
    public var counts: AccessCounts
    public var latencies: [LatencyEstimate]
    public var skipped: [(probe: String, why: String)] = []
    /// What tracefs would not let go of.
    public var leftovers: [String] = []
    /// The window's exit status, and the signal that cut it short.
    public var status: Int32 = 0
    public var interrupted: Int32?

    /// Traces `window` live.
    public static func live(_ window: TraceWindow, force: Bool) throws -> TraceRun {
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
        var run = TraceRun(window: name, text: KprobeTraceParser.header(window: name, present: present) + traced, present: Set(present))
        run.skipped = session.skipped
        run.leftovers = session.leftovers
        run.status = status
        run.interrupted = trap.caught
        return run
    }

    /// Reads a trace saved earlier (`--save`, or tracefs `trace` text).
    public static func saved(_ file: String) throws -> TraceRun {
        guard let text = FileContents.text(file) else { throw PCITimeError.missing(file, "no such trace file") }
        let run = TraceRun(window: "saved trace " + file, text: text, present: nil)
        try TraceFile.check(file, parser: run.parser)
        return run
    }

    /// `present`: the functions there now; nil takes the trace's own list, else those it saw answer.
    init(window: String, text: String, present: Set<PCIAddress>?) {
        parser = KprobeTraceParser()
        parser.consume(line: text)
        let accesses = parser.finish()
        self.window = window
        if present == nil, let w = parser.window { self.window += " (\(w))" }
        self.text = text
        let functions = present ?? parser.present ?? TraceCounts.inferredPresent(accesses)
        counts = TraceCounts.counts(accesses, present: functions, base: .type1, extended: .ecam, source: "kprobes, \(self.window)")
        latencies = TraceCounts.latencies(accesses, source: self.window)
    }

    /// Functions present now, from sysfs: accesses elsewhere are empty probes.
    static func presentFunctions() -> [PCIAddress] {
        (FileContents.names(inDirectory: "/sys/bus/pci/devices") ?? []).compactMap(PCIAddress.init)
    }
}
