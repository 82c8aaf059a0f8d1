#if canImport(Glibc)
import Glibc
#endif
import Enumerator

/// One config access the kernel made, as the kprobes saw it.
package struct TracedAccess: Sendable, Equatable {
    package var segment: UInt32
    package var bus: UInt32
    package var devfn: UInt32
    package var offset: Int32
    package var length: Int32
    package var write: Bool
    package var mechanism: Mechanism?
    /// Entry to return of raw_pci_read/write, when both were seen.
    package var nanoseconds: UInt64?
    package var failed: Bool

    package var address: PCIAddress? {
        guard segment <= 0xffff, bus <= 0xff, devfn <= 0xff else { return nil }
        return PCIAddress(segment: UInt16(segment), bus: UInt8(bus), device: UInt8(devfn >> 3), function: UInt8(devfn & 7))
    }
}

/// Parses the text of tracefs `trace` / `trace_pipe` for pcitime's kprobes:
///     sh-140 [000] d..1.  35.217468: conf1_read: (pci_conf1_read+0x0/0xf0) seg=0 bus=0 devfn=16 reg=0 len=4
///     sh-140 [000] d..1.  35.217470: conf1_read_ret: (pci_read+0x2c/0x40 <- pci_conf1_read) ret=0
/// An entry with `seg bus devfn reg len` opens an access; its name
/// (`conf1_*`, `mmcfg_*`) is the mechanism. The matching `*_ret` closes it
/// with the in-kernel latency. Accesses do not nest (the kernel holds
/// pci_lock), except that a trace with `raw_read`/`raw_write` entries (as an
/// earlier pcitime armed them) has the mechanism's event inside the raw one:
/// that names the mechanism of the open access instead of opening another.
/// Lines cut mid-way or foreign to pcitime's events are counted, never fatal.
package struct KprobeTraceParser {
    package private(set) var accesses: [TracedAccess] = []
    package private(set) var malformed = 0
    package private(set) var foreign = 0
    package private(set) var lostEvents = 0
    package private(set) var unreturned = 0
    /// `# pcitime-window: ...` comment lines (what `pcitime trace --save`
    /// writes first): the window the trace covers.
    package private(set) var window: String?
    /// `# pcitime-present: BDF ...`: the functions present after the window.
    package private(set) var present: Set<PCIAddress>?
    /// Per task: the open access, its entry time and the event that opened
    /// it (only that event's return closes it).
    var open: [UInt32: (access: TracedAccess, time: UInt64, opener: String)] = [:]

    package init() {}

    package mutating func consume(line text: String) {
        LineReader.forEachLine(text: text) { consume($0) }
    }

    static let windowTag: StaticString = "# pcitime-window: "
    static let presentTag: StaticString = "# pcitime-present: "
    /// The comment lines `pcitime trace --save` puts first: the window, and
    /// the functions present after it (so a saved trace counts the same
    /// anywhere).
    package static func header(window: String, present: [PCIAddress]) -> String {
        "# pcitime-window: \(window)\n# pcitime-present: \(present.sorted().map(\.description).joined(separator: " "))\n"
    }

    /// The most accesses (done or open) a streamed trace may leave held: a
    /// boot's whole census holds ~22k, and an endless stream stops here,
    /// its peak memory modest.
    package static let maxEntries = 100_000

    /// `consume` for a streamed file (`name`): refuses (65) the access past `maxEntries`.
    mutating func consume(_ line: ByteLine, from name: String) throws {
        consume(line)
        if accesses.count + open.count > Self.maxEntries {
            throw PCITimeError.input(name, "more than \(Self.maxEntries) entries: not one trace of a boot or a window")
        }
    }

    mutating func consume(_ line: ByteLine) {
        let l = line.trimmingLeadingBlanks()
        guard !l.isEmpty else { return }
        if l[0] == 0x23 {                                                  // '#': header
            if l.hasPrefix(Self.windowTag) { window = l.dropFirst(Self.windowTag.utf8CodeUnitCount).string }
            if l.hasPrefix(Self.presentTag) {
                present = Set(l.dropFirst(Self.presentTag.utf8CodeUnitCount).string.split(separator: " ").compactMap { PCIAddress(String($0)) })
            }
            return
        }
        if let n = TraceIntegrity.lostCount(l) {
            lostEvents = min(lostEvents + n, 1 << 62)   // a fuzzed count must not overflow
            return
        }
        guard let ev = Self.event(l) else { malformed += 1; return }
        let returns = ev.name.hasSuffix("_ret")
        let base = returns ? String(ev.name.dropLast(4)) : ev.name
        let mechanism: Mechanism?
        switch base {
        case "conf1_read", "conf1_write": mechanism = .type1
        case "mmcfg_read", "mmcfg_write": mechanism = .ecam
        case "raw_read", "raw_write": mechanism = nil
        default: foreign += 1; return
        }
        if returns {
            // The return of an entry cut off, or of a mechanism nested in a raw access.
            guard let o = open[ev.pid], o.opener == base else { return }
            open[ev.pid] = nil
            var a = o.access
            a.nanoseconds = ev.time >= o.time ? ev.time - o.time : 0
            a.failed = ev.args["ret", default: 0] != 0
            accesses.append(a)
            return
        }
        let seg = ev.args["seg"], bus = ev.args["bus"], devfn = ev.args["devfn"], reg = ev.args["reg"], len = ev.args["len"]
        if let m = mechanism, var o = open[ev.pid], o.access.mechanism == nil,
           seg == nil || (seg == Int64(o.access.segment) && bus == Int64(o.access.bus) && devfn == Int64(o.access.devfn) && reg == Int64(o.access.offset)) {
            o.access.mechanism = m
            open[ev.pid] = o
            return
        }
        guard let seg, let bus, let devfn, let reg, let len else {
            // Some arguments but not all: a line cut mid-way. None: a mechanism
            // event of the raw-probe set with no raw access open.
            if ev.args.isEmpty && mechanism != nil { foreign += 1 } else { malformed += 1 }
            return
        }
        if let o = open.removeValue(forKey: ev.pid) { accesses.append(o.access); unreturned += 1 }
        let a = TracedAccess(segment: UInt32(truncatingIfNeeded: seg), bus: UInt32(truncatingIfNeeded: bus),
                             devfn: UInt32(truncatingIfNeeded: devfn), offset: Int32(truncatingIfNeeded: reg),
                             length: Int32(truncatingIfNeeded: len), write: base.hasSuffix("_write"),
                             mechanism: mechanism, nanoseconds: nil, failed: false)
        open[ev.pid] = (a, ev.time, base)
    }

    /// Accesses whose return was never seen (the window ended) count too.
    package mutating func finish() -> [TracedAccess] {
        for (_, o) in open.sorted(by: { $0.value.time < $1.value.time }) { accesses.append(o.access); unreturned += 1 }
        open = [:]
        return accesses
    }

    struct Event { var pid: UInt32; var time: UInt64; var name: String; var args: [String: Int64] }

    /// `TASK-PID [CPU] FLAGS TIME: NAME: (SYMBOL) k=v ...`; the task name may
    /// hold spaces and dashes, so parsing anchors on `[CPU]`.
    static func event(_ l: ByteLine) -> Event? {
        guard let open = l.firstRange(of: " ["), open > 1,
              let close = l.firstIndex(of: 0x5D, from: open + 2), close - open <= 6 else { return nil }
        // PID: digits right before " [" after the last '-'.
        var p = open
        while p > 0 && l[p] == 0x20 { p -= 1 }
        while p > 0 && l[p] >= 0x30 && l[p] <= 0x39 { p -= 1 }
        guard l[p] == 0x2D, let (pid, _) = l.decimalValue(at: p + 1) else { return nil }
        // Skip blanks and an optional flags field, then TIME:
        var i = close + 1
        var time: UInt64?
        var after = 0
        for _ in 0..<2 {
            while i < l.count && l[i] == 0x20 { i += 1 }
            if let (t, end) = l.seconds(at: i), end < l.count, l[end] == 0x3A {
                time = t
                after = end + 1
                break
            }
            while i < l.count && l[i] != 0x20 { i += 1 }
        }
        guard let t = time else { return nil }
        var rest = l.dropFirst(after).trimmingLeadingBlanks()
        guard let colon = rest.firstIndex(of: 0x3A), colon > 0 else { return nil }
        let name = rest.prefix(colon).string
        rest = rest.dropFirst(colon + 1).trimmingLeadingBlanks()
        // The probe site in parentheses, then key=value pairs.
        if rest.hasPrefix("(") {
            guard let paren = rest.firstIndex(of: 0x29) else { return nil }
            rest = rest.dropFirst(paren + 1)
        }
        var args: [String: Int64] = [:]
        for word in rest.string.split(separator: " ") {
            guard let eq = word.firstIndex(of: "=") else { continue }
            let key = String(word[..<eq])
            var v = word[word.index(after: eq)...]
            let negative = v.hasPrefix("-")
            if negative { v = v.dropFirst() }
            let value = v.hasPrefix("0x") ? Int64(v.dropFirst(2), radix: 16) : Int64(v)
            guard let n = value else { return nil }   // a value cut mid-way
            args[key] = negative ? -n : n
        }
        return Event(pid: UInt32(truncatingIfNeeded: pid), time: t, name: name, args: args)
    }
}

/// Per-device counts from traced accesses.
package enum TraceCounts {
    /// The functions a trace shows to be present, for a trace without a
    /// `# pcitime-present:` line: an empty slot or absent function gets one
    /// read of its vendor dword (offset 0, 4 bytes) that returns all ones,
    /// and nothing else; a present function gets more, or a write.
    package static func inferredPresent(_ accesses: [TracedAccess]) -> Set<PCIAddress> {
        var out: Set<PCIAddress> = []
        for a in accesses where a.write || a.offset != 0 {
            if let addr = a.address { out.insert(addr) }
        }
        return out
    }

    /// `present`: functions that exist; `knownBuses`: buses the kernel has
    /// (others are probes of buses that do not exist). `base`/`extended`:
    /// the kernel's mechanisms, used when the trace could not tell.
    package static func counts(_ accesses: [TracedAccess], present: Set<PCIAddress>, knownBuses: Set<UInt8>? = nil,
                              base: Mechanism, extended: Mechanism?, source: String) -> AccessCounts {
        let buses = knownBuses ?? Set(present.map(\.bus)).union([0])
        var devices: [PCIAddress: DeviceAccesses] = [:]
        var latency: [PCIAddress: (UInt64, Int)] = [:]
        var emptySlot: [UInt8: Int] = [:], absent: [UInt8: Int] = [:], missing: [UInt8: Int] = [:]
        for a in accesses {
            guard let addr = a.address else { continue }
            if present.contains(addr) {
                var d = devices[addr] ?? DeviceAccesses(address: addr)
                if a.write { d.writes += 1 } else { d.reads += 1 }
                if a.offset >= 256 { d.extended += 1 }
                d.byMechanism[a.mechanism?.rawValue ?? "unknown", default: 0] += 1
                devices[addr] = d
                if let ns = a.nanoseconds { latency[addr, default: (0, 0)].0 += ns; latency[addr, default: (0, 0)].1 += 1 }
            } else if !buses.contains(addr.bus) {
                missing[addr.bus, default: 0] += 1
            } else if addr.function == 0 {
                emptySlot[addr.bus, default: 0] += 1
            } else {
                absent[addr.bus, default: 0] += 1
            }
        }
        var list: [DeviceAccesses] = []
        for (addr, var d) in devices.sorted(by: { $0.key < $1.key }) {
            if let (sum, n) = latency[addr], n > 0 { d.meanNanoseconds = Double(sum) / Double(n) }
            list.append(d)
        }
        let empty = groupRuns(emptySlot.map { ($0.key, $0.value) }, kind: .emptySlot)
            + groupRuns(absent.map { ($0.key, $0.value) }, kind: .absentFunction)
            + groupRuns(missing.map { ($0.key, $0.value) }, kind: .missingBus)
        return AccessCounts(provenance: .measured(source), devices: list, empty: empty, baseMechanism: base, extendedMechanism: extended)
    }

    /// Mean in-kernel latency per mechanism the trace identified.
    package static func latencies(_ accesses: [TracedAccess], source: String) -> [LatencyEstimate] {
        var by: [Mechanism: (UInt64, Int)] = [:]
        for a in accesses {
            guard let m = a.mechanism, let ns = a.nanoseconds else { continue }
            by[m, default: (0, 0)].0 += ns
            by[m, default: (0, 0)].1 += 1
        }
        return by.sorted { $0.key.rawValue < $1.key.rawValue }.map { m, v in
            LatencyEstimate(mechanism: m, nanoseconds: Double(v.0) / Double(v.1),
                            provenance: .measured("\(source): in-kernel entry to return of pci_conf1/pci_mmcfg read/write (kprobes, 1 us timestamps) over \(v.1) accesses, kprobe overhead included"),
                            source: .bootTrace, samples: v.1)
        }
    }
}

/// A saved trace file (tracefs `trace` text), streamed, its integrity checked.
package enum TraceFile {
    /// A trace file named on the command line (`-`, a FIFO too), streamed.
    package static func parse(_ path: String) throws -> (accesses: [TracedAccess], parser: KprobeTraceParser) {
        let f = try CommandLineFile(path, what: "a trace")
        defer { f.close() }
        var parser = KprobeTraceParser()
        try TraceIntegrity.stream(fd: f.fd, name: f.name) { l, _ in try parser.consume(l, from: f.name) }
        let accesses = parser.finish()
        try check(f.name, parser: parser)
        return (accesses, parser)
    }

    /// Lines and not one event among them: not a trace (`boot --trace` and
    /// `trace --from` alike). `parser` has finished.
    static func check(_ path: String, parser: KprobeTraceParser) throws {
        if parser.accesses.isEmpty && parser.malformed > 0 {
            throw PCITimeError.input(path, "no pcitime kprobe events in \(parser.malformed) unreadable lines")
        }
    }
}
