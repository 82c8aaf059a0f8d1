import Enumerator

/// Where the projection's count of the kernel's accesses comes from.
package enum AccessCountSource: Sendable {
    /// `--accesses N`.
    case given(Int)
    /// A kprobe trace file (`pcitime trace --save`), read once: measured.
    case trace(name: String, accesses: [TracedAccess])
    /// The enumeration model over a sysfs scan: modelled.
    case model

    /// Reads the trace file named on the command line now, once (`-` and a
    /// FIFO have nothing left for a second read), so that a mistake in it
    /// stops the run before anything is timed.
    package static func trace(file: String) throws -> AccessCountSource {
        .trace(name: file, accesses: try TraceFile.parse(file).accesses)
    }
}

/// The kernel log as compare sees it: optional, since a compare without one
/// still runs (no split, no share of boot).
package struct CompareKernelLog: Sendable {
    package var profile: BootProfile?
    package var name: String
    /// Why there is no profile.
    package var problem: String?
    /// The error itself: a log named with --dmesg must load.
    package var error: Error?

    /// Reads the log as `boot` does, keeping the error instead of throwing it.
    package init(file: String?, root: String) {
        do {
            (profile, name) = try KernelLog.load(file: file, root: root)
        } catch {
            profile = nil
            name = file.map(CommandLineFile.displayName) ?? MachineRoot(root).kernelLogPath ?? "/dev/kmsg"
            problem = "\(error)"
            self.error = error
        }
    }
}

extension BootProfile {
    /// The kernel's split in words: the log line and the ECAM windows in use.
    var mechanismEvidence: String? {
        guard let m = mechanism else { return nil }
        let windows = ecam.filter(\.used).map { "ECAM for segment \($0.segment) buses \(String($0.startBus, radix: 16))-\(String($0.endBus, radix: 16))" }
        let at = String(m.time / 1_000_000) + "." + String(1_000_000 + m.time % 1_000_000).dropFirst() + " s"
        return "kernel log at \(at): \(m.detail)" + (windows.isEmpty ? "" : "; " + windows.joined(separator: ", "))
    }
}

extension CompareReport {
    /// The kernel's base-space accesses at each method's median against the
    /// baseline's; on failure, `projectionNote` says why there is none.
    package mutating func project(_ source: AccessCountSource, options: MethodOptions, log: CompareKernelLog) {
        let count: (n: Int, provenance: Provenance, kind: String)
        var countError: Double?
        var perDevice: AccessCounts?
        do {
            if case .given(let n) = source {
                count = (n, Provenance(.given, "--accesses"), "config accesses")
            } else {
                let functions = try Scanner.scan(method: "sysfs", options: options, kernelView: false).walk.functions.map(EnumeratedFunction.init)
                let split = log.profile?.mechanism
                let counts: AccessCounts
                var what = ""
                if case .trace(let file, let accesses) = source {
                    counts = TraceCounts.counts(accesses, present: Set(functions.map(\.address)),
                                                base: split?.base ?? .type1, extended: split?.extended, source: "kprobe trace \(file)")
                } else {
                    counts = EnumerationModel.counts(log: log.profile, functions: functions, source: .tree)
                    what = "; \(functions.count) functions from a sysfs scan of \(options.root)"
                }
                perDevice = counts
                countError = counts.expectedError
                let kind: Provenance.Kind = counts.provenance.kind == .measured ? .measured : .modelled
                count = (counts.baseTotal, Provenance(kind, counts.provenance.source + what), "base-space (offset < 0x100) config accesses")
            }
        } catch {
            projectionNote = "none: no kernel access count (\(error)); give --accesses N"
            return
        }
        let bootUS = log.profile?.kernelBoot
        let bootProvenance = bootUS.map { _ in Provenance(.measured, "\(log.name), kernel start to 'Run ... as init process'") }
        projections = zip(runs.dropFirst(), comparisons).map { run, c in
            Projection(accesses: count.n, accessesBasis: count.provenance, accessKind: count.kind, from: baseline, to: run,
                       comparison: c, countError: countError, kernelBootMicroseconds: bootUS, kernelBootBasis: bootProvenance)
        }
        // Weighted by each function's own count, when the functions differ
        // and the count is per device.
        if let counts = perDevice, !perFunction.isEmpty {
            weightedProjections = zip(runs.dropFirst(), comparisons).enumerated().map { k, pair in
                let parts = perFunction.map { (function: $0.function, accesses: counts.device($0.function)?.base ?? 0, comparison: $0.comparisons[k]) }
                let rest = max(0, count.n - parts.reduce(0) { $0 + $1.accesses })
                return WeightedProjection(from: baseline.requested, to: pair.0.requested, accessesBasis: count.provenance,
                                          parts: parts, rest: rest, pooled: pair.1, kernelBootMicroseconds: bootUS)
            }
        }
        if bootUS == nil {
            notes.append("kernel boot length unknown (\(log.problem ?? "the log has no kernel start or no 'Run ... as init process' line")): no share of boot")
        }
    }
}
