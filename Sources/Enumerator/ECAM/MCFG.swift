#if canImport(Glibc)
import Glibc
#endif

/// One ECAM window: a segment's buses and the physical address of its bus 0.
/// Per the PCI Firmware Specification the MCFG base is the address bus 0
/// would have, even when the window starts at a later bus.
package struct ECAMWindow: Hashable, Sendable, Codable {
    package var base: UInt64
    package var segment: UInt16
    package var startBus: UInt8
    package var endBus: UInt8

    package init(base: UInt64, segment: UInt16, startBus: UInt8, endBus: UInt8) {
        self.base = base
        self.segment = segment
        self.startBus = startBus
        self.endBus = endBus
    }

    /// The physical range the window's buses occupy: 1 MiB per bus.
    package var firstAddress: UInt64 { base + UInt64(startBus) << 20 }
    package var lastAddress: UInt64 { base + (UInt64(endBus) + 1) << 20 - 1 }
    package var size: UInt64 { (UInt64(endBus) - UInt64(startBus) + 1) << 20 }

    /// False when the window's last byte would lie past the 64-bit address
    /// space (a base near 2^64 in a corrupt table): such a window is refused
    /// where it is read, so the address arithmetic here never overflows.
    package var fitsAddressSpace: Bool {
        !base.addingReportingOverflow((UInt64(endBus) + 1) << 20).overflow
    }

    package func contains(segment: UInt16, bus: UInt8) -> Bool {
        segment == self.segment && bus >= startBus && bus <= endBus
    }

    /// PCIe Base Specification, "Enhanced Configuration Access Mechanism":
    /// A[27:20] bus, A[19:15] device, A[14:12] function, A[11:0] register.
    package func address(_ a: PCIAddress, offset: Int) -> UInt64 {
        base + UInt64(a.bus) << 20 | UInt64(a.device) << 15 | UInt64(a.function) << 12 | UInt64(offset)
    }
}

/// The ACPI MCFG table, validated as Linux's `pci_mcfg_parse` and
/// `acpi_mcfg_check_entry` do, with every problem named.
package struct MCFG: Sendable, Equatable {
    package var revision: UInt8
    package var oemID: String
    package var oemTableID: String
    package var checksumValid: Bool
    package var windows: [ECAMWindow]

    static let headerSize = 36
    static let entriesOffset = 44  // header + 8 reserved bytes
    static let entrySize = 16

    /// Parses a table; throws `.input(file, problem)` for anything wrong.
    /// A bad checksum is an error (Linux rejects such tables too).
    package init(bytes: [UInt8], file: String) throws {
        func bad(_ problem: String) -> PCITimeError { .input(file, problem) }
        guard bytes.count >= MCFG.headerSize else {
            throw bad("MCFG truncated: \(bytes.count) bytes, an ACPI header alone is 36")
        }
        guard bytes[0..<4] == [0x4d, 0x43, 0x46, 0x47] else {  // "MCFG"
            throw bad("not an MCFG table: signature \(printable(bytes[0..<4]))")
        }
        let length = Int(le32(bytes, 4))
        guard length == bytes.count else {
            throw bad("MCFG length field says \(length) bytes but the table has \(bytes.count)")
        }
        guard length >= MCFG.entriesOffset else {
            throw bad("MCFG truncated: \(length) bytes, entries start at 44")
        }
        guard (length - MCFG.entriesOffset) % MCFG.entrySize == 0 else {
            throw bad("MCFG length \(length) leaves a partial entry: (length - 44) is not a multiple of 16")
        }
        let sum = bytes.reduce(UInt8(0), &+)
        guard sum == 0 else {
            throw bad("MCFG checksum is wrong: the bytes sum to \(hex(sum, 2)), not 00")
        }
        let count = (length - MCFG.entriesOffset) / MCFG.entrySize
        guard count > 0 else { throw bad("MCFG has no entries") }
        var windows: [ECAMWindow] = []
        for i in 0..<count {
            let o = MCFG.entriesOffset + i * MCFG.entrySize
            let w = ECAMWindow(base: le64(bytes, o), segment: UInt16(le16(bytes, o + 8)),
                               startBus: bytes[o + 10], endBus: bytes[o + 11])
            guard w.startBus <= w.endBus else {
                throw bad("MCFG entry \(i): bus range ends (\(hex(w.endBus, 2))) before it starts (\(hex(w.startBus, 2)))")
            }
            guard w.base & 0xfffff == 0 else {
                throw bad("MCFG entry \(i): base \(hexAddress(w.base)) is not 1 MiB aligned")
            }
            guard w.base != 0 else { throw bad("MCFG entry \(i): base address is 0") }
            guard w.fitsAddressSpace else {
                throw bad("MCFG entry \(i): base \(hexAddress(w.base)) with buses up to \(hex(w.endBus, 2)) runs past the 64-bit address space")
            }
            if let other = windows.first(where: { $0.segment == w.segment && $0.startBus <= w.endBus && w.startBus <= $0.endBus }) {
                throw bad("MCFG entry \(i): segment \(hex(w.segment, 4)) buses \(hex(w.startBus, 2))-\(hex(w.endBus, 2)) overlap buses \(hex(other.startBus, 2))-\(hex(other.endBus, 2))")
            }
            windows.append(w)
        }
        self.revision = bytes[8]
        self.oemID = printable(bytes[10..<16])
        self.oemTableID = printable(bytes[16..<24])
        self.checksumValid = true
        self.windows = windows.sorted { ($0.segment, $0.startBus) < ($1.segment, $1.startBus) }
    }

    /// The largest table read: 44 header bytes and 65,536 entries (a
    /// window per segment) fit in 1 MiB; a length field beyond is not an MCFG.
    package static let sizeLimit = 1 << 20

    /// Reads a table from `fd` as far as its header's length says, never
    /// more than `sizeLimit` (`--mcfg /dev/zero` ends at its signature),
    /// then one byte more to tell a longer file.
    package static func read(fd: Int32, name: String) throws -> [UInt8] {
        let header = try FileContents.read(fd: fd, atMost: headerSize, name: name)
        guard header.count == headerSize, header[0..<4] == [0x4d, 0x43, 0x46, 0x47] else { return header }
        let length = Int(le32(header, 4))
        guard length <= sizeLimit else {
            throw PCITimeError.input(name, "MCFG length field says \(length) bytes: more than an MCFG can hold (\(sizeLimit >> 20) MiB, 65536 entries)")
        }
        let rest = try FileContents.read(fd: fd, atMost: max(0, length - headerSize) + 1, name: name)
        guard headerSize + rest.count <= max(length, headerSize) else {
            throw PCITimeError.input(name, "MCFG length field says \(length) bytes but the file holds more")
        }
        return header + rest
    }

    /// A table named on the command line (`--mcfg FILE`; a stream is read
    /// as far as its header says).
    package init(file path: String) throws {
        let f = try CommandLineFile(path, what: "an MCFG table")
        defer { f.close() }
        try self.init(bytes: try MCFG.read(fd: f.fd, name: f.name), file: f.name)
    }

    /// A machine's table (`sys/firmware/acpi/tables/MCFG` inside a captured
    /// tree, a regular file); nil when it has none.
    package init?(root: MachineRoot) throws {
        let file = root.path(MachineRoot.mcfg)
        let fd: Int32?
        do {
            fd = try root.openIfPresent(MachineRoot.mcfg)
        } catch PCITimeError.permission {
            throw PCITimeError.permission(file, "cannot read the MCFG table: run as root")
        }
        guard let fd else { return nil }
        defer { close(fd) }
        try self.init(bytes: try MCFG.read(fd: fd, name: file), file: file)
    }

    /// The window holding a segment's bus, as Linux's `pci_mmconfig_lookup`.
    package func lookup(segment: UInt16, bus: UInt8) -> ECAMWindow? {
        windows.first { $0.contains(segment: segment, bus: bus) }
    }
}

func le16(_ b: [UInt8], _ o: Int) -> UInt32 { UInt32(b[o]) | UInt32(b[o + 1]) << 8 }
func le32(_ b: [UInt8], _ o: Int) -> UInt32 { le16(b, o) | le16(b, o + 2) << 16 }
func le64(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(le32(b, o)) | UInt64(le32(b, o + 4)) << 32 }

func printable<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    // On bytes: Characters and reversed slices of them cost 0.6 M instructions
    // of runtime type instantiation per call, at every scan's start.
    var text = bytes.map { $0 >= 0x20 && $0 < 0x7f ? $0 : UInt8(ascii: ".") }
    while text.last == UInt8(ascii: " ") { text.removeLast() }
    return String(decoding: text.drop { $0 == UInt8(ascii: " ") }, as: UTF8.self)
}

func hexAddress(_ a: UInt64) -> String { "0x" + String(a, radix: 16) }
