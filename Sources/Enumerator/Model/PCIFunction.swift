/// One decoded PCI function: values only; the table, tree and JSON renderers
/// all read these.
public struct PCIFunction: Sendable, Codable, Equatable {
    public var address: PCIAddress
    public var vendor: UInt16
    public var device: UInt16
    /// Base class, subclass and programming interface (24 bits).
    public var classCode: UInt32
    public var revision: UInt8
    /// Header layout: 0 endpoint, 1 PCI-to-PCI bridge, 2 CardBus bridge.
    public var headerType: UInt8
    public var multifunction: Bool
    public var command: UInt16
    public var status: UInt16
    public var subsystem: Subsystem?
    public var bars: [BAR]
    public var interruptPin: UInt8
    public var interruptLine: UInt8
    /// Latency Timer (0x0d), which lspci -v prints for bus masters.
    public var latencyTimer: UInt8
    /// The Expansion ROM BAR as programmed (0x30, bridges 0x38); nil for CardBus.
    public var expansionROM: UInt32?
    public var bridge: BridgeBuses?
    public var bridgeWindows: BridgeWindows?
    public var capabilities: [Capability]
    public var extendedCapabilities: [ExtendedCapability]
    public var pcie: PCIeInfo?
    /// Bytes of config space the function has as far as the method reaches:
    /// 4096 when extended space answers at 0x100, else 256 (64 for non-root sysfs).
    public var configSize: Int
    /// Malformed lists, unreachable registers: said, never decoded as data.
    public var warnings: [String]

    public struct Subsystem: Sendable, Codable, Equatable {
        public var vendor: UInt16
        public var device: UInt16
    }

    public struct BridgeBuses: Sendable, Codable, Equatable {
        public var primary: UInt8
        public var secondary: UInt8
        public var subordinate: UInt8
    }

    /// Type 1 only, what lspci -v shows beyond the bus numbers.
    public struct BridgeWindows: Sendable, Codable, Equatable {
        /// Secondary Latency Timer (0x1b), lspci's sec-latency.
        public var secondaryLatency: UInt8
        /// The forwarding window registers 0x1c-0x33 as read with the header
        /// (I/O, memory, prefetchable memory and their upper halves).
        public var registers: [UInt32]
    }

    public var baseClass: UInt8 { UInt8(classCode >> 16) }
    public var subclass: UInt8 { UInt8(truncatingIfNeeded: classCode >> 8) }
    public var progIF: UInt8 { UInt8(truncatingIfNeeded: classCode) }
    public var isBridge: Bool { headerType == 1 || headerType == 2 }
}

/// A base address register as firmware or the kernel programmed it. pcitime
/// never sizes BARs: sizing needs writes.
public struct BAR: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case io, memory32 = "mem32", memory64 = "mem64", memory1M = "mem1M" }
    public var index: Int
    public var kind: Kind
    public var address: UInt64
    public var prefetchable: Bool
}

/// An entry of the capability list (offsets 0x40-0xFF).
public struct Capability: Sendable, Codable, Equatable {
    public var id: UInt8
    public var offset: Int
    /// The capability's upper header word (MSI/MSI-X Message Control, the
    /// PCIe Capabilities register, the PM version...): what lspci -v decodes.
    public var control: UInt16 = 0
    /// MSI: the vector count the function asks for; MSI-X: the table size.
    public var vectors: Int?
    /// MSI: 64-bit message address.
    public var is64Bit: Bool?
    public var enabled: Bool?
    /// Vendor-specific capabilities of virtio devices: the virtio structure type.
    public var virtioType: UInt8?

    /// The name as lspci prints it (the start of its "Capabilities: [off]" line).
    public var name: String { CapabilityNames.standard[id] ?? "Capability ID \(hexAddress(UInt64(id)))" }
}

/// An entry of the extended capability list (offsets 0x100-0xFFF).
public struct ExtendedCapability: Sendable, Codable, Equatable {
    public var id: UInt16
    public var version: UInt8
    public var offset: Int

    /// The name as lspci prints it; ID 0 is "Null" (PCIe Base Spec: an empty list entry).
    public var name: String { CapabilityNames.extended[id] ?? "Extended Capability ID \(hexAddress(UInt64(id)))" }
}

/// From the PCI Express capability: what kind of PCIe function, and its link.
public struct PCIeInfo: Sendable, Codable, Equatable {
    public var version: UInt8
    public var portType: UInt8
    /// Link fields exist for ports and endpoints with a link; nil for
    /// root-complex integrated endpoints and event collectors.
    public var link: Link?

    public struct Link: Sendable, Codable, Equatable {
        public var maxSpeed: UInt8
        public var maxWidth: UInt8
        public var speed: UInt8
        public var width: UInt8
    }

    public var portTypeName: String {
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
    public static func speedName(_ code: UInt8) -> String {
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
