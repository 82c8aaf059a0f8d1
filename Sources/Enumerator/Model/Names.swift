import CLibPCI

#if canImport(Glibc)
import Glibc
#endif

/// Vendor, device, subsystem and class names from libpci's pci.ids, the same
/// database lspci uses. With `numeric` (lspci -n) every lookup returns nil.
package final class Names {
    let access: UnsafeMutablePointer<pci_access>?
    private var buffer = [CChar](repeating: 0, count: 256)
    /// The pci.ids file names come from; nil when numeric.
    package let file: String?
    /// Why names were asked for but the output is numeric (no pci.ids anywhere,
    /// or `-i FILE` unreadable): one line for stderr. Nil otherwise.
    package let note: String?

    /// `file` is lspci's `-i FILE`; without it the first readable of
    /// `locations` is used. Never fails: no file means numeric IDs and a note.
    package init(numeric: Bool = false, file: String? = nil) {
        guard !numeric else { (access, self.file, note) = (nil, nil, nil); return }
        let chosen = file.map { [$0] } ?? Names.locations
        // Regular files only: libpci reads pci.ids line by line until its end,
        // which a FIFO or /dev/zero never gives.
        guard let found = chosen.first(where: { Glibc.access($0, R_OK) == 0 && FileContents.kind($0) == .regular }),
              let acc = pcitime_names_open() else {
            (access, self.file) = (nil, nil)
            note = file.map { "\($0): cannot read this pci.ids; showing numeric IDs" }
                ?? "no pci.ids in \(Names.locations.joined(separator: ", ")); showing numeric IDs (-i FILE names one)"
            return
        }
        pci_set_name_list_path(acc, strdup(found), 1)
        (access, self.file, note) = (acc, found, nil)
    }

    /// Where pci.ids is looked for, in order: beside the binary (a bundle,
    /// whose loader is /proc/self/exe there, so argv[0] too), then where
    /// distributions put it (Debian: misc, Fedora/Arch: hwdata), plain or
    /// gzip-compressed (libpci reads both through zlib).
    package static let locations: [String] = {
        var dirs: [String] = []
        for path in [CommandLine.arguments.first ?? "", FileContents.linkTarget("/proc/self/exe") ?? ""] {
            if let folder = path.folderAndName.folder { dirs.append(folder) }
        }
        for dir in ["/usr/share/misc", "/usr/share/hwdata"] where !dirs.contains(dir) { dirs.append(dir) }
        return dirs.flatMap { [$0 + "/pci.ids", $0 + "/pci.ids.gz"] }
    }()

    deinit { if let access { pci_cleanup(access) } }

    private func lookup(_ call: (UnsafeMutablePointer<pci_access>, UnsafeMutablePointer<CChar>, Int) -> UnsafePointer<CChar>?) -> String? {
        guard let access else { return nil }
        return buffer.withUnsafeMutableBufferPointer { b in
            call(access, b.baseAddress!, b.count).map { String(cString: $0) }
        }
    }

    package func vendor(_ v: UInt16) -> String? {
        lookup { pcitime_lookup_vendor($0, $1, $2, Int32(v)) }
    }
    package func device(_ v: UInt16, _ d: UInt16) -> String? {
        lookup { pcitime_lookup_device($0, $1, $2, Int32(v), Int32(d)) }
    }
    package func subsystem(_ v: UInt16, _ d: UInt16, _ sv: UInt16, _ sd: UInt16) -> String? {
        lookup { pcitime_lookup_subsystem($0, $1, $2, Int32(v), Int32(d), Int32(sv), Int32(sd)) }
    }
    /// The programming interface's name ("NVM Express", "Normal decode").
    package func progIF(_ classCode: UInt32) -> String? {
        lookup { pcitime_lookup_progif($0, $1, $2, Int32(classCode >> 8), Int32(classCode & 0xff)) }
    }
    /// The subclass name ("Ethernet controller"), falling back to the base class.
    package func className(_ classCode: UInt32) -> String? {
        subclassName(classCode) ?? baseClassName(classCode)
    }
    package func subclassName(_ classCode: UInt32) -> String? {
        lookup { pcitime_lookup_class($0, $1, $2, Int32(classCode >> 8)) }
    }
    package func baseClassName(_ classCode: UInt32) -> String? {
        lookup { pcitime_lookup_class($0, $1, $2, Int32(classCode >> 16) << 8) }
    }
}
