/// lspci's `-s [[segment:]bus:][device][.function]` and `-d [vendor]:[device]`.
package struct SlotFilter: Sendable {
    var segment: UInt16?, bus: UInt8?, device: UInt8?, function: UInt8?
    var vendor: UInt16?, deviceID: UInt16?

    package init(slot: String?, id: String?) throws {
        if let slot {
            func part<T: FixedWidthInteger>(_ s: Substring, _ radix: Int, _ max: T) throws -> T? {
                if s.isEmpty || s == "*" { return nil }
                guard let v = T(s, radix: radix), v <= max else { throw PCITimeError.usage("-s '\(slot)': '\(s)' is not a valid number here") }
                return v
            }
            let dot = slot.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard dot.count <= 2 else { throw PCITimeError.usage("-s '\(slot)': expected [[segment:]bus:][device][.function]") }
            if dot.count == 2 { function = try part(dot[1], 8, 7) }
            let colon = dot[0].split(separator: ":", omittingEmptySubsequences: false)
            guard colon.count <= 3 else { throw PCITimeError.usage("-s '\(slot)': expected [[segment:]bus:][device][.function]") }
            device = try part(colon[colon.count - 1], 16, 31)
            if colon.count >= 2 { bus = try part(colon[colon.count - 2], 16, 255) }
            if colon.count == 3 { segment = try part(colon[0], 16, 0xffff) }
        }
        if let id {
            let parts = id.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw PCITimeError.usage("-d '\(id)': expected [vendor]:[device] in hex") }
            for (i, p) in parts.enumerated() where !p.isEmpty && p != "*" {
                guard let v = UInt16(p, radix: 16) else { throw PCITimeError.usage("-d '\(id)': '\(p)' is not a 16-bit hex ID") }
                if i == 0 { vendor = v } else { deviceID = v }
            }
        }
    }

    package func matches(_ f: PCIFunction) -> Bool { matches(f.address, vendor: f.vendor, device: f.device) }

    package func matches(_ a: PCIAddress, vendor v: UInt16, device d: UInt16) -> Bool {
        (segment.map { $0 == a.segment } ?? true) && (bus.map { $0 == a.bus } ?? true)
            && (device.map { $0 == a.device } ?? true) && (function.map { $0 == a.function } ?? true)
            && (vendor.map { $0 == v } ?? true) && (deviceID.map { $0 == d } ?? true)
    }
}
