import Enumerator

/// Estimates the config accesses Linux 6.1 on x86 makes to present functions
/// from the end of firmware to init, after the kernel's own sequence:
/// drivers/pci/probe.c (scan, `pci_setup_device`, `pci_configure_device`,
/// `pci_init_capabilities`, bridge passes), pci.c and pcie/ (capability
/// walks, AER, ASPM, reset probes), setup-bus.c and arch/x86/pci (resource
/// survey and assignment, bridge windows, peer-bus probes), quirks.c (the
/// chipset quirks QEMU's machines hit), ACPI interrupt links, and the probes
/// of the drivers the log shows bound before init (pcieport, nvme,
/// virtio-pci, e1000e, ahci, xhci). Calibrated against QEMU's trace of real
/// boots (fixtures/ftrace/6.1); `ModelCalibration` adapts it to other
/// kernel series. The README prints its error per kernel and topology.
package struct EnumerationModel {
    package struct Settings: Sendable {
        /// The kernel's mechanisms: base offsets through `base`, >= 256 through
        /// `extended` (nil: no extended access, those reads are never issued).
        package var base: Mechanism
        package var extended: Mechanism?
        /// `pcibios_last_bus`: `pci=lastbus=N`, else segment 0's MCFG end bus;
        /// nil or 0 means no peer-bus probing.
        package var lastBus: Int?
        /// Firmware left memory/IO decode on, so BAR sizing toggles it off and on.
        package var firmwareEnabledDecode: Bool
        /// What the boot log says about firmware and drivers.
        package var hints = EnumerationHints()
        /// Drivers that bound functions before init (names as the log prints them).
        package var bootDrivers: Set<String> = []

        package init(base: Mechanism, extended: Mechanism?, lastBus: Int?, firmwareEnabledDecode: Bool = true) {
            self.base = base
            self.extended = extended
            self.lastBus = lastBus
            self.firmwareEnabledDecode = firmwareEnabledDecode
        }
    }

    package static let method = "Linux 6.1's x86 boot sequence (probe.c scan/setup/configure/capability init, AER, ASPM, reset probes, bridge passes and windows, resource survey and assignment, chipset quirks, ACPI interrupt links, probes of the drivers bound before init, legacy.c peer-bus probes) applied to the scanned functions, calibrated on QEMU boot traces"

    var settings: Settings
    package init(_ settings: Settings) { self.settings = settings }

    /// Counts per function plus the empty probes around them.
    package func counts(for functions: [EnumeratedFunction]) -> AccessCounts {
        let sorted = functions.sorted { $0.address < $1.address }
        var ledger = Ledger()
        let tree = Tree(sorted)
        for f in sorted {
            setup(f, tree, &ledger)
            configure(f, tree, &ledger)
            initCapabilities(f, tree, &ledger)
        }
        busPhases(sorted, tree, &ledger)
        driverProbes(sorted, tree, &ledger)
        var devices: [DeviceAccesses] = []
        for f in sorted {
            let tally = ledger[f.address]
            var d = DeviceAccesses(address: f.address)
            d.reads = tally.reads
            d.writes = tally.writes
            d.extended = tally.extended
            d.byMechanism[settings.base.rawValue, default: 0] += tally.reads + tally.writes - tally.extended
            if tally.extended > 0, let e = settings.extended { d.byMechanism[e.rawValue, default: 0] += tally.extended }
            devices.append(d)
        }
        var empty = emptyProbes(functions)
        empty += peerBusProbes(functions)
        return AccessCounts(provenance: .modelled(Self.method), devices: devices, empty: empty,
                            baseMechanism: settings.base, extendedMechanism: settings.extended)
    }

    struct Tally {
        var reads = 0, writes = 0, extended = 0
        mutating func read(_ n: Int = 1, extended ext: Bool = false) { reads += n; if ext { extended += n } }
        mutating func write(_ n: Int = 1, extended ext: Bool = false) { writes += n; if ext { extended += n } }
    }

    /// Tallies per function: a function's sequence also reads its parent
    /// bridge and root port, and those count for them.
    struct Ledger {
        var tallies: [PCIAddress: Tally] = [:]
        subscript(_ a: PCIAddress) -> Tally {
            get { tallies[a] ?? Tally() }
            set { tallies[a] = newValue }
        }
    }

    /// Who is above whom: the bridge whose secondary bus a function sits on.
    struct Tree {
        let parentOf: [PCIAddress: EnumeratedFunction]
        let children: [PCIAddress: [EnumeratedFunction]]
        init(_ functions: [EnumeratedFunction]) {
            var bridgeFor: [UInt8: EnumeratedFunction] = [:]
            for f in functions where f.isBridge { if let s = f.secondaryBus, s != 0 { bridgeFor[s] = f } }
            var parent: [PCIAddress: EnumeratedFunction] = [:]
            var kids: [PCIAddress: [EnumeratedFunction]] = [:]
            for f in functions {
                guard let b = bridgeFor[f.address.bus], b.address != f.address else { continue }
                parent[f.address] = b
                kids[b.address, default: []].append(f)
            }
            parentOf = parent
            children = kids
        }
        func parent(_ f: EnumeratedFunction) -> EnumeratedFunction? { parentOf[f.address] }
        /// `pcie_find_root_port`: the function itself or the first root port above it.
        func rootPort(_ f: EnumeratedFunction) -> EnumeratedFunction? {
            var cur: EnumeratedFunction? = f
            while let c = cur {
                if c.pcieType == 4 { return c }
                cur = parentOf[c.address]
            }
            return nil
        }
        /// `pci_bridge_child_ext_cfg_accessible` said no for `f`'s bus: some
        /// bridge above it is not a PCIe root, upstream or downstream port
        /// (a PCIe-to-PCI bridge, a conventional bridge without PCI-X 266/533).
        func noExtendedConfig(_ f: EnumeratedFunction) -> Bool {
            ancestors(f).contains { ![4, 5, 6].contains($0.pcieType ?? 0xff) }
        }
        /// Everything below `f`, depth first.
        func descendants(_ f: EnumeratedFunction) -> [EnumeratedFunction] {
            (children[f.address] ?? []).flatMap { [$0] + descendants($0) }
        }
        /// Bridges above `f`, nearest first.
        func ancestors(_ f: EnumeratedFunction) -> [EnumeratedFunction] {
            var out: [EnumeratedFunction] = []
            var cur = parentOf[f.address]
            while let c = cur { out.append(c); cur = parentOf[c.address] }
            return out
        }
    }

    /// Whether `f` has extended config space the kernel can reach.
    func extendedSpace(_ f: EnumeratedFunction) -> Bool {
        settings.extended != nil && f.extendedConfigReadable && (f.isPCIe || f.isHostBridge)
    }

    /// `pci_find_capability`: status, capability pointer, then one byte per
    /// entry until the wanted ID (or the end of the list).
    @discardableResult
    func findCapability(_ f: EnumeratedFunction, _ id: UInt16, _ t: inout Tally) -> Bool {
        guard !f.capabilities.isEmpty else { t.read(); return false }   // status has no CAP_LIST
        t.read(2)
        if let i = f.capIndex(id) { t.read(i + 1); return true }
        t.read(f.capabilities.count)
        return false
    }

    /// `pci_find_ext_capability`: nothing when config space is 256 bytes,
    /// else one header read per entry from 0x100 (one when the list is empty).
    @discardableResult
    func findExtended(_ f: EnumeratedFunction, _ id: UInt16, _ t: inout Tally) -> Bool {
        guard extendedSpace(f) else { return false }
        if let i = f.extendedCapabilities.firstIndex(where: { $0.id == id }) { t.read(i + 1, extended: true); return true }
        t.read(max(1, f.extendedCapabilities.count), extended: true)
        return false
    }

    /// Buses the scan walks: 0 (and other root buses) plus every bridge's
    /// secondary bus; only device 0 is probed below a root or downstream port.
    func emptyProbes(_ functions: [EnumeratedFunction]) -> [EmptyProbes] {
        let byAddress = Dictionary(functions.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        var buses: [UInt8: Bool] = [:]   // bus -> only one child
        for f in functions {
            if buses[f.address.bus] == nil { buses[f.address.bus] = false }
            if let s = f.secondaryBus, s != 0 { buses[s] = f.isDownPort }
        }
        var slots: [(bus: UInt8, accesses: Int)] = []
        var absent: [(bus: UInt8, accesses: Int)] = []
        for (bus, oneChild) in buses {
            var emptySlots = 0, absentFunctions = 0
            for dev in 0..<(oneChild ? 1 : 32) {
                guard let f0 = byAddress[PCIAddress(bus: bus, device: UInt8(dev), function: 0)] else {
                    emptySlots += 1
                    continue
                }
                guard f0.multifunction else { continue }
                for fn in 1..<8 where byAddress[PCIAddress(bus: bus, device: UInt8(dev), function: UInt8(fn))] == nil {
                    absentFunctions += 1
                }
            }
            slots.append((bus, emptySlots))
            absent.append((bus, absentFunctions))
        }
        return groupRuns(slots, kind: .emptySlot) + groupRuns(absent, kind: .absentFunction)
    }

    /// `pcibios_fixup_peer_bridges`: for every bus 0...pcibios_last_bus the
    /// scan did not find, a vendor read in each of the 32 slots.
    func peerBusProbes(_ functions: [EnumeratedFunction]) -> [EmptyProbes] {
        guard let last = settings.lastBus, last > 0 else { return [] }
        let known = Self.knownBuses(functions)
        var probes: [(bus: UInt8, accesses: Int)] = []
        for bus in 0...min(last, 255) where !known.contains(UInt8(bus)) { probes.append((UInt8(bus), 32)) }
        return groupRuns(probes, kind: .missingBus)
    }

    static func knownBuses(_ functions: [EnumeratedFunction]) -> Set<UInt8> {
        var known: Set<UInt8> = [0]
        for f in functions {
            known.insert(f.address.bus)
            // pci_find_bus knows the buses the scan created: each bridge's secondary.
            if let s = f.secondaryBus, s != 0 { known.insert(s) }
        }
        return known
    }
}

extension EnumerationModel {
    /// The kernel's settings as its log states them: its split (type 1 when
    /// unknown), the last bus it probes, the firmware state and the drivers
    /// bound before init.
    package init(log: BootProfile?) {
        var s = Settings(base: log?.mechanism?.base ?? .type1, extended: log?.mechanism?.extended, lastBus: log?.lastProbedBus)
        if let log {
            s.hints = log.hints
            s.bootDrivers = Set(log.drivers.map(\.driver) + log.hints.bootDrivers)
        }
        self.init(s)
    }
}

extension BootProfile {
    /// The last bus `pcibios_fixup_peer_bridges` probes: `pci=lastbus=N`, else
    /// the end of segment 0's ECAM window in use.
    package var lastProbedBus: Int? {
        lastBusParameter ?? ecam.last(where: { $0.used && $0.segment == 0 }).map { Int($0.endBus) }
    }
}
