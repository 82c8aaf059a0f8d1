/// One decoded PCI function: values only; the table, tree and JSON renderers
/// all read these.
package struct PCIFunction: Sendable, Codable, Equatable {
    package var address: PCIAddress
    package var vendor: UInt16
    package var device: UInt16
    /// Base class, subclass and programming interface (24 bits).
    package var classCode: UInt32
    package var revision: UInt8
    /// Header layout: 0 endpoint, 1 PCI-to-PCI bridge, 2 CardBus bridge.
    package var headerType: UInt8
    package var multifunction: Bool
    package var command: UInt16
    package var status: UInt16
    package var subsystem: Subsystem?
    package var bars: [BAR]
    package var interruptPin: UInt8
    package var interruptLine: UInt8
    /// Latency Timer (0x0d), which lspci -v prints for bus masters.
    package var latencyTimer: UInt8
    /// The Expansion ROM BAR as programmed (0x30, bridges 0x38); nil for CardBus.
    package var expansionROM: UInt32?
    package var bridge: BridgeBuses?
    package var bridgeWindows: BridgeWindows?
    package var capabilities: [Capability]
    package var extendedCapabilities: [ExtendedCapability]
    package var pcie: PCIeInfo?
    /// Bytes of config space the function has as far as the method reaches:
    /// 4096 when extended space answers at 0x100, else 256 (64 for non-root sysfs).
    package var configSize: Int
    /// Malformed lists, unreachable registers: said, never decoded as data.
    package var warnings: [String]

    package struct Subsystem: Sendable, Codable, Equatable {
        package var vendor: UInt16
        package var device: UInt16
    }

    package struct BridgeBuses: Sendable, Codable, Equatable {
        package var primary: UInt8
        package var secondary: UInt8
        package var subordinate: UInt8
    }

    /// Type 1 only, what lspci -v shows beyond the bus numbers.
    package struct BridgeWindows: Sendable, Codable, Equatable {
        /// Secondary Latency Timer (0x1b), lspci's sec-latency.
        package var secondaryLatency: UInt8
        /// The forwarding window registers 0x1c-0x33 as read with the header
        /// (I/O, memory, prefetchable memory and their upper halves).
        package var registers: [UInt32]
    }

    package var progIF: UInt8 { UInt8(truncatingIfNeeded: classCode) }
    package var isBridge: Bool { headerType == 1 || headerType == 2 }
}

/// A base address register as firmware or the kernel programmed it. pcitime
/// never sizes BARs: sizing needs writes.
package struct BAR: Sendable, Codable, Equatable {
    package enum Kind: String, Sendable, Codable { case io, memory32 = "mem32", memory64 = "mem64", memory1M = "mem1M" }
    package var index: Int
    package var kind: Kind
    package var address: UInt64
    package var prefetchable: Bool
}

/// An entry of the capability list (offsets 0x40-0xFF).
package struct Capability: Sendable, Codable, Equatable {
    package var id: UInt8
    package var offset: Int
    /// The capability's upper header word (MSI/MSI-X Message Control, the
    /// PCIe Capabilities register, the PM version...): what lspci -v decodes.
    package var control: UInt16 = 0
    /// MSI: the vector count the function asks for; MSI-X: the table size.
    package var vectors: Int?
    /// MSI: 64-bit message address.
    package var is64Bit: Bool?
    package var enabled: Bool?
    /// Vendor-specific capabilities of virtio devices: the virtio structure type.
    package var virtioType: UInt8?

    /// The name as lspci prints it (the start of its "Capabilities: [off]" line).
    package var name: String { CapabilityNames.standard[id] ?? "Capability ID \(hexAddress(UInt64(id)))" }
}

/// An entry of the extended capability list (offsets 0x100-0xFFF).
package struct ExtendedCapability: Sendable, Codable, Equatable {
    package var id: UInt16
    package var version: UInt8
    package var offset: Int

    /// The name as lspci prints it; ID 0 is "Null" (PCIe Base Spec: an empty list entry).
    package var name: String { CapabilityNames.extended[id] ?? "Extended Capability ID \(hexAddress(UInt64(id)))" }
}

/// From the PCI Express capability: what kind of PCIe function, and its link.
package struct PCIeInfo: Sendable, Codable, Equatable {
    package var version: UInt8
    package var portType: UInt8
    /// Link fields exist for ports and endpoints with a link; nil for
    /// root-complex integrated endpoints and event collectors.
    package var link: Link?

    package struct Link: Sendable, Codable, Equatable {
        package var maxSpeed: UInt8
        package var maxWidth: UInt8
        package var speed: UInt8
        package var width: UInt8
    }

    package var portTypeName: String {
        switch portType {
        case 0x0: return "Endpoint"
        case 0x1: return "Legacy Endpoint"
        case 0x4: return "Root Port"
        case 0x5: return "Upstream Port"
        case 0x6: return "Downstream Port"
        case 0x7: return "PCIe-to-PCI Bridge"
        case 0x8: return "PCI-to-PCIe Bridge"
        case 0x9: return "Root Complex Integrated Endpoint"
        case 0xa: return "Root Complex Event Collector"
        default: return "Unknown (\(portType))"
        }
    }

    /// GT/s for a Link Capabilities/Status speed code.
    package static func speedName(_ code: UInt8) -> String {
        switch code {
        case 1: return "2.5GT/s"
        case 2: return "5GT/s"
        case 3: return "8GT/s"
        case 4: return "16GT/s"
        case 5: return "32GT/s"
        case 6: return "64GT/s"
        default: return "unknown"
        }
    }
}
