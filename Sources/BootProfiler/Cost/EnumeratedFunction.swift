import Enumerator

/// One present function as a scan found it: what the enumeration model needs.
package struct EnumeratedFunction: Codable, Sendable, Equatable {
    package struct Capability: Codable, Sendable, Equatable {
        package var id: UInt16
        package var offset: UInt16
        package init(id: UInt16, offset: UInt16) { self.id = id; self.offset = offset }
    }
    package var address: PCIAddress
    /// Header layout, bit 7 cleared (0 endpoint, 1 bridge, 2 CardBus).
    package var headerType: UInt8
    /// Bit 7 of function 0's header type.
    package var multifunction: Bool
    /// 24-bit class code (0x060000 is a host bridge).
    package var classCode: UInt32
    /// PCI Express port type (PCI_EXP_FLAGS_TYPE: 0 endpoint, 4 root port,
    /// 5 upstream, 6 downstream...) or nil for conventional PCI.
    package var pcieType: UInt8?
    /// Standard capabilities in list order.
    package var capabilities: [Capability]
    /// Extended capabilities in list order (empty when none or unreadable).
    package var extendedCapabilities: [Capability]
    /// Whether a read at 0x100 returned something other than all ones.
    package var extendedConfigReadable: Bool
    package var interruptPin: UInt8
    package var secondaryBus: UInt8?
    package var subordinateBus: UInt8?
    package var vendor: UInt16 = 0
    package var device: UInt16 = 0
    /// PCI Express capability version (1 has no DEVCAP2/LNKCAP2 registers).
    package var pcieVersion: UInt8?
    /// 64-bit memory BARs: each takes two slots, sized in one call.
    package var bars64 = 0

    package init(address: PCIAddress, headerType: UInt8, multifunction: Bool, classCode: UInt32, pcieType: UInt8?,
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

extension EnumeratedFunction {
    /// From the scan's decoded function.
    package init(_ f: PCIFunction) {
        self.init(address: f.address, headerType: f.headerType & 0x7f, multifunction: f.multifunction, classCode: f.classCode,
                  pcieType: f.pcie.map(\.portType),
                  capabilities: f.capabilities.map { .init(id: UInt16($0.id), offset: UInt16($0.offset)) },
                  extendedCapabilities: f.extendedCapabilities.map { .init(id: $0.id, offset: UInt16($0.offset)) },
                  extendedConfigReadable: f.configSize > 256, interruptPin: f.interruptPin,
                  secondaryBus: f.bridge?.secondary, subordinateBus: f.bridge?.subordinate)
        vendor = f.vendor
        device = f.device
        pcieVersion = f.pcie?.version
        bars64 = f.bars.filter { $0.kind == .memory64 }.count
    }

    /// From the log's device line alone: IDs, class and header type; the
    /// PCIe port type where the kernel names it (6.7+: "PCIe Root Port"...),
    /// no capabilities.
    package init(_ w: DeviceWindow) {
        let port = ["PCIe Endpoint": 0, "PCIe Legacy Endpoint": 1, "PCIe Root Complex Integrated Endpoint": 9, "PCIe Root Port": 4,
                    "PCIe Switch Upstream Port": 5, "PCIe Switch Downstream Port": 6, "PCIe to PCI/PCI-X bridge": 7, "PCI/PCI-X to PCIe bridge": 8]
        self.init(address: w.address, headerType: w.headerType & 0x7f, multifunction: w.headerType & 0x80 != 0, classCode: w.classCode,
                  pcieType: port[w.kind].map(UInt8.init) ?? (w.kind.containsText("PCIe") ? 0 : nil), capabilities: [],
                  extendedCapabilities: [], extendedConfigReadable: false, interruptPin: 1)
        vendor = w.vendor
        device = w.device
    }

    var isPCIe: Bool { pcieType != nil }
    var isBridge: Bool { headerType == 1 }
    var isHostBridge: Bool { classCode >> 8 == 0x0600 }
    /// Root or downstream port: a slot, one child device.
    var isDownPort: Bool { pcieType == 4 || pcieType == 6 }
    /// Root-complex integrated endpoint or event collector: no link.
    var hasLink: Bool { isPCIe && pcieType != 9 && pcieType != 10 }
    var pcieV2: Bool { (pcieVersion ?? 0) >= 2 }
    func capIndex(_ id: UInt16) -> Int? { capabilities.firstIndex { $0.id == id } }
}
