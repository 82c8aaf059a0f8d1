import CLibPCI

/// Vendor, device, subsystem and class names from libpci's pci.ids, the same
/// database lspci uses. With `numeric` (lspci -n) every lookup returns nil.
public final class Names {
    let access: UnsafeMutablePointer<pci_access>?
    private var buffer = [CChar](repeating: 0, count: 256)

    public init(numeric: Bool = false) {
        access = numeric ? nil : pcitime_names_open()
    }

    deinit { if let access { pci_cleanup(access) } }

    private func lookup(_ call: (UnsafeMutablePointer<pci_access>, UnsafeMutablePointer<CChar>, Int) -> UnsafePointer<CChar>?) -> String? {
        guard let access else { return nil }
        return buffer.withUnsafeMutableBufferPointer { b in
            call(access, b.baseAddress!, b.count).map { String(cString: $0) }
        }
    }

    public func vendor(_ v: UInt16) -> String? {
        lookup { pcitime_lookup_vendor($0, $1, $2, Int32(v)) }
    }
    public func device(_ v: UInt16, _ d: UInt16) -> String? {
        lookup { pcitime_lookup_device($0, $1, $2, Int32(v), Int32(d)) }
    }
    public func subsystem(_ v: UInt16, _ d: UInt16, _ sv: UInt16, _ sd: UInt16) -> String? {
        lookup { pcitime_lookup_subsystem($0, $1, $2, Int32(v), Int32(d), Int32(sv), Int32(sd)) }
    }
    /// The programming interface's name ("NVM Express", "Normal decode").
    public func progIF(_ classCode: UInt32) -> String? {
        lookup { pcitime_lookup_progif($0, $1, $2, Int32(classCode >> 8), Int32(classCode & 0xff)) }
    }
    /// The subclass name ("Ethernet controller"), falling back to the base class.
    public func className(_ classCode: UInt32) -> String? {
        subclassName(classCode) ?? baseClassName(classCode)
    }
    public func subclassName(_ classCode: UInt32) -> String? {
        lookup { pcitime_lookup_class($0, $1, $2, Int32(classCode >> 8)) }
    }
    public func baseClassName(_ classCode: UInt32) -> String? {
        lookup { pcitime_lookup_class($0, $1, $2, Int32(classCode >> 16) << 8) }
    }
}
