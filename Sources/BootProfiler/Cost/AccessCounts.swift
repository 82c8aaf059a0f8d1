import Enumerator

/// Config accesses attributed to one present function.
package struct DeviceAccesses: Codable, Sendable, Equatable {
    package var address: PCIAddress
    package var reads = 0
    package var writes = 0
    /// Accesses at offsets >= 256 (only ECAM or type-1-extended can serve them).
    package var extended = 0
    /// Count per mechanism that served them (`Mechanism.rawValue`; "unknown"
    /// when a trace could not tell).
    package var byMechanism: [String: Int] = [:]
    /// Mean in-kernel latency per access, from a trace's entry/return pairs.
    package var meanNanoseconds: Double?
    /// The kinds the model calibrates this function by, most specific
    /// first (`ModelCalibration.kinds`); empty when counted.
    package var modelKinds: [String] = []

    package init(address: PCIAddress) { self.address = address }
    package var total: Int { reads + writes }
    package var base: Int { total - extended }
}

/// Accesses that found nothing: the probes of empty slots and absent
/// functions on existing buses, and of buses that do not exist at all.
package struct EmptyProbes: Codable, Sendable, Equatable {
    package enum Kind: String, Codable, Sendable {
        case emptySlot = "empty slot"
        case absentFunction = "absent function"
        case missingBus = "bus that does not exist"

        /// The class a VMM prices its probes in.
        package var probeClass: ProbeClass { self == .missingBus ? .absentBus : .empty }

        /// What its probes are, as a row names them.
        package var plural: String {
            switch self {
            case .emptySlot: return "empty slots"
            case .absentFunction: return "absent functions"
            case .missingBus: return "buses that do not exist"
            }
        }
    }
    package var kind: Kind
    package var firstBus: UInt8
    package var lastBus: UInt8
    package var accesses: Int
    package var busCount: Int

    package init(kind: Kind, firstBus: UInt8, lastBus: UInt8, accesses: Int, busCount: Int) {
        self.kind = kind
        self.firstBus = firstBus
        self.lastBus = lastBus
        self.accesses = accesses
        self.busCount = busCount
    }
}

/// Per-device counts plus empty probes, with where they came from.
package struct AccessCounts: Codable, Sendable, Equatable {
    package var provenance: Provenance
    /// A modelled count's input and expected error, in a few words for
    /// one-line reports ("from a scan; Linux 6.12 calibration, ±3.7%").
    package var trust: String?
    /// A modelled count's expected error as a fraction of it (the larger of
    /// reads' and writes'); nil when counted or not calibrated.
    package var expectedError: Double?
    package var devices: [DeviceAccesses]
    package var empty: [EmptyProbes]
    /// Base accesses go through this mechanism in the counted window.
    package var baseMechanism: Mechanism
    package var extendedMechanism: Mechanism?
    /// Accesses to present functions that the census could not place on one
    /// device (by time window without function arguments); counted in `total`.
    package var unattributed: Int?

    package init(provenance: Provenance, trust: String? = nil, devices: [DeviceAccesses], empty: [EmptyProbes], baseMechanism: Mechanism,
                extendedMechanism: Mechanism?, unattributed: Int? = nil) {
        self.provenance = provenance
        self.trust = trust
        self.devices = devices
        self.empty = empty
        self.baseMechanism = baseMechanism
        self.extendedMechanism = extendedMechanism
        self.unattributed = unattributed
    }

    package var deviceTotal: Int { devices.reduce(0) { $0 + $1.total } }
    /// Accesses to present functions, placed on one or not.
    package var presentTotal: Int { deviceTotal + (unattributed ?? 0) }
    package var emptyTotal: Int { empty.reduce(0) { $0 + $1.accesses } }
    package var missingBusTotal: Int { empty.filter { $0.kind == .missingBus }.reduce(0) { $0 + $1.accesses } }
    package var total: Int { presentTotal + emptyTotal }
    /// Extended offsets go through a mechanism of their own (type 1 below
    /// 0x100, ECAM above), priced apart.
    package var extendedApart: Bool { extendedMechanism != nil && extendedMechanism != baseMechanism }
    package var extendedTotal: Int { devices.reduce(0) { $0 + $1.extended } }
    package var baseTotal: Int { total - extendedTotal }

    package func device(_ a: PCIAddress) -> DeviceAccesses? { devices.first { $0.address == a } }
}

/// Groups per-bus probe counts into runs of consecutive buses, so 255 empty
/// buses print as one line.
func groupRuns(_ perBus: [(bus: UInt8, accesses: Int)], kind: EmptyProbes.Kind) -> [EmptyProbes] {
    var out: [EmptyProbes] = []
    for (bus, n) in perBus.sorted(by: { $0.bus < $1.bus }) where n > 0 {
        if var last = out.last, Int(last.lastBus) + 1 == Int(bus) {
            last.lastBus = bus
            last.accesses += n
            last.busCount += 1
            out[out.count - 1] = last
        } else {
            out.append(EmptyProbes(kind: kind, firstBus: bus, lastBus: bus, accesses: n, busCount: 1))
        }
    }
    return out
}
