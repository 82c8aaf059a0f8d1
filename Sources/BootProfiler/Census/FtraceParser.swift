import Enumerator

/// The kernel functions behind x86's raw_pci_read/raw_pci_write that the
/// census traces: each is one config access through one mechanism.
public enum ConfigFunction: String, Sendable, CaseIterable, Codable {
    case conf1Read = "pci_conf1_read", conf1Write = "pci_conf1_write"
    case mmcfgRead = "pci_mmcfg_read", mmcfgWrite = "pci_mmcfg_write"

    public var mechanism: Mechanism { self == .conf1Read || self == .conf1Write ? .type1 : .ecam }
    public var isWrite: Bool { self == .conf1Write || self == .mmcfgWrite }
}

/// Where an access went, when the tracer recorded the function's arguments
/// (BTF function arguments: Linux 6.15+, CONFIG_FUNCTION_TRACE_ARGS, trace
/// options `func-args` / `funcgraph-args`): `seg, bus, devfn, reg, len`.
public struct ConfigTarget: Sendable, Equatable, Hashable {
    public var address: PCIAddress
    public var offset: Int
    public var length: Int
}

/// One traced call of a `ConfigFunction`.
public struct FtraceCall: Sendable, Equatable {
    public var function: ConfigFunction
    /// Nanoseconds on the trace clock (trace_clock=global: the kernel log's
    /// clock); nil for function_graph without `funcgraph-abstime`.
    public var time: UInt64?
    public var cpu: Int?
    /// The function tracer's parent (`<-caller`); function_graph has none.
    public var caller: String?
    public var target: ConfigTarget?
    /// function_graph: entry to return, tracer overhead included.
    public var nanoseconds: UInt64?
    /// function_graph: traced calls nested inside it (each adds the tracer's
    /// own entry and exit cost to `nanoseconds`).
    public var nested = 0
}

/// Parses tracefs `trace`/`snapshot` text of the function or function_graph
/// tracer, with or without irq-info, CPU, abstime, proc and args columns, on
/// any number of CPUs. Lines of other functions, markers and cut lines are
/// counted, never fatal; `LOST` markers and the header's entries-written
/// figure are kept so a census never undercounts silently.
public struct FtraceParser {
    public enum Tracer: String, Sendable, Codable { case function, functionGraph = "function_graph" }
    public private(set) var calls: [FtraceCall] = []
    /// `# tracer: NAME`.
    public private(set) var declaredTracer: String?
    /// Which line shapes were seen (both: the file mixes two traces).
    public private(set) var functionLines = 0
    public private(set) var graphLines = 0
    public private(set) var lostEvents = 0
    /// `# entries-in-buffer/entries-written: A/B`: B - A were overwritten.
    public private(set) var entriesInBuffer: Int?
    public private(set) var entriesWritten: Int?
    public private(set) var malformed = 0
    /// Calls of other functions outside any config call.
    public private(set) var foreign = 0
    /// function_graph: a call still open at the end, or a `}` with no opening.
    public private(set) var unmatched = 0
    /// Durations of leaf calls nested in config calls (spinlock helpers that
    /// do almost nothing): what one traced call costs the tracer.
    public private(set) var nestedLeafNanoseconds: [UInt64] = []
    public private(set) var withArguments = 0

    /// Per CPU: the open graph frames; the index of the config call in
    /// `calls` when the frame is one, and its depth.
    var stacks: [Int: [Int?]] = [:]

    public init() {}

    public var tracer: Tracer? {
        if let d = declaredTracer { return d == "function_graph" ? .functionGraph : d == "function" ? .function : nil }
        return graphLines > functionLines ? .functionGraph : functionLines > 0 ? .function : nil
    }
    public var mixed: Bool { functionLines > 0 && graphLines > 0 }
    public var overwritten: Int {
        guard let a = entriesInBuffer, let b = entriesWritten, b > a else { return 0 }
        return b - a
    }
    /// Entries the buffer dropped or overwrote: the census is short by up to this many.
    public var lost: Int { lostEvents + overwritten }

    public mutating func consume(text: String) { LineReader.forEachLine(text: text) { consume($0) } }

    public mutating func finish() -> [FtraceCall] {
        for (_, stack) in stacks { unmatched += stack.compactMap { $0 }.count }
        stacks = [:]
        return calls
    }

    mutating func consume(_ line: ByteLine) {
        let l = line.trimmingLeadingBlanks()
        guard !l.isEmpty else { return }
        if l[0] == 0x23 { header(l); return }                                   // '#'
        if l.hasPrefix("CPU:"), let at = l.firstRange(of: "[LOST "), let (n, _) = l.decimalValue(at: at + 6) {
            lostEvents += Int(n)
            return
        }
        // function_graph's markers: irq entry/exit arrows, task switches.
        if l.contains("=====>") || l.contains("<=====") || l.hasPrefix("------") || l.contains(" => ") { graphLines += 1; return }
        if let bar = l.lastIndex(of: 0x7C), !l.contains(" <-") || l.contains(") |") || l.contains(" us ") {
            graph(l, lastBar: bar)
        } else {
            function(l)
        }
    }

    mutating func header(_ l: ByteLine) {
        if let rest = l.after("# tracer: ") { declaredTracer = rest.string.split(separator: " ").first.map(String.init) }
        if let at = l.firstRange(of: "entries-written: "), let (a, slash) = l.decimalValue(at: at + 17),
           slash < l.count, l[slash] == 0x2F, let (b, _) = l.decimalValue(at: slash + 1) {
            entriesInBuffer = Int(a)
            entriesWritten = Int(b)
        }
    }

    /// `TASK-PID [CPU] FLAGS TIME: FUNC <-CALLER` (FUNC may carry `(args)`).
    mutating func function(_ l: ByteLine) {
        guard let open = l.firstRange(of: "["), let close = l.firstIndex(of: 0x5D, from: open + 1),
              let (cpu, _) = l.decimalValue(at: open + 1) else { malformed += 1; return }
        var i = close + 1
        var time: UInt64?
        // The flags field is optional (noirq-info): try two words.
        for _ in 0..<2 {
            while i < l.count && l[i] == 0x20 { i += 1 }
            if let (t, end) = l.seconds(at: i), end < l.count, l[end] == 0x3A { time = t; i = end + 1; break }
            while i < l.count && l[i] != 0x20 { i += 1 }
        }
        guard let t = time else { malformed += 1; return }
        functionLines += 1
        let rest = l.dropFirst(i).trimmingLeadingBlanks()
        guard let (fn, target, end) = Self.call(rest) else { malformed += 1; return }
        guard let f = fn else { foreign += 1; return }
        var caller: String?
        if let arrow = rest.firstRange(of: "<-", from: end) {
            var c = rest.dropFirst(arrow + 2)
            var n = 0
            while n < c.count && c[n] != 0x2B && c[n] != 0x20 { n += 1 }   // drop +0x2c/0x40
            c = c.prefix(n)
            if !c.isEmpty { caller = c.string }
        }
        if target != nil { withArguments += 1 }
        calls.append(FtraceCall(function: f, time: t, cpu: Int(cpu), caller: caller, target: target))
    }

    /// `[TIME |] [CPU)] [task-pid |] [DURATION] | FUNC...`: the columns are
    /// split by '|'; the function text is after the last one.
    mutating func graph(_ l: ByteLine, lastBar: Int) {
        var time: UInt64?, cpu: Int?, duration: UInt64?
        var start = 0
        var i = 0
        while i <= lastBar {
            if i == lastBar || l[i] == 0x7C {
                let col = ByteLine(l.base + start, i - start).trimmingLeadingBlanks()
                if Self.duration(col) == nil, let (t, end) = col.seconds(at: 0), end == col.count || col[end] == 0x20 { if time == nil { time = t } }
                if let close = col.firstIndex(of: 0x29), let (c, end) = col.decimalValue(at: 0), end == close {
                    cpu = Int(c)
                    duration = Self.duration(col.dropFirst(close + 1).trimmingLeadingBlanks()) ?? duration
                } else if let d = Self.duration(col) {
                    duration = d
                }
                start = i + 1
            }
            i += 1
        }
        let text = l.dropFirst(lastBar + 1).trimmingLeadingBlanks()
        guard !text.isEmpty else { malformed += 1; return }
        graphLines += 1
        let key = cpu ?? -1
        if text[0] == 0x7D {                                                    // '}'
            guard var stack = stacks[key], !stack.isEmpty else { unmatched += 1; return }
            if let idx = stack.removeLast() {
                calls[idx].nanoseconds = duration
            }
            stacks[key] = stack
            return
        }
        guard let (fn, target, end) = Self.call(text) else { malformed += 1; return }
        let opens = text.firstIndex(of: 0x7B, from: end) != nil                 // '{'
        let inside = stacks[key]?.contains { $0 != nil } ?? false
        guard let f = fn, !inside else {
            if inside {
                if let idx = stacks[key]?.last(where: { $0 != nil }) ?? nil { calls[idx].nested += 1 }
                if !opens, let d = duration { nestedLeafNanoseconds.append(d) }
            } else {
                foreign += 1
            }
            if opens { stacks[key, default: []].append(nil) }
            return
        }
        if target != nil { withArguments += 1 }
        calls.append(FtraceCall(function: f, time: time, cpu: cpu, caller: nil, target: target, nanoseconds: opens ? nil : duration))
        if opens { stacks[key, default: []].append(calls.count - 1) }
    }

    /// `NAME` or `NAME(args)` at the line's start: the config function (nil
    /// for any other) and its target when the arguments are there. Nil when
    /// the name is not an identifier.
    static func call(_ l: ByteLine) -> (ConfigFunction?, ConfigTarget?, Int)? {
        var n = 0
        while n < l.count, l[n] == 0x5F || (l[n] | 0x20 >= 0x61 && l[n] | 0x20 <= 0x7A) || (l[n] >= 0x30 && l[n] <= 0x39) || l[n] == 0x2E { n += 1 }
        guard n > 0 else { return nil }
        let name = l.prefix(n).string
        var end = n
        // print_function_args: `name=value, ...`, unsigned ints in hex (6.17+)
        // or decimal, signed in decimal; the kernel prints the whole register,
        // so only the parameter's own 32 bits count.
        var args: [String: UInt32] = [:]
        if n < l.count, l[n] == 0x28 {                                          // '('
            guard let close = l.firstIndex(of: 0x29, from: n) else { return nil } // cut mid-way
            end = close + 1
            for part in ByteLine(l.base + n + 1, close - n - 1).string.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                let key = kv[0].filter { $0 != " " }
                let v = kv[1].filter { $0 != " " }
                let x = v.hasPrefix("0x") ? UInt64(v.dropFirst(2), radix: 16) : Int64(v).map { UInt64(bitPattern: $0) }
                if let x { args[key] = UInt32(truncatingIfNeeded: x) }
            }
        }
        guard let f = ConfigFunction(rawValue: name) else { return (nil, nil, end) }
        var target: ConfigTarget?
        if let seg = args["seg"], let bus = args["bus"], let devfn = args["devfn"], let reg = args["reg"], let len = args["len"],
           seg <= 0xffff, bus <= 0xff, devfn <= 0xff {
            target = ConfigTarget(address: PCIAddress(segment: UInt16(seg), bus: UInt8(bus), device: UInt8(devfn >> 3), function: UInt8(devfn & 7)),
                                  offset: Int(Int32(bitPattern: reg)), length: Int(Int32(bitPattern: len)))
        }
        return (f, target, end)
    }

    /// function_graph's duration column: an optional overhead mark
    /// (`+ ! # * @ $`), then `N.NNN us` (or ms/s on newer kernels).
    static func duration(_ col: ByteLine) -> UInt64? {
        var c = col
        if !c.isEmpty, [0x2B, 0x21, 0x23, 0x2A, 0x40, 0x24].contains(c[0]) { c = c.dropFirst(1).trimmingLeadingBlanks() }
        guard let (v, end) = c.seconds(at: 0) else { return nil }
        let unit = c.dropFirst(end).trimmingLeadingBlanks()
        // `seconds(at:)` read the value as seconds: rescale by the unit.
        if unit.hasPrefix("us") { return v / 1_000_000 }
        if unit.hasPrefix("ms") { return v / 1_000 }
        if unit.hasPrefix("ns") { return v / 1_000_000_000 }
        if unit.hasPrefix("s") { return v }
        return nil
    }
}
