import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// Any of libpci's own methods (`linux-sysfs`, `linux-proc`, `intel-conf1`,
/// `mmio-conf1`, `ecam`, `dump`...), through CLibPCI. Useful to hold pcitime's
/// methods against the reference implementation lspci uses.
package final class LibPCIAccess: ConfigAccess {
    package let name: String
    package let libpciMethod: String
    package var summary: String { "libpci's \(libpciMethod) method (pciutils)" }
    let access: UnsafeMutablePointer<pci_access>
    private var devices: [PCIAddress: FunctionHandle] = [:]
    private var listing: Set<PCIAddress>?
    let size: Int
    let parameters: [String: String]

    /// Methods that list devices from the OS instead of probing hardware;
    /// pciutils' `init.c` probes these first for the same reason.
    static let listingMethods: Set<String> = ["linux-sysfs", "linux-proc", "dump"]
    static let baseOnlyMethods: Set<String> = ["intel-conf1", "intel-conf2", "mmio-conf1"]

    package init(method: String, parameters: [String: String] = [:]) throws {
        self.libpciMethod = method
        self.name = "libpci:" + method
        self.parameters = parameters
        let keys = parameters.keys.sorted()
        var err = [CChar](repeating: 0, count: 512)
        let cKeys = keys.map { strdup($0) }
        let cValues = keys.map { strdup(parameters[$0]!) }
        defer { (cKeys + cValues).forEach { free($0) } }
        let opened: UnsafeMutablePointer<pci_access>? = cKeys.map { UnsafePointer($0) }.withUnsafeBufferPointer { kp in
            cValues.map { UnsafePointer($0) }.withUnsafeBufferPointer { vp in
                pcitime_pci_open(method, kp.baseAddress, vp.baseAddress, Int32(keys.count), &err, err.count)
            }
        }
        guard let opened else {
            throw PCITimeError.unavailable(name, cText(err))
        }
        access = opened
        size = Self.baseOnlyMethods.contains(method) ? 256 : 4096
        if Self.listingMethods.contains(method) {
            guard pcitime_pci_scan(access, &err, err.count) == 0 else {
                pcitime_pci_close(access)
                throw PCITimeError.unavailable(name, cText(err))
            }
            var found = Set<PCIAddress>()
            var d = access.pointee.devices
            while let dev = d {
                if dev.pointee.dev < 32, dev.pointee.func < 8, dev.pointee.domain >= 0, dev.pointee.domain <= 0xffff {
                    found.insert(PCIAddress(segment: UInt16(dev.pointee.domain), bus: dev.pointee.bus,
                                            device: dev.pointee.dev, function: dev.pointee.func))
                }
                d = dev.pointee.next
            }
            listing = found
        }
    }

    deinit {
        for case .libpci(let d) in devices.values.map(\.target) { pci_free_dev(UnsafeMutablePointer(d)) }
        pcitime_pci_close(access)
    }

    package func listedFunctions() -> Set<PCIAddress>? { listing }
    package var hasKernelView: Bool { libpciMethod != "dump" }

    package func roots() -> [BusRange] {
        let segments = listing.map { Set($0.map(\.segment)) } ?? [0]
        return segments.sorted().map { BusRange(segment: $0, first: 0, last: 255) }
    }

    /// libpci does not say how far a method reaches. Through sysfs it is the
    /// config file's size (reads past it never reach the device); type 1 is
    /// 256; a dump holds what its lspci -x printed (pci_read_block past it
    /// fails, where a dword read returns ones: lspci's -xxxx stops there too).
    func reach(_ a: PCIAddress, _ d: UnsafeMutablePointer<pci_dev>) -> Int {
        if libpciMethod == "dump" {
            return [4096, 256, 128].first { pcitime_pci_block_readable(d, 0, Int32($0)) != 0 } ?? 64
        }
        guard libpciMethod == "linux-sysfs" else { return size }
        let base = parameters["sysfs.path"] ?? "/sys/bus/pci"
        var st = stat()
        guard stat(base + "/devices/" + a.description + "/config", &st) == 0 else { return size }
        return min(Int(st.st_size), size)
    }

    @discardableResult
    package func prepare(_ a: PCIAddress) throws -> FunctionHandle {
        if let h = devices[a] { return h }
        guard let d = pci_get_dev(access, Int32(a.segment), Int32(a.bus), Int32(a.device), Int32(a.function)) else {
            throw PCITimeError.unavailable(name, "pci_get_dev failed for \(a)")
        }
        let h = FunctionHandle(address: a, target: .libpci(OpaquePointer(d)), window: 0..<reach(a, d))
        devices[a] = h
        return h
    }

    package func read(_ h: FunctionHandle, offset: Int, width: AccessWidth, clock: AccessTimer.Source) throws -> TimedRead {
        guard case .libpci(let d) = h.target else { throw PCITimeError.usage("\(name): \(h.address) was prepared by another method") }
        var value: UInt32 = 0
        var failed: Int32 = 0
        let ticks = pcitime_timed_pci_read(UnsafeMutablePointer(d), Int32(offset), Int32(width.rawValue), clock.flag, &value, &failed)
        guard failed == 0 else { throw PCITimeError.system(name, EIO) }
        return TimedRead(value: value, ticks: ticks)
    }
}

/// A NUL-terminated C buffer as a String.
func cText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
