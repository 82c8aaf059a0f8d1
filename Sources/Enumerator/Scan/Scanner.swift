import Histogram

/// A whole scan: which method, the clock, the functions found and what each
/// cost. Counts are those of one pass (a walk is deterministic for a given
/// tree and method); latencies gather every pass of `--repeat`.
package struct ScanReport {
    package var method: String
    package var methodSummary: String
    /// Why `auto` passed over the methods before the one it picked.
    package var passedOver: [(name: String, reason: String)]
    package var timer: AccessTimer
    /// The method the walk went through, still open: a later measurement of
    /// the same method (the absent buses) uses it and `timer` again.
    package var access: ConfigAccess
    package var root: String
    package var passes: Int
    package var brute: Bool
    package var walk: Walk.Result
    /// Per function: reads of one pass, latency of all passes.
    package var stats: [PCIAddress: AccessStats]
    /// Vendor probes where nothing answered, all addresses together (same rule).
    package var emptyProbeStats: AccessStats
    /// Every access of the first pass, in order, when recording was asked for.
    package var records: [AccessRecord]
    /// What sysfs says beyond config space (driver, IRQ, BAR sizes), per
    /// function; empty when the method does not read this tree (a dump).
    package var kernel: [PCIAddress: KernelDevice] = [:]
    /// lspci -x/-xxx/-xxxx: each function's config bytes as the dump shows
    /// them, read (and counted, and timed) after the walk; and how many reads
    /// each function's dump took (a dump cut short counts the reads made).
    package var dumps: [PCIAddress: [UInt8]] = [:]
    package var dumpReads: [PCIAddress: Int] = [:]

    /// Accesses that went to present functions (what a hypervisor's trace
    /// attributes to devices), and to addresses where nothing answered.
    package var deviceReads: Int { walk.functions.reduce(0) { $0 + (stats[$1.address]?.reads ?? 0) } }
    /// What is shown: every access of the walk, or, once `show(only:)` kept
    /// part of it, the shown functions' accesses alone.
    package var totals: AccessStats {
        guard wholeWalk != nil else { return stats.values.reduce(into: emptyProbeStats) { $0.add($1) } }
        return walk.functions.reduce(into: AccessStats()) { t, f in if let s = stats[f.address] { t.add(s) } }
    }

    /// The whole walk's figures, kept when a filter shows part of it.
    package struct WholeWalk {
        package var functions: Int
        package var totals: AccessStats
        package var deviceReads: Int
        package var emptyProbeReads: Int
    }
    package var wholeWalk: WholeWalk?

    /// Keeps the functions `keep` accepts (lspci -s/-d); when that drops
    /// any, the totals describe the shown ones and `wholeWalk` the rest.
    package mutating func show(only keep: (PCIFunction) -> Bool) {
        let whole = WholeWalk(functions: walk.functions.count, totals: totals, deviceReads: deviceReads, emptyProbeReads: walk.emptyProbes)
        walk.functions = walk.functions.filter(keep)
        if walk.functions.count != whole.functions { wholeWalk = whole }
    }
}

package enum Scanner {
    /// Opens the method (`auto` picks and explains), walks `passes` times and
    /// gathers counts and latencies. Never writes. `kernelView` reads what
    /// sysfs says beyond config space (the -v, -k, -vmm and JSON views need
    /// it; the table and the tree do not, and skip its file reads).
    package static func scan(method requested: String, options: MethodOptions, brute: Bool = false,
                            passes: Int = 1, record: Bool = false, timer: AccessTimer = AccessTimer(),
                            kernelView: Bool = true, hexDump: Int = 0) throws -> ScanReport {
        guard passes >= 1 else { throw PCITimeError.usage("--repeat must be at least 1") }
        // The walk starts at offset 0, below sysfs-ext's window: every read would fail.
        guard requested != "sysfs-ext" else {
            throw PCITimeError.usage("method 'sysfs-ext' is for compare only (it reads offsets 0x100 and up); scan with --method sysfs")
        }
        let access: ConfigAccess
        var passedOver: [(String, String)] = []
        if requested == "auto" {
            let choice = try Methods.auto(options: options)
            access = choice.access
            passedOver = choice.passedOver
        } else {
            access = try Methods.open(requested, options: options)
        }
        let layer = AccessLayer(access, timer: timer)
        layer.recording = record
        let walk = Walk(layer: layer, brute: brute)
        let first = walk.run()
        let (dumps, dumpReads) = hexDump > 0 ? Self.dumps(first.functions, layer: layer, level: hexDump) : ([:], [:])
        let records = layer.records
        layer.recording = false
        var counts = layer.stats
        var empty = layer.emptyProbes
        for _ in 1..<passes { _ = walk.run() }
        for (address, s) in layer.stats {
            counts[address]?.latency = s.latency
        }
        empty.latency = layer.emptyProbes.latency
        var kernel: [PCIAddress: KernelDevice] = [:]
        if kernelView && access.hasKernelView {
            for f in first.functions { kernel[f.address] = KernelDevice.read(root: options.tree, f.address) }
        }
        var report = ScanReport(method: access.name, methodSummary: access.summary, passedOver: passedOver, timer: timer,
                                access: access, root: options.root, passes: passes, brute: brute, walk: first, stats: counts, emptyProbeStats: empty,
                                records: records, kernel: kernel)
        report.dumps = dumps
        report.dumpReads = dumpReads
        return report
    }

    /// The bytes lspci's hex dump shows (lspci.c show_hex_dump): -x the 64
    /// bytes it always reads (128 for a CardBus bridge); -xxx 256 when all of
    /// 64-255 can be read, -xxxx 4096 when all of 256-4095 can: otherwise the
    /// dump stays at what it had. Read as every access is, one timed dword at
    /// a time through the layer, so each counts in its function's reads; and
    /// how many reads each function's dump took.
    static func dumps(_ functions: [PCIFunction], layer: AccessLayer, level: Int) -> (dumps: [PCIAddress: [UInt8]], reads: [PCIAddress: Int]) {
        var out: [PCIAddress: [UInt8]] = [:]
        var reads: [PCIAddress: Int] = [:]
        for f in functions {
            guard let h = try? layer.handle(f.address) else { continue }
            let before = layer.stats[f.address]?.reads ?? 0
            defer { reads[f.address] = (layer.stats[f.address]?.reads ?? 0) - before }
            func block(_ range: Range<Int>) -> [UInt8]? {
                guard range.upperBound <= h.window.upperBound, range.lowerBound >= h.window.lowerBound else { return nil }
                var bytes: [UInt8] = []
                bytes.reserveCapacity(range.count)
                for o in stride(from: range.lowerBound, to: range.upperBound, by: 4) {
                    guard let v = try? layer.read(h, offset: o, width: .dword) else { return nil }
                    for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
                }
                return bytes
            }
            let cached = f.headerType & 0x7f == 2 ? 128 : 64
            guard var bytes = block(0..<cached) else { continue }
            if level >= 3, let more = block(cached..<256) {
                bytes += more
                if level >= 4, let ext = block(256..<4096) { bytes += ext }
            }
            out[f.address] = bytes
        }
        return (out, reads)
    }
}
