import Enumerator

/// Where a per-access price comes from, in the order pcitime trusts them
/// (`LatencyBook` takes the first it has for each mechanism and class):
package enum LatencySource: Int, Codable, Sendable, Comparable, CaseIterable {
    /// `--latency FILE`: measured by the user, on the machine in question.
    case given
    /// The kernel's own price, from an untraced boot's log timestamps
    /// (`KernelLogPrice`): the code around each trap included, which user
    /// space cannot time.
    case kernelLog
    /// This machine, the mechanism itself from user space (pio, ecam):
    /// no tracer, no system call.
    case live
    /// This machine through the kernel (sysfs), less the same system call on
    /// a sysfs attribute that makes no config access: one trap.
    case liveTrap
    /// A boot trace's in-kernel durations (function_graph, kprobes): the
    /// tracer's own cost included, so an upper bound.
    case bootTrace
    /// No measurement: an assumption, said where it is used.
    case modelled

    package static func < (a: LatencySource, b: LatencySource) -> Bool { a.rawValue < b.rawValue }

    package var name: String {
        switch self {
        case .given: return "given"
        case .kernelLog: return "kernel log"
        case .live: return "live"
        case .liveTrap: return "live, through the kernel"
        case .bootTrace: return "boot trace"
        case .modelled: return "modelled"
        }
    }
}

/// What an access finds, since a VMM may answer each at its own price: a
/// function that is there; nothing, on a bus that exists (an empty slot or
/// an absent function); nothing, on a bus that does not exist (the kernel's
/// peer-bus probes: QEMU looks through every bridge for the bus first).
/// Each class is priced only at a latency measured for it.
package enum ProbeClass: String, Codable, Sendable, CaseIterable {
    case present
    case empty
    case absentBus = "absent bus"

    /// "accesses", "empty probes", "probes of absent buses".
    package var accesses: String {
        switch self {
        case .present: return "accesses"
        case .empty: return "empty probes"
        case .absentBus: return "probes of absent buses"
        }
    }

    /// One of them: "access", "empty probe", "probe of an absent bus".
    package var access: String {
        switch self {
        case .present: return "access"
        case .empty: return "empty probe"
        case .absentBus: return "probe of an absent bus"
        }
    }
}

/// A per-access latency for one mechanism and class, and where it came from.
package struct LatencyEstimate: Codable, Sendable, Equatable {
    package var mechanism: Mechanism
    package var nanoseconds: Double
    package var provenance: Provenance
    package var source: LatencySource
    package var probe: ProbeClass
    /// Accesses behind the figure (nil: unknown).
    package var samples: Int?

    package init(mechanism: Mechanism, nanoseconds: Double, provenance: Provenance,
                source: LatencySource = .given, probe: ProbeClass = .present, samples: Int? = nil) {
        self.mechanism = mechanism
        self.nanoseconds = nanoseconds
        self.provenance = provenance
        self.source = source
        self.probe = probe
        self.samples = samples
    }
}
