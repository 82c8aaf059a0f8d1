import Enumerator

/// The kernel command-line parameters that make the boot census possible:
/// the function tracer (or function_graph, `timed`) from core_initcall, on
/// the config-access functions and the `MarkerFunction`s, with the runtime-PM
/// event that names devices; the boot's part frozen in `snapshot` before
/// init runs (6.0+; older kernels keep it in the live buffer). Verified on
/// Debian's 5.10, 6.1, 6.12 and 7.x cloud kernels under QEMU.
package struct KernelParams: Sendable, Equatable {
    package var timed = false
    /// Record each call's arguments (BTF: Linux 6.15+ with
    /// CONFIG_FUNCTION_TRACE_ARGS): exact per-device counts.
    package var arguments = false
    /// Per-CPU ring buffer, in MiB.
    package var bufferMiB = Self.defaultBufferMiB

    package init(timed: Bool = false, arguments: Bool = false, bufferMiB: Int = Self.defaultBufferMiB) {
        self.timed = timed
        self.arguments = arguments
        self.bufferMiB = bufferMiB
    }

    package static let defaultBufferMiB = 4
    package static let configFunctions = ConfigFunction.allCases.map(\.rawValue)
    package static let functions = (configFunctions + MarkerFunction.allCases.map(\.rawValue)).joined(separator: ",")
    package static let argumentsOption = "func-args"
    package static let graphArgumentsOption = "funcgraph-args"

    package var line: String {
        let filter = "ftrace_filter=\(Self.functions) trace_event=\(MarkerFunction.eventParameter)"
        let common = "trace_clock=global trace_buf_size=\(bufferMiB)M ftrace_boot_snapshot"
        if timed {
            // funcgraph-proc: the task of every line (driver probes run on
            // workers); abstime: place calls among the log's lines.
            let options = "funcgraph-abstime,funcgraph-proc,nofuncgraph-irqs" + (arguments ? "," + Self.graphArgumentsOption : "")
            return "ftrace=function_graph \(filter) trace_options=\(options) \(common)"
        }
        return "ftrace=function \(filter) \(common)" + (arguments ? " trace_options=\(Self.argumentsOption)" : "")
    }

    /// Bytes one census entry takes in the ring buffer, generously: the
    /// function tracer's record (header, ip, parent ip) or function_graph's
    /// entry and return records, plus six arguments when recorded.
    var bytesPerEntry: Int { (timed ? 96 : 48) + (arguments ? 64 : 0) }

    /// A buffer that holds a census of `functions` devices with room to
    /// spare: the peer-bus probes of every absent bus (at most 8,160), about
    /// 400 accesses and markers per function, twice over. At least 4 MiB.
    package static func sized(timed: Bool, arguments: Bool, functions: Int) -> KernelParams {
        var p = KernelParams(timed: timed, arguments: arguments)
        let entries = 8_192 + 400 * max(functions, 1)
        p.bufferMiB = max(defaultBufferMiB, (2 * entries * p.bytesPerEntry + (1 << 20) - 1) >> 20)
        return p
    }

    /// What `pcitime capture` keeps of the census: these parameters through
    /// redaction, and the trace (`TraceSource.files`) when a census tracer
    /// ran at boot.
    package static let capture = Capture.BootTrace(
        parameters: ["ftrace", "ftrace_filter", "ftrace_graph_filter", "trace_options", "trace_clock", "trace_buf_size", "ftrace_boot_snapshot", "trace_event"],
        tracers: [FtraceParser.Tracer.function.rawValue, FtraceParser.Tracer.functionGraph.rawValue],
        files: TraceSource.files)

    /// What `pcitime boot` says when it finds no boot trace.
    package static let howTo = "No boot trace here; for a measured census, add to the kernel command line what `pcitime boot --kernel-params` prints " +
        "(Firecracker boot_args, Cloud Hypervisor --cmdline, QEMU -append), boot, then run `pcitime boot` again"
}

/// What the running kernel offers the census, read from tracefs and sysfs,
/// so `--kernel-params` prints only what will work here.
package struct TracingSupport: Sendable, Equatable {
    /// nil: no tracefs to look at (not mounted and not mountable), so
    /// nothing below was checked.
    package var tracefs: String?
    package var tracers: Set<String> = []
    package var functionArguments = false
    package var graphArguments = false
    package var btf = false
    package var deviceEvent = false
    /// Markers this kernel cannot trace (inlined or renamed); nil when
    /// available_filter_functions is unreadable.
    package var missingMarkers: [String]?
    package var cpus = 1
    package var functions = 0

    package init(tracefs: String?) { self.tracefs = tracefs }

    /// Looks at this machine; mounts tracefs read-only for the look when
    /// nothing is mounted, and unmounts it again. A file that opens but
    /// cannot be read is an error, not an answer.
    package static func here() throws -> TracingSupport {
        let root = TracingRoot.live()
        defer { root.release() }
        var s = TracingSupport(tracefs: root.path)
        s.cpus = try Tracefs.possibleCPUs()
        s.functions = MachineRoot.live.names(inDirectory: MachineRoot.devices)?.count ?? 0
        s.btf = Tracefs.exists("/sys/kernel/btf/vmlinux")
        guard let d = root.path else { return s }
        s.tracers = Set((try Tracefs.read(d + "/available_tracers") ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        // options/ lists every tracer's options, trace_options only the current one's.
        let options = Set(Tracefs.names(in: d + "/options"))
        s.functionArguments = options.contains(KernelParams.argumentsOption)
        s.graphArguments = options.contains(KernelParams.graphArgumentsOption)
        s.deviceEvent = Tracefs.exists(d + "/events/rpm/" + MarkerFunction.deviceEvent)
        if let list = try Tracefs.read(d + "/available_filter_functions"), !list.isEmpty {
            var have = Set<Substring>()
            for line in list.split(separator: "\n") { have.insert(line.split(separator: " ").first ?? line) }
            s.missingMarkers = MarkerFunction.allCases.map(\.rawValue).filter { !have.contains(Substring($0)) }
        }
        return s
    }

    /// The parameters for this kernel, and what was checked (for standard
    /// error). Throws `unavailable` (69) for a variant the kernel cannot run.
    package func params(timed: Bool, arguments: Bool) throws -> (params: KernelParams, notes: [String]) {
        var notes: [String] = []
        let p = KernelParams.sized(timed: timed, arguments: arguments, functions: functions)
        guard let d = tracefs else {
            notes.append("no tracefs here, so nothing was checked against this kernel: the function tracer (CONFIG_FUNCTION_TRACER) and, for --timed, function_graph are needed")
            return (p, notes + [bufferNote(p)])
        }
        let tracer = timed ? "function_graph" : "function"
        guard tracers.contains(tracer) else {
            throw PCITimeError.unavailable("\(d)/available_tracers", "no \(tracer) tracer (\(tracers.sorted().joined(separator: " ")))"
                + (timed && tracers.contains("function") ? ": use --kernel-params without --timed (the function tracer counts the same accesses)" : ": this kernel is built without it"))
        }
        if arguments {
            let has = timed ? graphArguments : functionArguments
            guard has, btf else {
                throw PCITimeError.unavailable("--arguments", "this kernel does not record function arguments (\(d)/options has no \(timed ? KernelParams.graphArgumentsOption : KernelParams.argumentsOption)\(btf ? "" : ", no /sys/kernel/btf/vmlinux")): Linux 6.15+ with CONFIG_FUNCTION_TRACE_ARGS and BTF; without --arguments the census places accesses on devices by the marker functions")
            }
        }
        if !deviceEvent { notes.append("this kernel has no \(MarkerFunction.eventParameter) event (CONFIG_PM): driver probes and bridges are placed on devices by order only") }
        if let m = missingMarkers, !m.isEmpty { notes.append("this kernel cannot trace \(m.joined(separator: ", ")) (inlined): the accesses after them stay with the step before") }
        notes.append("checked against this kernel: \(tracer) tracer, \(deviceEvent ? "" : "no ")device event\(arguments ? ", function arguments" : "")")
        return (p, notes + [bufferNote(p)])
    }

    func bufferNote(_ p: KernelParams) -> String {
        "trace_buf_size is per CPU: \(p.bufferMiB) MiB x \(cpus) CPU\(cpus == 1 ? "" : "s") = \(p.bufferMiB * cpus) MiB of guest memory while it holds the boot (sized for \(functions) PCI functions here and every peer-bus probe)"
    }
}
