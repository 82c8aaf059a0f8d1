import Enumerator

/// One present function as a scan found it: what the enumeration model needs.
public struct EnumeratedFunction: Codable, Sendable, Equatable {
    public struct Capability: Codable, Sendable, Equatable {
        public var id: UInt16
        public var offset: UInt16
        public init(id: UInt16, offset: UInt16) { self.id = id; self.offset = offset }
    }
    public var address: PCIAddress
    /// Header layout, bit 7 cleared (0 endpoint, 1 bridge, 2 CardBus).
    public var headerType: UInt8
    /// Bit 7 of function 0's header type.
    public var multifunction: Bool
    /// 24-bit class code (0x060000 is a host bridge).
    public var classCode: UInt32
    /// PCI Express port type (PCI_EXP_FLAGS_TYPE: 0 endpoint, 4 root port,
    /// 5 upstream, 6 downstream...) or nil for conventional PCI.
    public var pcieType: UInt8?
    /// Standard capabilities in list order.
    public var capabilities: [Capability]
    /// Extended capabilities in list order (empty when none or unreadable).
    public var extendedCapabilities: [Capability]
    /// Whether a read at 0x100 returned something other than all ones.
    public var extendedConfigReadable: Bool
    public var interruptPin: UInt8
    public var secondaryBus: UInt8?
    public var subordinateBus: UInt8?

    public init(address: PCIAddress, headerType: UInt8, multifunction: Bool, classCode: UInt32, pcieType: UInt8?,
                capabilities: [Capability], extendedCapabilities: [Capability], extendedConfigReadable: Bool,
                interruptPin: UInt8, secondaryBus: UInt8? = nil, subordinateBus: UInt8? = nil) {
        self.address = address
        self.headerType = headerType
        self.multifunction = multifunction
        self.classCode = classCode
        self.pcieType = pcieType
        self.capabilities = capabilities
        self.extendedCapabilities = extendedCapabilities
        self.extendedConfigReadable = extendedConfigReadable
        self.interruptPin = interruptPin
        self.secondaryBus = secondaryBus
        self.subordinateBus = subordinateBus
    }
}

/// Estimates the config accesses Linux 6.x on x86 makes to enumerate a set
/// of functions at boot, after drivers/pci/probe.c (`pci_scan_child_bus`,
/// `pci_scan_slot`, `pci_scan_single_device`, `pci_setup_device`,
/// `pci_device_add`/`pci_init_capabilities`), drivers/pci/pci.c (capability
/// walks) and arch/x86/pci/legacy.c (`pcibios_fixup_peer_bridges`).
/// It counts what the generic code does; device quirks, ACPI _HPX
/// programming, resource assignment and driver probes are not included.
public struct EnumerationModel {
    public struct Settings: Sendable {
        /// The kernel's mechanisms: base offsets through `base`, >= 256 through
        /// `extended` (nil: no extended access, those reads are never issued).
        public var base: Mechanism
        public var extended: Mechanism?
        /// `pcibios_last_bus`: `pci=lastbus=N`, else segment 0's MCFG end bus;
        /// nil or 0 means no peer-bus probing.
        public var lastBus: Int?
        /// Firmware left memory/IO decode on, so BAR sizing toggles it off and on.
        public var firmwareEnabledDecode: Bool

        public init(base: Mechanism, extended: Mechanism?, lastBus: Int?, firmwareEnabledDecode: Bool = true) {
            self.base = base
            self.extended = extended
            self.lastBus = lastBus
            self.firmwareEnabledDecode = firmwareEnabledDecode
        }
    }

    public static let method = "Linux 6.x x86 enumeration sequence (probe.c scan/setup/capability init, legacy.c peer-bus probes) applied to the scanned functions; quirks, _HPX, resource assignment and driver probes not counted"

    var settings: Settings
    public init(_ settings: Settings) { self.settings = settings }

    /// Counts per function plus the empty probes around them.
    public func counts(for functions: [EnumeratedFunction]) -> AccessCounts {
        var devices: [DeviceAccesses] = []
        for f in functions.sorted(by: { $0.address < $1.address }) {
            var tally = Tally()
            setup(f, &tally)
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
        mutating func write(_ n: Int = 1) { writes += n }
    }

    /// `pci_find_capability`: status, capability pointer, then one word per
    /// entry until the wanted ID (or the end of the list).
    func findCapability(_ f: EnumeratedFunction, _ id: UInt16, _ t: inout Tally) -> Bool {
        guard !f.capabilities.isEmpty else { t.read(); return false }   // status has no CAP_LIST
        t.read(2)
        if let i = f.capabilities.firstIndex(where: { $0.id == id }) { t.read(i + 1); return true }
        t.read(f.capabilities.count)
        return false
    }

    /// `pci_find_ext_capability`: nothing when config space is 256 bytes,
    /// else one header read per entry from 0x100.
    func findExtended(_ f: EnumeratedFunction, _ id: UInt16, _ t: inout Tally) -> Bool {
        guard hasExtendedSpace(f) else { return false }
        if let i = f.extendedCapabilities.firstIndex(where: { $0.id == id }) { t.read(i + 1, extended: true); return true }
        t.read(max(1, f.extendedCapabilities.count), extended: true)
        return false
    }

    func hasExtendedSpace(_ f: EnumeratedFunction) -> Bool {
        settings.extended != nil && f.extendedConfigReadable && (f.pcieType != nil || f.classCode >> 8 == 0x0600)
    }

    func setup(_ f: EnumeratedFunction, _ t: inout Tally) {
        t.read()                                   // vendor/device dword (pci_bus_read_dev_vendor_id)
        t.read()                                   // header type (pci_hdr_type)
        if findCapability(f, 0x10, &t) {           // set_pcie_port_type: PCIe capability
            t.read(2)                              // PCI_EXP_FLAGS, PCI_EXP_DEVCAP
            if f.pcieType == 4 || f.pcieType == 6 { t.read(2) }   // ports: link capabilities
        }
        // pci_cfg_space_size: PCIe and host bridges read 0x100, and when it is
        // not all ones compare it against dword 0 (pci_ext_cfg_is_aliased).
        if settings.extended != nil && (f.pcieType != nil || f.classCode >> 8 == 0x0600) {
            t.read(extended: true)
            if f.extendedConfigReadable { t.read(); t.read(extended: true) }
        } else if findCapability(f, 0x07, &t) {    // PCI-X: status decides 4 KiB
            t.read()
        }
        t.read()                                   // class/revision dword
        let barCount: Int
        switch f.headerType {
        case 0:
            barCount = 6
            t.read(2)                              // subsystem vendor and ID
        case 1:
            barCount = 2
            t.read(5); t.write(3)                  // pci_read_bridge_windows: IO and prefetch probes
            if f.pcieType != nil { t.read() }      // set_pcie_hotplug_bridge: slot capabilities
            _ = findCapability(f, 0x0D, &t)        // subsystem ID capability
        default:
            barCount = 1
            t.read(2)
        }
        t.read(f.interruptPin != 0 ? 2 : 1)        // pci_read_irq: pin, then line
        // pci_read_bases: command read (and decode off/on), then per BAR and
        // the ROM: read, write all ones, read size, restore. A 64-bit BAR takes
        // two slots, so the count does not depend on the BAR kinds.
        t.read()
        if settings.firmwareEnabledDecode { t.write(2) }
        t.read(2 * (barCount + 1)); t.write(2 * (barCount + 1))
        initCapabilities(f, &t)
    }

    /// pci_device_add: pci_configure_device, then pci_init_capabilities.
    func initCapabilities(_ f: EnumeratedFunction, _ t: inout Tally) {
        if f.pcieType != nil {
            t.read(4)                              // MPS, extended tags, EETLP prefix, RCB
            _ = findExtended(f, 0x18, &t)          // LTR
        }
        _ = findCapability(f, 0x14, &t)            // Enhanced Allocation
        if findCapability(f, 0x05, &t) { t.read() }   // MSI flags
        if findCapability(f, 0x11, &t) { t.read() }   // MSI-X flags
        if findCapability(f, 0x01, &t) { t.read(2) }  // PM: PMC and PMCSR
        _ = findCapability(f, 0x03, &t)            // VPD
        // Save buffers: the PCIe and PCI-X capabilities, LTR, VC/VC9/MFVC.
        _ = findCapability(f, 0x10, &t)
        _ = findCapability(f, 0x07, &t)
        for id: UInt16 in [0x18, 0x02, 0x09, 0x08] { _ = findExtended(f, id, &t) }
        guard f.pcieType != nil else { return }
        if f.address.function == 0 && f.address.bus != 0 { t.read(2); _ = findExtended(f, 0x0E, &t) }  // ARI
        // SR-IOV, ATS, PRI, PASID, ACS, PTM, AER, DPC, TPH: one walk each.
        for id: UInt16 in [0x10, 0x0F, 0x13, 0x1B, 0x0D, 0x1F, 0x01, 0x1D, 0x17] { _ = findExtended(f, id, &t) }
        if hasExtendedSpace(f) { t.read(max(1, f.extendedCapabilities.count), extended: true) }  // DOE: full walk
        if f.address.function == 0 { t.read(3) }  // pcie_report_downtraining: link status/caps
    }

    /// Buses the scan walks: 0 (and other root buses) plus every bridge's
    /// secondary bus; only device 0 is probed below a root or downstream port.
    func emptyProbes(_ functions: [EnumeratedFunction]) -> [EmptyProbes] {
        let byAddress = Dictionary(functions.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        var buses: [UInt8: Bool] = [:]   // bus -> only one child
        for f in functions {
            if buses[f.address.bus] == nil { buses[f.address.bus] = false }
            if let s = f.secondaryBus, s != 0 { buses[s] = (f.pcieType == 4 || f.pcieType == 6) }
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

extension EnumeratedFunction {
    /// From the scan's decoded function.
    public init(_ f: PCIFunction) {
        self.init(address: f.address, headerType: f.headerType & 0x7f, multifunction: f.multifunction, classCode: f.classCode,
                  pcieType: f.pcie.map(\.portType),
                  capabilities: f.capabilities.map { .init(id: UInt16($0.id), offset: UInt16($0.offset)) },
                  extendedCapabilities: f.extendedCapabilities.map { .init(id: $0.id, offset: UInt16($0.offset)) },
                  extendedConfigReadable: f.configSize > 256, interruptPin: f.interruptPin,
                  secondaryBus: f.bridge?.secondary, subordinateBus: f.bridge?.subordinate)
    }
}
extension EnumerationModel {
    /// The kernel's settings as its log states them: its split (type 1 when
    /// unknown) and the last bus it probes.
    public init(log: BootProfile?) {
        self.init(Settings(base: log?.mechanism?.base ?? .type1, extended: log?.mechanism?.extended, lastBus: log?.lastProbedBus))
    }
}

extension BootProfile {
    /// The last bus `pcibios_fixup_peer_bridges` probes: `pci=lastbus=N`, else
    /// the end of segment 0's ECAM window in use.
    public var lastProbedBus: Int? {
        lastBusParameter ?? ecam.last(where: { $0.used && $0.segment == 0 }).map { Int($0.endBus) }
    }
}
