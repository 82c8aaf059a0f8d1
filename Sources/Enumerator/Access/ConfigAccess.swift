/// The width of one config-space access.
package enum AccessWidth: Int, Sendable, Codable, CaseIterable {
    case byte = 1, word = 2, dword = 4

    var mask: UInt32 { self == .dword ? 0xffff_ffff : (1 << (rawValue * 8)) - 1 }
}

/// A range of buses where a walk starts: a root bus and the last bus below it
/// that the method can reach (an MCFG window's end bus, or 255).
package struct BusRange: Hashable, Sendable, Codable {
    package var segment: UInt16
    package var first: UInt8
    package var last: UInt8
    package init(segment: UInt16, first: UInt8, last: UInt8) {
        self.segment = segment
        self.first = first
        self.last = last
    }
}

/// A function resolved for access, untimed, by `prepare`: what the timed
/// access needs and nothing to look up.
package struct FunctionHandle {
    /// What each method reaches the function through.
    package enum Target {
        /// sysfs: the function's open `config` file.
        case file(Int32)
        /// ECAM: the function's 4 KiB in a bus mapped read-only; the handle
        /// holds the access, so the mapping outlives every handle into it.
        case mapped(UnsafeRawPointer, mapping: ECAMAccess)
        /// Type 1: the function's 0xCF8 address (enable bit, bus, device, function).
        case type1(UInt32)
        /// libpci: its device, freed with the access.
        case libpci(OpaquePointer)
    }

    package let address: PCIAddress
    package let target: Target
    /// The offsets this method reaches on this function.
    package let window: Range<Int>

    package init(address: PCIAddress, target: Target, window: Range<Int>) {
        self.address = address
        self.target = target
        self.window = window
    }
}

/// A value and the clock units its access took (the timer's own cost not
/// yet subtracted).
package struct TimedRead: Sendable {
    package var value: UInt32
    package var ticks: UInt64
}

/// One way to reach PCI configuration space, like pciutils' `struct pci_methods`
/// or Linux's `struct pci_raw_ops`. Each method is one type in its own file.
///
/// Methods read and nothing else (pcitime never writes config space, so the
/// protocol has no write): set-up happens once in `prepare`, range checks,
/// counting and timing live once, in `AccessLayer`. Reads of an absent
/// function return all ones; a failed access throws (kept apart on purpose).
package protocol ConfigAccess: AnyObject {
    /// The name `pcitime methods` shows (`ecam`, `pio`, `sysfs`, `libpci:NAME`).
    var name: String { get }
    /// What one access of this method is, for reports.
    var summary: String { get }
    /// Where a walk starts.
    func roots() -> [BusRange]
    /// Functions the method knows exist without touching config space (the
    /// sysfs listing); nil for methods that must probe.
    func listedFunctions() -> Set<PCIAddress>?
    /// False when the method knows, without touching the device, that nothing
    /// can answer at `address` (sysfs: no directory; ECAM: outside every window).
    func canHold(_ address: PCIAddress) -> Bool
    /// True when the functions are those under the root's sysfs, so their
    /// driver, IRQ and BAR sizes can be read there (false for a dump file).
    var hasKernelView: Bool { get }
    /// Untimed set-up before the first access to a function (open its config
    /// file, map its bus), so the timed region holds only the access. The
    /// window is 0..<256 for type 1, 0..<4096 for ECAM, the config file's size
    /// for sysfs (64 bytes for non-root readers). Cheap when repeated.
    @discardableResult
    func prepare(_ address: PCIAddress) throws -> FunctionHandle
    /// One naturally aligned access inside the handle's window, timed by a C
    /// helper that holds clock, access, clock and nothing else.
    func read(_ function: FunctionHandle, offset: Int, width: AccessWidth, clock: AccessTimer.Source) throws -> TimedRead
}

extension ConfigAccess {
    package func listedFunctions() -> Set<PCIAddress>? { nil }
    package var hasKernelView: Bool { true }
    package func canHold(_ address: PCIAddress) -> Bool { listedFunctions()?.contains(address) ?? true }
    /// Bytes of config space this method reaches on a function (0 if none).
    package func configSize(_ address: PCIAddress) -> Int { (try? prepare(address))?.window.upperBound ?? 0 }
}
