import Enumerator

/// Where in the boot an access fell, from the kernel log's phases: the
/// census's "by boot phase" and the time-window attribution of devices.
package struct BootPhase: Sendable, Equatable {
    package enum Kind: String, Sendable, Codable {
        case beforeScan = "before the PCI scan"
        case device = "device enumeration"
        case scanTail = "scan tail (bridges, resources)"
        case driver = "driver probes"
        case other = "after the scan"
    }
    package var kind: Kind
    /// The device whose enumeration window or driver probe holds the access.
    package var device: PCIAddress?
    /// The log phase's name ("driver virtio-pci", "PCI scan"...).
    package var name: String
}

/// Looks up times (microseconds on the log's clock) in the log's windows.
package struct BootPhaseIndex: Sendable {
    let devices: [DeviceWindow]
    let drivers: [(start: UInt64, end: UInt64, name: String, devices: [PCIAddress])]
    let scans: [Phase]
    let resources: Phase?
    let firstScan: UInt64?
    /// Every window's end, sorted: where the gap before a driver's first line begins.
    let ends: [UInt64]

    package init(_ p: BootProfile) {
        devices = p.bootDevices.sorted { $0.start < $1.start }
        drivers = p.drivers.map { d in
            (d.start, d.end, "driver " + d.driver, d.devices.compactMap { PCIAddress(String($0)) })
        }
        scans = p.scans
        resources = p.resources
        firstScan = p.scans.map(\.start).min()
        ends = (p.bootDevices.map(\.end) + p.drivers.map(\.end) + p.scans.compactMap(\.end) + [p.resources?.end].compactMap { $0 }).sorted()
    }

    package func phase(atMicroseconds t: UInt64) -> BootPhase {
        // Driver probes first: they are narrower than a scan's tail.
        if let d = drivers.last(where: { $0.start <= t && t < max($0.end, $0.start + 1) }) {
            // A driver that probed several devices (pcieport, virtio-pci)
            // took them in turn: its span is shared out in the log's order.
            let span = max(d.end, d.start + 1) - d.start
            let i = d.devices.isEmpty ? nil : min(d.devices.count - 1, Int((t - d.start) * UInt64(d.devices.count) / span))
            return BootPhase(kind: .driver, device: i.map { d.devices[$0] }, name: d.name)
        }
        if let w = devices.last(where: { $0.start <= t && t < $0.end }) {
            return BootPhase(kind: .device, device: w.address, name: "enumerating " + w.address.description)
        }
        if let s = scans.first(where: { $0.start <= t && t <= ($0.end ?? $0.start) }) {
            return BootPhase(kind: .scanTail, device: nil, name: s.name)
        }
        if let r = resources, r.start <= t, t <= (r.end ?? r.start) { return BootPhase(kind: .scanTail, device: nil, name: r.name) }
        if let f = firstScan, t < f { return BootPhase(kind: .beforeScan, device: nil, name: "before the PCI scan") }
        // A driver does its config work before it prints: an access in the
        // gap right before a driver's first line is that driver's device.
        if let d = drivers.first(where: { $0.start > t }), let first = d.devices.first,
           t >= (ends.last(where: { $0 <= d.start }) ?? 0) {
            return BootPhase(kind: .other, device: first, name: "after the scan")
        }
        return BootPhase(kind: .other, device: nil, name: "after the scan")
    }
}
