/// What the kernel's sysfs says about a function beyond its config space:
/// the driver bound to it (lspci -k), its IRQ and its BAR sizes (lspci -v).
/// Read from the live tree or a capture, where `driver` and `driver_module`
/// are text files holding the names the live links point to.
package struct KernelDevice: Sendable, Equatable {
    /// The `driver` link's target name ("virtio-pci"); nil when unbound.
    package var driver: String?
    /// The driver's module (`driver/module` link), nil for built-in drivers.
    package var module: String?
    /// The `irq` file; nil when absent.
    package var irq: Int?
    /// BAR sizes by index (0-5, 6 the expansion ROM) from the `resource` file.
    package var regionSizes: [Int: UInt64] = [:]

    package init(driver: String? = nil, module: String? = nil, irq: Int? = nil, regionSizes: [Int: UInt64] = [:]) {
        self.driver = driver
        self.module = module
        self.irq = irq
        self.regionSizes = regionSizes
    }

    /// Reads ROOT/sys/bus/pci/devices/BDF (inside the tree, each file
    /// bounded); nil when the directory is not there. A file that is not
    /// what sysfs holds (a FIFO, too large, a link out of the tree) is left
    /// out, as an absent one is: these are extras beside config space.
    package static func read(root: MachineRoot, _ address: PCIAddress) -> KernelDevice? {
        let dir = MachineRoot.devices + "/" + address.description
        guard root.kind(dir) == .directory else { return nil }
        var k = KernelDevice()
        k.driver = root.linkName(dir + "/driver") ?? firstLine(root, dir + "/driver")
        k.module = root.linkName(dir + "/driver/module") ?? firstLine(root, dir + "/driver_module")
        k.irq = firstLine(root, dir + "/irq").flatMap { Int($0) }
        // As bytes (the files are ASCII): Character splitting was most of -v's
        // and --json's cost on large trees.
        let resource = (try? root.bytes(dir + "/resource", limit: MachineRoot.attributeLimit, what: "a sysfs resource file")) ?? nil
        for (i, line) in (resource ?? []).split(separator: UInt8(ascii: "\n")).prefix(7).enumerated() {
            let f = line.split(separator: UInt8(ascii: " ")).map { UInt64(String(decoding: $0.dropFirst(2), as: UTF8.self), radix: 16) }
            if f.count >= 2, let start = f[0], let end = f[1], end > start { k.regionSizes[i] = end - start + 1 }
        }
        return k
    }

    static func firstLine(_ root: MachineRoot, _ relative: String) -> String? {
        guard let read = try? root.bytes(relative, limit: MachineRoot.attributeLimit, what: "a sysfs attribute"),
              let line = read.split(separator: UInt8(ascii: "\n")).first else { return nil }
        let words = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        let t = words.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        return t.isEmpty ? nil : t
    }
}
