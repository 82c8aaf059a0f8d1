import Enumerator

/// Where a figure comes from: read off the machine, or estimated.
package struct Provenance: Codable, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Codable, Sendable { case given, measured, modelled }
    package var kind: Kind
    /// What it was measured from, how it was modelled, or who gave it.
    package var source: String

    package init(_ kind: Kind, _ source: String) {
        self.kind = kind
        self.source = source
    }

    package static func measured(_ source: String) -> Provenance { Provenance(.measured, source) }
    package static func modelled(_ source: String) -> Provenance { Provenance(.modelled, source) }
    package var description: String { "\(kind.rawValue): \(source)" }
}

/// A stretch of the boot (or an instant, when `end` is nil), in microseconds
/// since the kernel started, as the log's timestamps give it.
package struct Phase: Codable, Sendable, Equatable {
    package enum Kind: String, Codable, Sendable {
        case kernel, acpi, ecam, mechanism, scan, device, resources, driver, initcall, initEnd
    }
    package var kind: Kind
    package var name: String
    package var start: UInt64
    package var end: UInt64?
    /// The line that opened it, trimmed, so a reader can check the boundary.
    package var detail: String

    package var duration: UInt64? { end.map { $0 >= start ? $0 - start : 0 } }
}

/// A line stamped earlier than the one before it: its line number and the
/// two times (microseconds).
package struct BackwardStep: Codable, Sendable, Equatable {
    package var line: Int
    package var from: UInt64
    package var to: UInt64
}

/// One function's enumeration window: from its `[vvvv:dddd] type` line to the
/// next device line or the end of the scan.
package struct DeviceWindow: Codable, Sendable, Equatable {
    package var address: PCIAddress
    package var vendor: UInt16
    package var device: UInt16
    package var headerType: UInt8
    package var classCode: UInt32
    /// "conventional PCI endpoint", "PCIe Root Port"... (6.7+ kernels print it).
    package var kind: String
    package var start: UInt64
    package var end: UInt64
    /// BAR/ROM/bridge-window lines seen in the window, as printed.
    package var resources: [String]
    /// True when the window was closed by the end of the scan, not by the
    /// next device: it then also holds the scan's tail work.
    package var closedByScanEnd: Bool

    package var duration: UInt64 { end >= start ? end - start : 0 }
}

/// A driver's work as its log lines show it: first line to the line after
/// its last one, with the devices it named.
/// A kernel-log line naming a PCI function ("pci 0000:00:05.0: bridge
/// window ...", "pcieport 0000:00:05.0: AER: ...").
package struct DeviceMention: Codable, Sendable, Equatable {
    package var time: UInt64
    package var address: PCIAddress
    /// "PCI bridge to [bus NN...]": the bridge's secondary bus.
    package var secondary: UInt8?
}

package struct DriverProbe: Codable, Sendable, Equatable {
    package var driver: String
    package var start: UInt64
    package var end: UInt64
    package var devices: [String]
    /// Exact per-device probe times from `initcall_debug`'s "probe with driver
    /// ... returned ... after N usecs", summed.
    package var reportedMicroseconds: UInt64?
    /// Zero when the log's timestamps went backwards.
    package var duration: UInt64 { end >= start ? end - start : 0 }
}

/// A `calling`/`initcall ... returned ... after N usecs` pair.
package struct Initcall: Codable, Sendable, Equatable {
    package var name: String
    package var module: String?
    /// Timestamp of the `calling` line; nil when it was not seen.
    package var start: UInt64?
    package var end: UInt64
    /// The duration the kernel itself reported.
    package var microseconds: UInt64
    package var result: Int

    /// From the `calling` line's timestamp to the `returned` line's: what to
    /// trust where early boot's clock rounds the reported figure (4 ms steps).
    package var timestampMicroseconds: UInt64? { start.map { end >= $0 ? end - $0 : 0 } }
    /// The timestamps' duration when known, else the reported one.
    package var duration: UInt64 { timestampMicroseconds ?? microseconds }
}

/// What `initcall_debug` showed, bounded: totals, the longest calls and every
/// call whose name points at PCI or a PCI driver.
package struct InitcallSummary: Codable, Sendable, Equatable {
    package var count = 0
    package var totalMicroseconds: UInt64 = 0
    package var unpaired = 0
    package var longest: [Initcall] = []
    package var pci: [Initcall] = []

    /// The step the kernel's reported durations come in when they are rounded
    /// (every non-zero one a multiple of 1 ms or more, as an early clock
    /// ticking in jiffies gives); nil when they look exact.
    package var quantum: UInt64? {
        let reported = (longest + pci).map(\.microseconds).filter { $0 > 0 }
        guard reported.count >= 3 else { return nil }
        func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? a : gcd(b, a % b) }
        let g = reported.reduce(0, gcd)
        return g >= 1000 ? g : nil
    }
}

/// The ECAM window the kernel reserved (`PCI: ECAM [mem ...] for domain 0000
/// [bus 00-ff]`, or the older `PCI: MMCONFIG for domain ...`).
package struct ECAMReservation: Codable, Sendable, Equatable {
    package var segment: UInt16
    package var startBus: UInt8
    package var endBus: UInt8
    package var base: UInt64?
    package var time: UInt64
    /// False when the kernel then said it would not use it.
    package var used: Bool

    package init(segment: UInt16, startBus: UInt8, endBus: UInt8, base: UInt64?, time: UInt64, used: Bool) {
        self.segment = segment
        self.startBus = startBus
        self.endBus = endBus
        self.base = base
        self.time = time
        self.used = used
    }
}

/// The kernel's split: base (offsets < 256) through one mechanism, extended
/// through another, as announced in the log.
package struct MechanismChoice: Codable, Sendable, Equatable {
    package var base: Mechanism
    /// nil: the kernel has no extended access (no usable MCFG).
    package var extended: Mechanism?
    package var time: UInt64
    /// The log line that announced it.
    package var detail: String

    package init(base: Mechanism, extended: Mechanism?, time: UInt64, detail: String) {
        self.base = base
        self.extended = extended
        self.time = time
        self.detail = detail
    }
}

package enum Mechanism: String, Codable, Sendable, CaseIterable {
    case type1 = "type 1"
    case type2 = "type 2"
    case ecam = "ECAM"
    case sysfs
    case libpci
}

/// What the log tells the enumeration model: the state firmware left
/// behind (it decides some of the kernel's config writes) and the drivers
/// bound before init.
package struct EnumerationHints: Codable, Sendable, Equatable {
    /// ACPI interrupt links the log names ("Interrupt link LNKA configured").
    package var interruptLinks: [String] = []
    /// Functions a driver found with memory and I/O decode off ("enabling
    /// device (0000 -> ...)", at any time: it is the firmware's state).
    package var decodeOff: [PCIAddress] = []
    /// BARs the kernel assigned itself before init ("BAR 4 [...]: assigned").
    package var assignedBARs: [AssignedBAR] = []
    /// Drivers that named their own device before init ("nvme nvme0: ...");
    /// drivers that name a PCI address are in `BootProfile.drivers`.
    package var bootDrivers: [String] = []

    package struct AssignedBAR: Codable, Sendable, Equatable {
        package var address: PCIAddress
        package var rom: Bool
        package var is64Bit: Bool
        package init(address: PCIAddress, rom: Bool, is64Bit: Bool) { self.address = address; self.rom = rom; self.is64Bit = is64Bit }
    }
    package init() {}
}

/// Everything the kernel log says about PCI discovery and the boot around it.
package struct BootProfile: Codable, Sendable, Equatable {
    package var format: LogFormat?
    package var lines = 0
    package var timestampedLines = 0
    /// Lines without a timestamp (wrapped messages, garbage); not used.
    package var untimestampedLines = 0
    /// `/dev/kmsg` dictionary lines (` SUBSYSTEM=...`), skipped.
    package var continuationLines = 0
    /// Lines cut because they were longer than the reader's limit.
    package var overlongLines = 0
    /// True when the log does not begin at the kernel's start (a wrapped ring
    /// buffer): durations from boot and shares are then unknown.
    package var startLost = false
    /// How many boots the log held; only the last is profiled.
    package var boots = 0
    package var firstTime: UInt64?
    package var lastTime: UInt64?
    /// Lines stamped earlier than the line before them, and the largest such
    /// step (microseconds): CPUs racing to the log step back a little; a log
    /// joined or edited steps back by seconds and is refused (`KernelLog`).
    package var backwardSteps = 0
    package var largestBackwardStep: BackwardStep?
    /// How many devices and scans the log announced before init ran: the
    /// boot's, by the log's order (timestamps that step back cannot move a
    /// device to after init).
    package var devicesBeforeInit: Int?
    package var scansBeforeInit: Int?

    package var kernelStart: UInt64?
    package var kernelVersion: String?
    package var commandLine: String?
    package var mcfgTable: Phase?
    package var ecam: [ECAMReservation] = []
    package var mechanism: MechanismChoice?
    /// Each contiguous run of scan lines (one per root bridge or rescan).
    package var scans: [Phase] = []
    package var devices: [DeviceWindow] = []
    package var resources: Phase?
    package var drivers: [DriverProbe] = []
    package var initcalls = InitcallSummary()
    package var freeingInitMemory: Phase?
    /// "Run /init as init process": the end of the kernel's own boot.
    package var runInit: Phase?
    package var peerBusesDiscovered: [UInt8] = []
    /// x86's pci_subsys_init between its two lines: "PCI: Using ACPI for IRQ
    /// routing" (pci_acpi_init) and "PCI: pci_cache_line_size set to"
    /// (pcibios_init). Between them run pcibios_fixup_peer_bridges (the
    /// probes of buses that do not exist) and the IRQ set-up, nothing else.
    package var peerProbeWindow: Phase?
    /// Every line before init that names a function, in log order: where
    /// the census without arguments attributes post-scan accesses.
    package var mentions: [DeviceMention] = []
    /// Each resource pci_assign_resource handled before init, in log order:
    /// one line each ("... assigned", or "failed to assign").
    package var assignments: [DeviceMention] = []
    /// Slot numbers of `acpiphp: Slot [N] registered` lines before init.
    package var hotplugSlots: [UInt8] = []
    /// `pci=lastbus=N` on the command line, if any.
    package var lastBusParameter: Int?
    /// What the enumeration model needs from the log (ACPI links, firmware
    /// state, the kernel's own BAR assignments, boot drivers).
    package var hints = EnumerationHints()

    package init() {}

    /// Kernel boot in microseconds: start to `Run ... as init process` (or the
    /// last init-memory line); nil when either end is missing.
    package var kernelBoot: UInt64? {
        guard !startLost, let s = kernelStart else { return nil }
        guard let e = runInit?.start ?? freeingInitMemory?.end else { return nil }
        return e >= s ? e - s : nil
    }

    /// A tracer ran from early boot (the kernel command line starts one):
    /// this boot's times include its cost; its counts do not.
    package var traced: Bool {
        parameters.contains { w in ["ftrace=", "kprobe_event=", "trace_event=", "tp_printk"].contains { w.hasPrefix($0) } }
    }

    /// The kernel command line's words.
    package var parameters: Set<String> { Set((commandLine ?? "").split(separator: " ").map(String.init)) }

    /// Time inside the scans that happened before init ran.
    package var enumerationMicroseconds: UInt64 {
        scans.prefix(scansBeforeInit ?? scans.count).reduce(0) { $0 + ($1.duration ?? 0) }
    }

    /// Devices enumerated before init ran (a later rescan is not boot).
    package var bootDevices: [DeviceWindow] {
        Array(devices.prefix(devicesBeforeInit ?? devices.count))
    }

    /// Share of the kernel's boot, 0...1, when the boot's length is known.
    package func share(_ microseconds: UInt64) -> Double? {
        guard let total = kernelBoot, total > 0 else { return nil }
        return Double(microseconds) / Double(total)
    }

    /// Every phase in time order, for the table and the timeline.
    package var phases: [Phase] {
        var all: [Phase] = []
        if let s = kernelStart {
            all.append(Phase(kind: .kernel, name: "kernel boot", start: s, end: kernelBoot.map { s + $0 }, detail: kernelVersion ?? "Linux version"))
        }
        if let m = mcfgTable { all.append(m) }
        for e in ecam {
            all.append(Phase(kind: .ecam, name: e.used ? "ECAM reserved" : "ECAM not used", start: e.time, end: nil,
                             detail: "segment \(e.segment) buses \(hex(e.startBus, 2))-\(hex(e.endBus, 2))"))
        }
        if let m = mechanism {
            all.append(Phase(kind: .mechanism, name: "config mechanism", start: m.time, end: nil, detail: m.detail))
        }
        all += scans
        if let r = resources { all.append(r) }
        for d in drivers {
            all.append(Phase(kind: .driver, name: "driver " + d.driver, start: d.start, end: d.end, detail: d.devices.joined(separator: " ")))
        }
        if let f = freeingInitMemory { all.append(f) }
        if let r = runInit { all.append(r) }
        return all.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
    }
}
