/// The kernel command-line parameters that make the boot census possible
/// (verified on Debian's 6.1 cloud kernel, q35 TCG; see census-params).
public enum KernelParams {
    public static let functions = ConfigFunction.allCases.map(\.rawValue).joined(separator: ",")

    /// The function tracer from core_initcall, before pci_arch_init, each call
    /// with its caller; the buffer (16 MiB per CPU) holds hundreds of thousands
    /// of entries; the boot's part is frozen in `snapshot` before init runs.
    public static let census = "ftrace=function ftrace_filter=\(functions) trace_clock=global trace_buf_size=16M ftrace_boot_snapshot"

    /// function_graph: each call's in-kernel duration, absolute times to
    /// place it in the log's windows, no irq entries inside the calls.
    public static let latency = graph(options: "funcgraph-abstime,nofuncgraph-irqs")

    static func graph(options: String) -> String {
        "ftrace=function_graph ftrace_graph_filter=\(functions) trace_options=\(options) trace_clock=global trace_buf_size=16M ftrace_boot_snapshot"
    }

    /// On Linux 6.15+ built with CONFIG_FUNCTION_TRACE_ARGS the tracer also
    /// records each call's arguments (BTF): exact per-device counts.
    public static let argumentsOption = "func-args"
    public static let graphArgumentsOption = "funcgraph-args"

    public static func line(latency: Bool, arguments: Bool) -> String {
        if !arguments { return latency ? Self.latency : census }
        return latency ? graph(options: "funcgraph-abstime,nofuncgraph-irqs,\(graphArgumentsOption)") : census + " trace_options=\(argumentsOption)"
    }

    /// What `pcitime boot` says when it finds no boot trace.
    public static let howTo = "No boot trace here; for a measured census, add to the kernel command line `\(census)` " +
        "(`pcitime boot --kernel-params`; Firecracker boot_args, Cloud Hypervisor --cmdline, QEMU -append), boot, then run `pcitime boot` again"
}
