/// What the kernel's sysfs says about a function beyond its config space:
/// the driver bound to it (lspci -k), its IRQ and its BAR sizes (lspci -v).
/// Read from the live tree or a capture, where `driver` and `driver_module`
/// are text files holding the names the live links point to.
public struct KernelDevice: Sendable, Equatable {
    /// The `driver` link's target name ("virtio-pci"); nil when unbound.
    public var driver: String?
    /// The driver's module (`driver/module` link), nil for built-in drivers.
    public var module: String?
    /// The `irq` file; nil when absent.
    public var irq: Int?
    /// BAR sizes by index (0-5, 6 the expansion ROM) from the `resource` file.
    public var regionSizes: [Int: UInt64] = [:]

    public init(driver: String? = nil, module: String? = nil, irq: Int? = nil, regionSizes: [Int: UInt64] = [:]) {
        self.driver = driver
        self.module = module
        self.irq = irq
        self.regionSizes = regionSizes
    }

    /// Reads ROOT/sys/bus/pci/devices/BDF; nil when the directory is not there.
    public static func read(root: String, _ address: PCIAddress) -> KernelDevice? {
        let dir = root.appendingPath("sys/bus/pci/devices/" + address.description)
        guard FileContents.names(inDirectory: dir) != nil else { return nil }
        var k = KernelDevice()
        k.driver = linkName(dir + "/driver") ?? firstLine(dir + "/driver")
        k.module = linkName(dir + "/driver/module") ?? firstLine(dir + "/driver_module")
        k.irq = firstLine(dir + "/irq").flatMap { Int($0) }
        // As bytes (the files are ASCII): Character splitting was most of -v's
        // and --json's cost on large trees.
        for (i, line) in (FileContents.bytes(dir + "/resource") ?? []).split(separator: UInt8(ascii: "\n")).prefix(7).enumerated() {
            let f = line.split(separator: UInt8(ascii: " ")).map { UInt64(String(decoding: $0.dropFirst(2), as: UTF8.self), radix: 16) }
            if f.count >= 2, let start = f[0], let end = f[1], end > start { k.regionSizes[i] = end - start + 1 }
        }
        return k
    }

    /// The last path component of a symbolic link's target.
    static func linkName(_ path: String) -> String? {
        FileContents.linkTarget(path)?.split(separator: "/").last.map(String.init)
    }

    static func firstLine(_ path: String) -> String? {
        guard let bytes = FileContents.bytes(path), let line = bytes.split(separator: UInt8(ascii: "\n")).first else { return nil }
        let words = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        let t = words.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        return t.isEmpty ? nil : t
    }
}
