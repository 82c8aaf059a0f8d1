/// A function's address: segment (PCI domain), bus, device, function.
package struct PCIAddress: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    package var segment: UInt16
    package var bus: UInt8
    package var device: UInt8
    package var function: UInt8

    package init(segment: UInt16 = 0, bus: UInt8, device: UInt8, function: UInt8) {
        precondition(device < 32 && function < 8)
        self.segment = segment
        self.bus = bus
        self.device = device
        self.function = function
    }

    /// `0000:00:03.0`, the form sysfs and `lspci -D` use.
    package var description: String {
        hex(UInt(segment), 4) + ":" + hex(UInt(bus), 2) + ":" + hex(UInt(device), 2) + "." + String(function)
    }

    /// `00:03.0` when the segment is 0, as `lspci` prints it.
    package var short: String {
        segment == 0 ? hex(UInt(bus), 2) + ":" + hex(UInt(device), 2) + "." + String(function) : description
    }

    /// Parses `SSSS:BB:DD.F` or `BB:DD.F`.
    package init?(_ text: String) {
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

    package static func < (a: PCIAddress, b: PCIAddress) -> Bool {
        (a.segment, a.bus, a.device, a.function) < (b.segment, b.bus, b.device, b.function)
    }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    package init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let a = PCIAddress(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a PCI address: \(text)")
        }
        self = a
    }
}
