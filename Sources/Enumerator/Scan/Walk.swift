/// The bus walk, read-only, as Linux's `pci_scan_child_bus` does it: function 0
/// of each of the 32 devices on a bus, further functions only when function 0
/// sets the multi-function bit, then down through each bridge by the secondary
/// and subordinate bus numbers firmware or the kernel left in it (never
/// reassigned). `brute` probes every bus in range instead of following bridges.
package struct Walk {
    package let layer: AccessLayer
    package var brute = false

    package init(layer: AccessLayer, brute: Bool = false) {
        self.layer = layer
        self.brute = brute
    }

    package struct Result: Sendable {
        package var functions: [PCIFunction] = []
        /// Functions that answered with an error instead of a header.
        package var failures: [Failure] = []
        /// Probes (vendor reads) of addresses where nothing answered.
        package var emptyProbes = 0
        /// Buses walked, in order.
        package var buses: [BusRange] = []
        package var warnings: [String] = []
    }

    package struct Failure: Sendable, Equatable, Codable {
        package var address: PCIAddress
        package var message: String
    }

    package func run() -> Result {
        var r = Result()
        var seen = Set<UInt32>()
        var found = Set<PCIAddress>()
        for root in layer.method.roots() {
            if brute {
                for bus in Int(root.first)...Int(root.last) {
                    scanBus(segment: root.segment, bus: UInt8(bus), within: root, follow: false, &r, &seen, &found)
                }
            } else {
                scanBus(segment: root.segment, bus: root.first, within: root, follow: true, &r, &seen, &found)
            }
        }
        // Functions the method lists but no bridge led to: buses below host
        // bridges of their own (QEMU pxb, multi-root machines) or broken bridges.
        if let listed = layer.method.listedFunctions() {
            for bus in Set(listed.subtracting(found).map { BusRange(segment: $0.segment, first: $0.bus, last: 255) }).sorted(by: { ($0.segment, $0.first) < ($1.segment, $1.first) }) {
                let key = UInt32(bus.segment) << 8 | UInt32(bus.first)
                guard !seen.contains(key) else { continue }
                r.warnings.append("bus \(hex(bus.segment, 4)):\(hex(bus.first, 2)) is listed but no bridge leads to it; walked as a root")
                scanBus(segment: bus.segment, bus: bus.first, within: bus, follow: true, &r, &seen, &found)
            }
            // Functions no walk reaches even then (function 0 absent, or not
            // multi-function: single-function dumps, Jailhouse or Hyper-V's
            // isolated functions): scanned as lspci shows them, and flagged.
            for a in listed.subtracting(found).sorted() {
                let f0 = PCIAddress(segment: a.segment, bus: a.bus, device: a.device, function: 0)
                let why = found.contains(f0) ? "function 0 is not multi-function" : "function 0 is absent"
                guard probe(a, &r, &found) != nil else { continue }
                r.functions[r.functions.count - 1].warnings.append("listed by \(layer.method.name) but no bus walk reaches it: \(why)")
            }
        }
        r.functions.sort { $0.address < $1.address }
        return r
    }

    private func scanBus(segment: UInt16, bus: UInt8, within range: BusRange, follow: Bool,
                         _ r: inout Result, _ seen: inout Set<UInt32>, _ found: inout Set<PCIAddress>) {
        guard seen.insert(UInt32(segment) << 8 | UInt32(bus)).inserted else {
            r.warnings.append("bus \(hex(segment, 4)):\(hex(bus, 2)) reached twice; walked once")
            return
        }
        r.buses.append(BusRange(segment: segment, first: bus, last: bus))
        var bridges: [PCIFunction] = []
        for device in UInt8(0)..<32 {
            guard let f0 = probe(PCIAddress(segment: segment, bus: bus, device: device, function: 0), &r, &found) else { continue }
            if f0.isBridge { bridges.append(f0) }
            guard f0.multifunction else { continue }
            for function in UInt8(1)..<8 {
                if let f = probe(PCIAddress(segment: segment, bus: bus, device: device, function: function), &r, &found), f.isBridge {
                    bridges.append(f)
                }
            }
        }
        guard follow else { return }
        for b in bridges {
            guard let buses = b.bridge else { continue }
            if buses.secondary == 0 || buses.secondary <= bus {
                r.warnings.append("\(b.address): bridge secondary bus \(hex(buses.secondary, 2)) is not below its own bus \(hex(bus, 2)); not followed")
            } else if buses.subordinate < buses.secondary {
                r.warnings.append("\(b.address): bridge subordinate bus \(hex(buses.subordinate, 2)) is below its secondary \(hex(buses.secondary, 2)); not followed")
            } else if buses.secondary > range.last {
                r.warnings.append("\(b.address): bridge secondary bus \(hex(buses.secondary, 2)) is beyond the last bus \(hex(range.last, 2)) \(layer.method.name) reaches; not followed")
            } else {
                scanBus(segment: segment, bus: buses.secondary, within: range, follow: true, &r, &seen, &found)
            }
        }
    }

    /// Reads the vendor/device dword; all ones or zero means nothing is there
    /// (absent), an error means the access failed (kept apart on purpose).
    private func probe(_ a: PCIAddress, _ r: inout Result, _ found: inout Set<PCIAddress>) -> PCIFunction? {
        guard layer.method.canHold(a) else { return nil }
        do {
            guard let (handle, id) = try layer.probe(a) else {
                r.emptyProbes += 1
                return nil
            }
            let f = try ConfigDecoder.decode(a, LayerSource(layer, probed: handle, id: id))
            r.functions.append(f)
            found.insert(a)
            return f
        } catch {
            r.failures.append(Failure(address: a, message: "\(error)"))
            found.insert(a)
            return nil
        }
    }
}
