/// Names and IDs as lspci writes them (pciutils' `pci_lookup_name` formats):
/// `-n` numbers only, default names with lspci's fallbacks ("Device 0d57"),
/// `-nn` names followed by the numbers in brackets.
package struct LspciText {
    package enum IDs: Sendable { case names, numeric, both }

    package let names: Names
    package let ids: IDs
    /// lspci -D: the domain on every address, not only when one is non-zero.
    package let domains: Bool

    package init(names: Names, ids: IDs = .names, domains: Bool = false) {
        self.names = names
        self.ids = names.access == nil ? .numeric : ids
        self.domains = domains
    }

    package func slot(_ a: PCIAddress, wide: Bool = false) -> String { domains || wide ? a.description : a.short }

    /// "Ethernet controller", "Unassigned class [ffff]", "Class 0502"; -nn adds "[0200]".
    package func className(_ classCode: UInt32) -> String {
        let code = hex(classCode >> 8, 4)
        if ids == .numeric { return code }
        // libpci itself falls back to "Base class name [cccc]" when only the base class is known.
        if let sub = names.subclassName(classCode) { return ids == .both && !sub.hasSuffix("[\(code)]") ? "\(sub) [\(code)]" : sub }
        if let base = names.baseClassName(classCode) { return "\(base) [\(code)]" }
        return ids == .both ? "Class [\(code)]" : "Class \(code)"
    }

    /// "Red Hat, Inc. Virtio network device", "Intel Corporation Device 0d57", "Device 1234:5678".
    package func vendorDevice(_ v: UInt16, _ d: UInt16) -> String {
        let pair = "\(hex(v, 4)):\(hex(d, 4))"
        if ids == .numeric { return pair }
        guard let vendor = names.vendor(v) else { return ids == .both ? "Device [\(pair)]" : "Device \(pair)" }
        let device = names.device(v, d)
        if ids == .both { return "\(vendor) \(device ?? "Device") [\(pair)]" }
        return "\(vendor) \(device ?? "Device \(hex(d, 4))")"
    }

    /// The subsystem as lspci's "Subsystem:" line: vendor then subsystem device name.
    package func subsystem(_ f: PCIFunction, _ s: PCIFunction.Subsystem) -> String {
        let pair = "\(hex(s.vendor, 4)):\(hex(s.device, 4))"
        if ids == .numeric { return pair }
        let vendor = names.vendor(s.vendor)
        let device = names.subsystem(f.vendor, f.device, s.vendor, s.device)
        let text: String
        switch (vendor, device) {
        case (let v?, let d?): text = "\(v) \(d)"
        case (let v?, nil): text = "\(v) Device" + (ids == .both ? "" : " \(hex(s.device, 4))")
        case (nil, _): text = "Device" + (ids == .both ? "" : " \(pair)")
        }
        return ids == .both ? "\(text) [\(pair)]" : text
    }

    /// The subsystem lspci shows: none when the vendor is 0 or all ones.
    package func shownSubsystem(_ f: PCIFunction) -> PCIFunction.Subsystem? {
        guard let s = f.subsystem, s.vendor != 0, s.vendor != 0xffff else { return nil }
        return s
    }

    /// What lspci prints after the address: "Host bridge: Intel Corporation
    /// Device 0d57 (rev 01)", with " (prog-if 02 [NVM Express])" under -v.
    package func describe(_ f: PCIFunction, verbose: Bool = false) -> String {
        var s = "\(className(f.classCode)): \(vendorDevice(f.vendor, f.device))"
        if f.revision != 0 { s += " (rev \(hex(f.revision, 2)))" }
        if verbose {
            let name = names.progIF(f.classCode)  // lspci -n keeps the prog-if name
            if f.progIF != 0 || name != nil { s += " (prog-if \(hex(f.progIF, 2))" + (name.map { " [\($0)]" } ?? "") + ")" }
        }
        return s
    }
}
