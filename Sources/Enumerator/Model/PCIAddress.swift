/// A function's address: segment (PCI domain), bus, device, function.
public struct PCIAddress: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var segment: UInt16
    public var bus: UInt8
    public var device: UInt8
    public var function: UInt8

    public init(segment: UInt16 = 0, bus: UInt8, device: UInt8, function: UInt8) {
        precondition(device < 32 && function < 8)
        self.segment = segment
        self.bus = bus
        self.device = device
        self.function = function
    }

    /// `0000:00:03.0`, the form sysfs and `lspci -D` use.
    public var description: String {
        hex(UInt(segment), 4) + ":" + hex(UInt(bus), 2) + ":" + hex(UInt(device), 2) + "." + String(function)
    }

    /// `00:03.0` when the segment is 0, as `lspci` prints it.
    public var short: String {
        segment == 0 ? hex(UInt(bus), 2) + ":" + hex(UInt(device), 2) + "." + String(function) : description
    }

    /// Parses `SSSS:BB:DD.F` or `BB:DD.F`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              let devfn = parts.last, let dot = devfn.firstIndex(of: ".") else { return nil }
        let segmentText = parts.count == 3 ? parts[0] : "0"
        guard let segment = UInt16(segmentText, radix: 16),
              let bus = UInt8(parts[parts.count - 2], radix: 16),
              let device = UInt8(devfn[..<dot], radix: 16), device < 32,
              let function = UInt8(devfn[devfn.index(after: dot)...], radix: 8), function < 8
        else { return nil }
        self.init(segment: segment, bus: bus, device: device, function: function)
    }

    public static func < (a: PCIAddress, b: PCIAddress) -> Bool {
        (a.segment, a.bus, a.device, a.function) < (b.segment, b.bus, b.device, b.function)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let a = PCIAddress(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a PCI address: \(text)")
        }
        self = a
    }
}
