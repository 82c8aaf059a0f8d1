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
    public var bridge: BridgeBuses?
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
    /// MSI: the vector count the function asks for; MSI-X: the table size.
    public var vectors: Int?
    /// MSI: 64-bit message address.
    public var is64Bit: Bool?
    public var enabled: Bool?
    /// Vendor-specific capabilities of virtio devices: the virtio structure type.
    public var virtioType: UInt8?

    public var name: String { Capability.names[id] ?? "Unknown" }

    static let names: [UInt8: String] = [
        0x01: "Power Management", 0x02: "AGP", 0x03: "Vital Product Data", 0x04: "Slot Identification",
        0x05: "MSI", 0x06: "CompactPCI Hot Swap", 0x07: "PCI-X", 0x08: "HyperTransport",
        0x09: "Vendor Specific", 0x0a: "Debug port", 0x0b: "CompactPCI Central Resource Control",
        0x0c: "PCI Hot-plug", 0x0d: "Subsystem ID", 0x0e: "AGP 8x", 0x0f: "Secure Device",
        0x10: "Express", 0x11: "MSI-X", 0x12: "SATA HBA", 0x13: "PCI Advanced Features",
        0x14: "Enhanced Allocation", 0x15: "Flattening Portal Bridge",
    ]
}

/// An entry of the extended capability list (offsets 0x100-0xFFF).
public struct ExtendedCapability: Sendable, Codable, Equatable {
    public var id: UInt16
    public var version: UInt8
    public var offset: Int

    public var name: String { ExtendedCapability.names[id] ?? "Unknown" }

    static let names: [UInt16: String] = [
        0x01: "Advanced Error Reporting", 0x02: "Virtual Channel", 0x03: "Device Serial Number",
        0x04: "Power Budgeting", 0x05: "Root Complex Link", 0x06: "Root Complex Internal Link",
        0x07: "Root Complex Event Collector", 0x08: "Multi-Function VC", 0x09: "Virtual Channel (MFVC)",
        0x0a: "Root Complex Register Block", 0x0b: "Vendor Specific", 0x0d: "Access Control Services",
        0x0e: "Alternative Routing-ID", 0x0f: "Address Translation Service", 0x10: "Single Root I/O Virtualization",
        0x11: "Multi-Root I/O Virtualization", 0x12: "Multicast", 0x13: "Page Request", 0x15: "Resizable BAR",
        0x16: "Dynamic Power Allocation", 0x17: "TPH Requester", 0x18: "Latency Tolerance Reporting",
        0x19: "Secondary PCI Express", 0x1b: "Process Address Space ID", 0x1d: "Downstream Port Containment",
        0x1e: "L1 PM Substates", 0x1f: "Precision Time Measurement", 0x23: "Designated Vendor-Specific",
        0x25: "Data Link Feature", 0x26: "Physical Layer 16.0 GT/s", 0x27: "Lane Margining at the Receiver",
    ]
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
