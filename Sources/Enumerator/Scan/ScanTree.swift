/// `lspci -t`: the bus tree, bridges leading to their secondary buses; with
/// `names` (lspci -tv) each leaf also gets its vendor and device.
package enum ScanTree {
    package static func render(_ functions: [PCIFunction], names: LspciText? = nil) -> String {
        var byBus: [UInt32: [PCIFunction]] = [:]
        var reached = Set<UInt32>()
        for f in functions {
            byBus[key(f.address.segment, f.address.bus), default: []].append(f)
            if let b = f.bridge, b.secondary > f.address.bus { reached.insert(key(f.address.segment, b.secondary)) }
        }
        var out = ""
        for root in byBus.keys.sorted() where !reached.contains(root) {
            let label = "-[\(hex(root >> 8, 4)):\(hex(root & 0xff, 2))]-"
            out += label + bus(root, byBus, indent: String(repeating: " ", count: label.count), depth: 0, names: names)
        }
        return out
    }

    static func key(_ segment: UInt16, _ bus: UInt8) -> UInt32 { UInt32(segment) << 8 | UInt32(bus) }

    /// The lines for one bus; the first continues the caller's line.
    static func bus(_ k: UInt32, _ byBus: [UInt32: [PCIFunction]], indent: String, depth: Int, names: LspciText?) -> String {
        let list = (byBus[k] ?? []).sorted { $0.address < $1.address }
        guard !list.isEmpty, depth < 256 else { return "\n" }
        var out = ""
        for (i, f) in list.enumerated() {
            let last = i == list.count - 1
            let branch = list.count == 1 ? "--" : (i == 0 ? "+-" : (last ? "\\-" : "+-"))
            let name = hex(f.address.device, 2) + "." + String(f.address.function)
            var line = (i == 0 ? "" : indent) + branch + name
            if let b = f.bridge, b.secondary > f.address.bus {
                let range = b.subordinate > b.secondary ? "[\(hex(b.secondary, 2))-\(hex(b.subordinate, 2))]" : "[\(hex(b.secondary, 2))]"
                // lspci puts one more dash before a secondary bus's branches than before a root's.
                line += "-" + range + "--"
                let childIndent = indent + (last ? "  " : "| ") + String(repeating: " ", count: name.count + range.count + 3)
                out += line + bus(key(f.address.segment, b.secondary), byBus, indent: childIndent, depth: depth + 1, names: names)
            } else {
                out += line + (names.map { "  " + $0.vendorDevice(f.vendor, f.device) } ?? "") + "\n"
            }
        }
        return out
    }
}
