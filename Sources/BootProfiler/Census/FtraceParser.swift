import Enumerator

/// The kernel functions behind x86's raw_pci_read/raw_pci_write that the
/// census traces: each is one config access through one mechanism.
package enum ConfigFunction: String, Sendable, CaseIterable, Codable {
    case conf1Read = "pci_conf1_read", conf1Write = "pci_conf1_write"
    case mmcfgRead = "pci_mmcfg_read", mmcfgWrite = "pci_mmcfg_write"

    package var mechanism: Mechanism { self == .conf1Read || self == .conf1Write ? .type1 : .ecam }
    package var isWrite: Bool { self == .conf1Write || self == .mmcfgWrite }
}

/// Where an access went, when the tracer recorded the function's arguments
/// (BTF function arguments: Linux 6.15+, CONFIG_FUNCTION_TRACE_ARGS, trace
/// options `func-args` / `funcgraph-args`): `seg, bus, devfn, reg, len`.
package struct ConfigTarget: Sendable, Equatable, Hashable {
    package var address: PCIAddress
    package var offset: Int
    package var length: Int
}

/// One traced call of a `ConfigFunction`.
package struct FtraceCall: Sendable, Equatable {
    package var function: ConfigFunction
    /// Nanoseconds on the trace clock (trace_clock=global: the kernel log's
    /// clock); nil for function_graph without `funcgraph-abstime`.
    package var time: UInt64?
    package var cpu: Int?
    /// The task's pid (the function tracer's `TASK-PID`, function_graph's
    /// `funcgraph-proc` column or its task switches); nil when not shown.
    package var task: Int?
    /// The function tracer's parent (`<-caller`); for function_graph, the
    /// innermost marker function it is nested in (nil: none).
    package var caller: String?
    package var target: ConfigTarget?
    /// function_graph: entry to return, tracer overhead included.
    package var nanoseconds: UInt64?
    /// function_graph: traced calls nested inside it (each adds the tracer's
    /// own entry and exit cost to `nanoseconds`).
    package var nested = 0
}

/// A marker function's entry, or the trace event naming a device, between
/// two config calls: it comes right before `calls[position]`.
package struct TraceMarker: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case function(MarkerFunction)
        /// rpm_resume of a PCI function.
        case resumed(PCIAddress)
    }
    package var kind: Kind
    package var position: Int
    package var time: UInt64?
    package var task: Int?
    package var caller: String?
}

/// Parses tracefs `trace`/`snapshot` text of the function or function_graph
/// tracer, with or without irq-info, CPU, abstime, proc and args columns, on
/// any number of CPUs. Lines of other functions, markers and cut lines are
/// counted, never fatal; `LOST` markers and the header's entries-written
/// figure are kept so a census never undercounts silently.
package struct FtraceParser {
    package enum Tracer: String, Sendable, Codable { case function, functionGraph = "function_graph" }
    package private(set) var calls: [FtraceCall] = []
    /// Marker functions and device events, in trace order.
    package private(set) var markers: [TraceMarker] = []
    /// `# tracer: NAME`.
    package private(set) var declaredTracer: String?
    /// Which line shapes were seen (both: the file mixes two traces).
    package private(set) var functionLines = 0
    package private(set) var graphLines = 0
    package private(set) var lostEvents = 0
    /// `# entries-in-buffer/entries-written: A/B`: B - A were overwritten.
    package private(set) var entriesInBuffer: Int?
    package private(set) var entriesWritten: Int?
    package private(set) var malformed = 0
    /// Calls of other functions outside any config call, and other events.
    package private(set) var foreign = 0
    /// function_graph: a call still open at the end, or a `}` with no opening.
    package private(set) var unmatched = 0
    /// Durations of leaf calls nested in config calls (spinlock helpers that
    /// do almost nothing): what one traced call costs the tracer.
    package private(set) var nestedLeafNanoseconds: [UInt64] = []
    package private(set) var withArguments = 0

    /// function_graph: an open call: a config call (its index in `calls`), a
    /// marker (named as the caller of what nests in it), or another function.
    struct Frame { var call: Int?; var marker: MarkerFunction? }
    /// Per task (per CPU when tasks are not shown): the open graph frames.
    var stacks: [Int: [Frame]] = [:]
    /// function_graph without the proc column: the task each CPU switched to.
    var running: [Int: Int] = [:]

    package init() {}

    package var tracer: Tracer? {
        if let d = declaredTracer { return d == "function_graph" ? .functionGraph : d == "function" ? .function : nil }
        return graphLines > functionLines ? .functionGraph : functionLines > 0 ? .function : nil
    }
    package var mixed: Bool { functionLines > 0 && graphLines > 0 }
    package var overwritten: Int {
        guard let a = entriesInBuffer, let b = entriesWritten, b > a else { return 0 }
        return b - a
    }
    /// Entries the buffer dropped or overwrote: the census is short by up to this many.
    package var lost: Int { lostEvents + overwritten }
    /// Whether the boot was traced with the marker functions.
    package var hasMarkers: Bool { markers.contains { if case .function = $0.kind { return true }; return false } }

    package mutating func consume(text: String) { LineReader.forEachLine(text: text) { consume($0) } }

    /// The most entries a streamed trace may leave held (calls, markers,
    /// nested leaves): the largest boot census holds ~22k, and an endless
    /// stream stops here, its peak memory modest (a call is 128 bytes).
    package static let maxEntries = 100_000

    /// `consume` for a streamed file (`name`): refuses (65) the entry past `maxEntries`.
    mutating func consume(_ line: ByteLine, from name: String) throws {
        consume(line)
        if calls.count + markers.count + nestedLeafNanoseconds.count > Self.maxEntries {
            throw PCITimeError.input(name, "more than \(Self.maxEntries) entries: not one boot's trace")
        }
    }

    package mutating func finish() -> [FtraceCall] {
        for (_, stack) in stacks { unmatched += stack.compactMap(\.call).count }
        stacks = [:]
        return calls
    }

    mutating func consume(_ line: ByteLine) {
        let l = line.trimmingLeadingBlanks()
        guard !l.isEmpty else { return }
        if l[0] == 0x23 { header(l); return }                                   // '#'
        if let n = TraceIntegrity.lostCount(l) {
            lostEvents = min(lostEvents + n, 1 << 62)   // a fuzzed count must not overflow
            return
        }
        // function_graph's markers: irq entry/exit arrows, task switches.
        if l.contains("=====>") || l.contains("<=====") || l.hasPrefix("------") { graphLines += 1; return }
        if let arrow = l.firstRange(of: " => ") { taskSwitch(l, arrow: arrow); return }
        if let bar = l.lastIndex(of: 0x7C), !l.contains(" <-") || l.contains(") |") || l.contains(" us ") {
            graph(l, lastBar: bar)
        } else {
            function(l)
        }
    }

    mutating func header(_ l: ByteLine) {
        if let rest = l.after("# tracer: ") { declaredTracer = rest.string.split(separator: " ").first.map(String.init) }
        if case let (a, b?)? = TraceIntegrity.entryCounts(l) {
            entriesInBuffer = Int(a)
            entriesWritten = Int(b)
        }
    }

    /// ` 0)  swapper-1    =>  kworker-50  `: the task CPU 0 runs from here on.
    mutating func taskSwitch(_ l: ByteLine, arrow: Int) {
        graphLines += 1
        guard let close = l.firstIndex(of: 0x29), let (cpu, end) = l.decimalValue(at: 0), end == close,
              let pid = Self.pid(l.dropFirst(arrow + 4).trimmingLeadingBlanks()) else { return }
        running[Int(cpu)] = pid
    }

    /// The pid at the end of `TASK-PID` (a task name may hold dashes and spaces).
    static func pid(_ word: ByteLine) -> Int? {
        var end = word.count
        while end > 0 && (word[end - 1] == 0x20 || word[end - 1] == 0x09) { end -= 1 }
        var start = end
        while start > 0, word[start - 1] >= 0x30, word[start - 1] <= 0x39 { start -= 1 }
        // Linux's pids stop at PID_MAX_LIMIT (2^22); anything longer is garbage.
        guard start < end, start > 0, word[start - 1] == 0x2D, let (v, stop) = word.decimalValue(at: start),
              stop == end, v <= 1 << 22 else { return nil }
        return Int(v)
    }

    /// `TASK-PID [CPU] FLAGS TIME: FUNC <-CALLER` (FUNC may carry `(args)`),
    /// or `TASK-PID [CPU] FLAGS TIME: EVENT: fields` for a trace event.
    mutating func function(_ l: ByteLine) {
        guard let open = l.firstRange(of: "["), let close = l.firstIndex(of: 0x5D, from: open + 1),
              let (cpu, _) = l.decimalValue(at: open + 1) else { malformed += 1; return }
        let task = Self.pid(l.prefix(open))
        guard let (t, colon) = TraceIntegrity.entryTime(l, from: close + 1) else { malformed += 1; return }
        functionLines += 1
        let rest = l.dropFirst(colon + 1).trimmingLeadingBlanks()
        guard let (name, target, end) = Self.call(rest) else { malformed += 1; return }
        if end < rest.count, rest[end] == 0x3A {                                // "EVENT: ..."
            event(name, rest.dropFirst(end + 1).trimmingLeadingBlanks(), time: t, task: task)
            return
        }
        var caller: String?
        if let arrow = rest.firstRange(of: "<-", from: end) {
            var c = rest.dropFirst(arrow + 2)
            var n = 0
            while n < c.count && c[n] != 0x2B && c[n] != 0x20 { n += 1 }   // drop +0x2c/0x40
            c = c.prefix(n)
            if !c.isEmpty { caller = c.string }
        }
        guard let f = ConfigFunction(rawValue: name) else {
            if let m = MarkerFunction(rawValue: name) {
                markers.append(TraceMarker(kind: .function(m), position: calls.count, time: t, task: task, caller: caller))
            } else {
                foreign += 1
            }
            return
        }
        if target != nil { withArguments += 1 }
        calls.append(FtraceCall(function: f, time: t, cpu: Int(cpu), task: task, caller: caller, target: target))
    }

    /// A trace event's fields: `rpm_resume: 0000:00:05.0 flags-4 ...` names a
    /// PCI function; other events and other devices are counted as foreign.
    mutating func event(_ name: String, _ fields: ByteLine, time: UInt64?, task: Int?) {
        guard name == MarkerFunction.deviceEvent, let (a, rest) = BootProfileBuilder.address(fields),
              rest.isEmpty || rest[0] == 0x20 else { foreign += 1; return }
        markers.append(TraceMarker(kind: .resumed(a), position: calls.count, time: time, task: task, caller: nil))
    }

    /// `[TIME |] [CPU)] [task-pid |] [DURATION] | FUNC...`: the columns are
    /// split by '|'; the function text is after the last one.
    mutating func graph(_ l: ByteLine, lastBar: Int) {
        var time: UInt64?, cpu: Int?, duration: UInt64?, task: Int?
        var start = 0
        var i = 0
        while i <= lastBar {
            if i == lastBar || l[i] == 0x7C {
                let col = ByteLine(l.base + start, i - start).trimmingLeadingBlanks()
                if Self.duration(col) == nil, let (t, end) = col.seconds(at: 0), end == col.count || col[end] == 0x20 { if time == nil { time = t } }
                if let close = col.firstIndex(of: 0x29), let (c, end) = col.decimalValue(at: 0), end == close {
                    cpu = Int(c)
                    let after = col.dropFirst(close + 1).trimmingLeadingBlanks()
                    duration = Self.duration(after) ?? duration
                    if duration == nil, !after.isEmpty, let p = Self.pid(after) { task = p }  // funcgraph-proc
                } else if let d = Self.duration(col) {
                    duration = d
                } else if task == nil, !col.isEmpty, let p = Self.pid(col) {
                    task = p
                }
                start = i + 1
            }
            i += 1
        }
        let text = l.dropFirst(lastBar + 1).trimmingLeadingBlanks()
        guard !text.isEmpty else { malformed += 1; return }
        graphLines += 1
        task = task ?? running[cpu ?? -1]
        // Frames per task: a task switched out inside a call (a driver probe
        // on a worker) leaves it open while others run on the same CPU.
        let key = task ?? (cpu ?? -1)
        if let comment = text.after("/* ") {                                     // a trace event
            if let colon = comment.firstIndex(of: 0x3A) {
                event(comment.prefix(colon).string, comment.dropFirst(colon + 1).trimmingLeadingBlanks(), time: time, task: task)
            }
            return
        }
        if text[0] == 0x7D {                                                    // '}'
            guard var stack = stacks[key], !stack.isEmpty else { unmatched += 1; return }
            if let idx = stack.removeLast().call {
                calls[idx].nanoseconds = duration
            }
            stacks[key] = stack
            return
        }
        guard let (name, target, end) = Self.call(text) else { malformed += 1; return }
        let opens = text.firstIndex(of: 0x7B, from: end) != nil                 // '{'
        let inside = stacks[key]?.last(where: { $0.call != nil })?.call
        let marker = MarkerFunction(rawValue: name)
        guard let f = ConfigFunction(rawValue: name), inside == nil else {
            if let idx = inside {
                calls[idx].nested += 1
                if !opens, let d = duration { nestedLeafNanoseconds.append(d) }
            } else if let m = marker {
                // The enclosing marker stands for the caller the function tracer names.
                let caller = stacks[key]?.last(where: { $0.marker != nil })?.marker?.rawValue
                markers.append(TraceMarker(kind: .function(m), position: calls.count, time: time, task: task, caller: caller))
            } else {
                foreign += 1
            }
            if opens { stacks[key, default: []].append(Frame(call: nil, marker: inside == nil ? marker : nil)) }
            return
        }
        if target != nil { withArguments += 1 }
        let enclosing = stacks[key]?.last(where: { $0.marker != nil })?.marker?.rawValue
        calls.append(FtraceCall(function: f, time: time, cpu: cpu, task: task, caller: enclosing, target: target, nanoseconds: opens ? nil : duration))
        if opens { stacks[key, default: []].append(Frame(call: calls.count - 1, marker: nil)) }
    }

    /// `NAME` or `NAME(args)` at the line's start: the name, the config
    /// target when the arguments are there, and the index after the call.
    /// Nil when the name is not an identifier.
    static func call(_ l: ByteLine) -> (String, ConfigTarget?, Int)? {
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
            guard ConfigFunction(rawValue: name) != nil else { return (name, nil, end) }
            for part in ByteLine(l.base + n + 1, close - n - 1).string.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                let key = kv[0].filter { $0 != " " }
                let v = kv[1].filter { $0 != " " }
                let x = v.hasPrefix("0x") ? UInt64(v.dropFirst(2), radix: 16) : Int64(v).map { UInt64(bitPattern: $0) }
                if let x { args[key] = UInt32(truncatingIfNeeded: x) }
            }
        }
        var target: ConfigTarget?
        if let seg = args["seg"], let bus = args["bus"], let devfn = args["devfn"], let reg = args["reg"], let len = args["len"],
           seg <= 0xffff, bus <= 0xff, devfn <= 0xff {
            target = ConfigTarget(address: PCIAddress(segment: UInt16(seg), bus: UInt8(bus), device: UInt8(devfn >> 3), function: UInt8(devfn & 7)),
                                  offset: Int(Int32(bitPattern: reg)), length: Int(Int32(bitPattern: len)))
        }
        return (name, target, end)
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
