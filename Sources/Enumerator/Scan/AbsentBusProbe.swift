/// Probes of buses that do not exist, as Linux's pcibios_fixup_peer_bridges
/// makes them at boot: the vendor ID of function 0 of each device of a bus
/// no bridge leads to. A VMM may answer them at another price than an empty
/// slot on a bus it has (QEMU looks through every bridge for the bus), so
/// they are timed apart. Reads only, of buses above every bus the walk
/// found and inside the method's reach (an ECAM window's end bus).
package enum AbsentBusProbe {
    /// Times `passes` rounds over up to `buses` absent buses above those
    /// `scan` walked, through the scan's own method and timer (the same
    /// overhead subtracted as from its present functions); an empty result
    /// where none is in reach.
    package static func measure(after scan: ScanReport, buses: Int = 32, passes: Int = 5) throws -> AccessStats {
        let access = scan.access
        let layer = AccessLayer(access, timer: scan.timer)
        var targets: [PCIAddress] = []
        for root in access.roots() {
            let walked = scan.walk.buses.filter { $0.segment == root.segment }.map(\.first)
            let above = Int(walked.max() ?? root.first) + 1
            guard above <= Int(root.last) else { continue }
            for bus in above...min(Int(root.last), above + buses - 1) {
                for device in UInt8(0)..<32 { targets.append(PCIAddress(segment: root.segment, bus: UInt8(bus), device: device, function: 0)) }
            }
        }
        for _ in 0..<passes {
            // Something answering up there is a function, not an absent bus:
            // its read is the layer's, not an empty probe's.
            for a in targets { _ = try layer.probe(a) }
        }
        return layer.emptyProbes
    }
}
