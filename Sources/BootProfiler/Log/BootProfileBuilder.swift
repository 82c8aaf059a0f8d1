import Enumerator

/// Turns kernel log lines, fed one at a time, into a `BootProfile`. Memory is
/// bounded by what the profile keeps (devices, drivers, at most
/// `InitcallLimits` initcalls), not by the log's length.
package struct BootProfileBuilder {
    enum InitcallLimits {
        static let longest = 20
        static let pending = 10_000
        static let pci = 500
    }

    var profile = BootProfile()
    var previousWasKmsg = false
    var allowJournal = true
    var sawTimed = false
    var scanOpen = false
    var openDevice: Int?
    var resourceAwaitingNext = false
    var driverAwaitingNext: Int?
    var driverIndex: [String: Int] = [:]
    /// "nvme nvme0: pci function BDF": the driver's name for its function.
    var functionNames: [String: PCIAddress] = [:]
    var pendingCalls: [String: UInt64] = [:]
    var sawBaseChoice = false
    var extendedType1 = false
    /// "PCI: Fatal: No config space access function found": no type 1 (and no
    /// MCFG) at pci_arch_init.
    var sawNoAccessFunction = false
    /// The first ECAM window ACPI's host bridge inserted (`_CBA`), with its time.
    var acpiECAM: (time: UInt64, line: String)?

    package init() {}

    /// Feeds one line of any supported form (no newline needed; CR dropped).
    package mutating func consume(line text: String) {
        LineReader.forEachLine(text: text) { consume($0) }
    }

    mutating func consume(_ raw: ByteLine) {
        profile.lines += 1
        let r = LogRecord.decode(raw, previousWasKmsg: previousWasKmsg, allowJournal: allowJournal)
        switch r.kind {
        case .meta: return
        case .continuation:
            profile.continuationLines += 1
            return
        case .untimed:
            profile.untimestampedLines += 1
            previousWasKmsg = false
            return
        case .timed:
            break
        }
        previousWasKmsg = r.format == .kmsg
        if !sawTimed {
            sawTimed = true
            allowJournal = r.format == .journal
            profile.format = r.format
            let isStart = r.message.hasPrefix("Linux version ")
            profile.startLost = !isStart && r.time > 0
            if !isStart && r.time == 0 { profile.kernelStart = 0 }
        }
        if r.format != profile.format && profile.format != nil && r.format != nil {
            // Mixed forms (e.g. two captures concatenated): keep going.
        }
        if r.message.hasPrefix("Linux version "), profile.timestampedLines > 0 {
            startNewBoot()
        }
        profile.timestampedLines += 1
        if profile.firstTime == nil { profile.firstTime = r.time }
        if let last = profile.lastTime, r.time < last {
            // Within one boot the kernel's clock only goes forward; CPUs
            // stamping records out of order step back by microseconds.
            profile.backwardSteps += 1
            if last - r.time > profile.largestBackwardStep.map({ $0.from - $0.to }) ?? 0 {
                profile.largestBackwardStep = BackwardStep(line: profile.lines, from: last, to: r.time)
            }
        }
        profile.lastTime = r.time
        handle(r.time, r.message)
    }

    /// A second "Linux version" line: the log holds several boots; keep the last.
    mutating func startNewBoot() {
        var fresh = BootProfile()
        fresh.format = profile.format
        fresh.lines = profile.lines
        fresh.timestampedLines = profile.timestampedLines
        fresh.untimestampedLines = profile.untimestampedLines
        fresh.continuationLines = profile.continuationLines
        fresh.overlongLines = profile.overlongLines
        fresh.boots = profile.boots
        profile = fresh
        scanOpen = false
        openDevice = nil
        resourceAwaitingNext = false
        driverAwaitingNext = nil
        driverIndex = [:]
        functionNames = [:]
        pendingCalls = [:]
        sawBaseChoice = false
        extendedType1 = false
        sawNoAccessFunction = false
        acpiECAM = nil
    }

    mutating func handle(_ t: UInt64, _ m: ByteLine) {
        // Close what ends at "the next line".
        if resourceAwaitingNext {
            profile.resources?.end = t
            resourceAwaitingNext = false
        }
        if let d = driverAwaitingNext {
            profile.drivers[d].end = t
            driverAwaitingNext = nil
        }
        if scanOpen && !Self.isScanLine(m) { closeScan(at: t) }
        guard !m.isEmpty else { return }

        // Dispatch on the first byte, then the kernel's own text.
        switch m[0] {
        case UInt8(ascii: "p") where m.hasPrefix("pci "):
            pciLine(t, m)
        case UInt8(ascii: "p") where m.hasPrefix("pci_bus "):
            if !scanOpen, m.contains(": resource ") { resourceLine(t, m) }
        case UInt8(ascii: "P"):
            upperPCILine(t, m)
        case UInt8(ascii: "A"):
            if m.hasPrefix("ACPI: MCFG "), profile.mcfgTable == nil {
                profile.mcfgTable = Phase(kind: .acpi, name: "ACPI MCFG table", start: t, end: nil, detail: m.string)
            } else if m.hasPrefix("ACPI: PCI Root Bridge [") {
                openScan(t, m)
            } else if let rest = m.after("ACPI: PCI: Interrupt link "), rest.contains(" configured for IRQ") {
                let name = rest.prefix(rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.count).string
                if !profile.hints.interruptLinks.contains(name) { profile.hints.interruptLinks.append(name) }
            }
        case UInt8(ascii: "a"):
            // `acpiphp: Slot [N] registered` (`[N-k]` for a repeated name):
            // ACPI hotplug slots, whose status the kernel reads at boot.
            if let rest = m.after("acpiphp: Slot ["), let (n, _) = rest.decimalValue(at: 0), n < 256, profile.runInit == nil {
                profile.hotplugSlots.append(UInt8(n))
            } else if acpiECAM == nil, m.hasPrefix("acpi PNP0A0"), m.contains(": MMCONFIG at [mem "), m.contains(" (base ") {
                acpiECAM = (t, m.string)   // the ECAM window of ACPI's host bridge (_CBA)
            }
        case UInt8(ascii: "L"):
            guard let v = m.after("Linux version ") else { break }
            profile.boots += 1
            profile.kernelStart = t
            profile.startLost = false
            profile.kernelVersion = v.prefix(v.firstIndex(of: UInt8(ascii: " ")) ?? v.count).string
        case UInt8(ascii: "C"):
            if let line = m.after("Command line: ") { setCommandLine(line) }
        case UInt8(ascii: "K"):
            if let line = m.after("Kernel command line: "), profile.commandLine == nil { setCommandLine(line) }
        case UInt8(ascii: "c"):
            if let rest = m.after("calling  ") { callingLine(t, rest) }
        case UInt8(ascii: "i"):
            if let rest = m.after("initcall ") { initcallLine(t, rest) }
        case UInt8(ascii: "R") where m.hasPrefix("Run ") && m.contains(" as init process"):
            if profile.runInit == nil {
                profile.runInit = Phase(kind: .initEnd, name: "run init", start: t, end: nil, detail: m.string)
                profile.devicesBeforeInit = profile.devices.count
                profile.scansBeforeInit = profile.scans.count
                if profile.freeingInitMemory != nil { profile.freeingInitMemory?.end = t }
            }
        case UInt8(ascii: "F") where m.hasPrefix("Freeing unused kernel "):
            if profile.runInit == nil {
                if profile.freeingInitMemory == nil {
                    profile.freeingInitMemory = Phase(kind: .initEnd, name: "free init memory", start: t, end: t, detail: m.string)
                } else {
                    profile.freeingInitMemory?.end = t
                }
            }
        default:
            break
        }
        // Driver lines after init ran are the running system, not boot.
        if profile.runInit == nil { driverLine(t, m); mentionLine(t, m) }
        decodeLine(m)
    }

    /// "DRIVER SSSS:BB:DD.F: enabling device (0000 -> 0002)": firmware left
    /// the function's decode off (pci_enable_resources).
    mutating func decodeLine(_ m: ByteLine) {
        guard let space = m.firstIndex(of: 0x20), space > 0, space < 32,
              let (a, rest) = Self.address(m.dropFirst(space + 1)),
              let (old, _) = rest.after(": enabling device (")?.leadingHex(maxDigits: 4), old & 3 == 0,
              !profile.hints.decodeOff.contains(a) else { return }
        profile.hints.decodeOff.append(a)
    }

    package mutating func finish() -> BootProfile {
        if scanOpen, let last = profile.lastTime { closeScan(at: last) }
        profile.initcalls.unpaired += pendingCalls.count
        pendingCalls = [:]
        // The kernel's split: "type 1 for base access", extended through ECAM
        // when a reservation stood (or type 1 when it said so); ECAM for both
        // when no type-1 line appeared but ECAM was set up. With no access
        // function at all (QEMU microvm,pcie=on: no type 1, no MCFG),
        // raw_pci_read sends every offset to the ECAM window ACPI's host bridge
        // inserts later (arch/x86/pci/common.c, mmconfig-shared.c).
        let ecamUsed = profile.ecam.contains { $0.used }
        if sawBaseChoice {
            profile.mechanism?.extended = extendedType1 ? .type1 : (ecamUsed ? .ecam : nil)
        } else if ecamUsed, let e = profile.ecam.first(where: { $0.used }) {
            profile.mechanism = MechanismChoice(base: .ecam, extended: .ecam, time: e.time, detail: "ECAM reserved and no type 1 line: ECAM for all offsets")
        } else if sawNoAccessFunction, let e = acpiECAM {
            profile.mechanism = MechanismChoice(base: .ecam, extended: .ecam, time: e.time,
                                                detail: "no type 1 (PCI: Fatal: No config space access function found); ECAM for all offsets from ACPI: " + e.line)
        }
        return profile
    }
}
