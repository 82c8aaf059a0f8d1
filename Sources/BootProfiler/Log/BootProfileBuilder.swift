import Enumerator

/// Turns kernel log lines, fed one at a time, into a `BootProfile`. Memory is
/// bounded by what the profile keeps (devices, drivers, at most
/// `InitcallLimits` initcalls), not by the log's length.
public struct BootProfileBuilder {
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
    var pendingCalls: [String: UInt64] = [:]
    var sawBaseChoice = false
    var extendedType1 = false

    public init() {}

    /// Feeds one line of any supported form (no newline needed; CR dropped).
    public mutating func consume(line text: String) {
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
        pendingCalls = [:]
        sawBaseChoice = false
        extendedType1 = false
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
        if profile.runInit == nil { driverLine(t, m) }
    }

    // MARK: the scan

    /// Lines that belong to the root-bridge scan and keep it open.
    static func isScanLine(_ m: ByteLine) -> Bool {
        guard !m.isEmpty else { return false }
        switch m[0] {
        case UInt8(ascii: "p"): return m.hasPrefix("pci ") || m.hasPrefix("pci_bus ")
        case UInt8(ascii: "a"): return m.hasPrefix("acpi PNP0A0") || m.hasPrefix("acpiphp: Slot")   // hotplug slots register mid-scan
        case UInt8(ascii: "P"): return m.hasPrefix("PCI host bridge") || m.hasPrefix("PCI: Probing") || m.hasPrefix("PCI: Discovered peer bus")
        case UInt8(ascii: "A"): return m.hasPrefix("ACPI: PCI Root Bridge [")
        default: return false
        }
    }

    mutating func openScan(_ t: UInt64, _ m: ByteLine) {
        guard !scanOpen else { return }
        scanOpen = true
        profile.scans.append(Phase(kind: .scan, name: "PCI scan", start: t, end: nil, detail: m.string))
    }

    mutating func closeScan(at t: UInt64) {
        scanOpen = false
        profile.scans[profile.scans.count - 1].end = t
        if let d = openDevice {
            profile.devices[d].end = t
            profile.devices[d].closedByScanEnd = true
            openDevice = nil
        }
    }

    mutating func pciLine(_ t: UInt64, _ m: ByteLine) {
        // "pci SSSS:BB:DD.F: message"
        guard let line = m.after("pci "), let address = Self.address(line, at: 0),
              let rest = line.dropFirst(Self.addressLength).after(": "), !rest.isEmpty else { return }
        if let header = Self.deviceHeader(rest) {
            if !scanOpen { openScan(t, m) }
            if let d = openDevice { profile.devices[d].end = t }
            profile.devices.append(DeviceWindow(address: address, vendor: header.vendor, device: header.device,
                                                headerType: header.type, classCode: header.klass, kind: header.kind,
                                                start: t, end: t, resources: [], closedByScanEnd: false))
            openDevice = profile.devices.count - 1
            return
        }
        let isResource = rest.hasPrefix("BAR ") || rest.hasPrefix("ROM ") || rest.hasPrefix("reg 0x") || rest.hasPrefix("bridge window")
        if scanOpen {
            if isResource, let d = openDevice, profile.devices[d].address == address {
                profile.devices[d].resources.append(rest.string)
            }
        } else if isResource && rest.contains("assigned") {
            resourceLine(t, m)
        }
    }

    /// `[1af4:1045] type 00 class 0xffff00 conventional PCI endpoint`
    static func deviceHeader(_ r: ByteLine) -> (vendor: UInt16, device: UInt16, type: UInt8, klass: UInt32, kind: String)? {
        guard r.count >= 29, r[0] == 0x5B, r[5] == 0x3A, r[10] == 0x5D, r.dropFirst(11).hasPrefix(" type "),
              let (v, _) = r.hexValue(at: 1, maxDigits: 4), let (d, _) = r.hexValue(at: 6, maxDigits: 4),
              let (ty, afterType) = r.hexValue(at: 17, maxDigits: 2)
        else { return nil }
        let tail = r.dropFirst(afterType)
        guard tail.hasPrefix(" class 0x"), let (k, afterClass) = tail.hexValue(at: 9, maxDigits: 6) else { return nil }
        let kind = tail.dropFirst(afterClass).trimmingLeadingBlanks().string
        return (UInt16(v), UInt16(d), UInt8(ty), UInt32(k), kind)
    }

    /// `SSSS:BB:DD.F`: 12 characters.
    static let addressLength = 12

    /// `SSSS:BB:DD.F` at `i`.
    static func address(_ m: ByteLine, at i: Int) -> PCIAddress? {
        guard m.count >= i + 12, m[i + 4] == 0x3A, m[i + 7] == 0x3A, m[i + 10] == 0x2E,
              let (s, e1) = m.hexValue(at: i, maxDigits: 4), e1 == i + 4,
              let (b, e2) = m.hexValue(at: i + 5, maxDigits: 2), e2 == i + 7,
              let (d, e3) = m.hexValue(at: i + 8, maxDigits: 2), e3 == i + 10, d < 32
        else { return nil }
        let f = m[i + 11]
        guard f >= 0x30 && f <= 0x37 else { return nil }
        return PCIAddress(segment: UInt16(s), bus: UInt8(b), device: UInt8(d), function: f - 0x30)
    }

    mutating func resourceLine(_ t: UInt64, _ m: ByteLine) {
        if profile.resources == nil {
            profile.resources = Phase(kind: .resources, name: "resource assignment", start: t, end: t, detail: m.string)
        } else {
            profile.resources?.end = t
        }
        resourceAwaitingNext = true
    }

    // MARK: ECAM, mechanism, command line

    mutating func upperPCILine(_ t: UInt64, _ m: ByteLine) {
        if m.hasPrefix("PCI: ECAM [mem ") || m.hasPrefix("PCI: MMCONFIG for domain ") {
            guard m.contains(" for domain "), let e = ECAMLogLine(m.string) else { return }
            profile.ecam.append(ECAMReservation(segment: e.segment, startBus: e.startBus, endBus: e.endBus, base: e.base, time: t, used: true))
        } else if m.hasPrefix("PCI: not using ECAM") || m.hasPrefix("PCI: not using MMCONFIG") {
            for i in profile.ecam.indices { profile.ecam[i].used = false }
        } else if m.hasPrefix("PCI: Using configuration type ") {
            let kind: Mechanism = m.hasPrefix("PCI: Using configuration type 2") ? .type2 : .type1
            if m.contains("for base access") {
                sawBaseChoice = true
                profile.mechanism = MechanismChoice(base: kind, extended: nil, time: t, detail: m.string)
            } else if m.contains("for extended access") {
                extendedType1 = true
                profile.mechanism?.detail += "; " + m.string
            }
        } else if m.hasPrefix("PCI: Probing PCI hardware") || m.hasPrefix("PCI host bridge to bus ") {
            openScan(t, m)
        } else if m.hasPrefix("PCI: Discovered peer bus "), let (b, _) = m.hexValue(at: 25, maxDigits: 2) {
            profile.peerBusesDiscovered.append(UInt8(b))
        }
    }

    mutating func setCommandLine(_ c: ByteLine) {
        let text = c.string
        profile.commandLine = text
        for word in text.split(separator: " ") where word.hasPrefix("pci=") {
            for option in word.dropFirst(4).split(separator: ",") where option.hasPrefix("lastbus=") {
                profile.lastBusParameter = Int(option.dropFirst(8)).map { $0 } ?? Int(option.dropFirst(8), radix: 16)
            }
        }
    }

    // MARK: initcalls

    /// `NAME+0x0/0x1b0 [module] @ 1`
    static func symbol(_ s: ByteLine) -> (name: String, module: String?)? {
        guard let plus = s.firstIndex(of: 0x2B), plus > 0 else { return nil }
        let name = s.prefix(plus).string
        var module: String?
        if let open = s.firstIndex(of: 0x5B, from: plus), let close = s.firstIndex(of: 0x5D, from: open),
           s.firstIndex(of: 0x20, from: plus).map({ $0 + 1 == open }) ?? false {
            module = s.dropFirst(open + 1).prefix(close - open - 1).string
        }
        return (name, module)
    }

    mutating func callingLine(_ t: UInt64, _ s: ByteLine) {
        guard let (name, _) = Self.symbol(s) else { return }
        if pendingCalls.count < InitcallLimits.pending { pendingCalls[name] = t }
    }

    mutating func initcallLine(_ t: UInt64, _ s: ByteLine) {
        guard let (name, module) = Self.symbol(s), let ret = s.firstRange(of: " returned "),
              let after = s.firstRange(of: " after ", from: ret),
              let (usecs, end) = s.decimalValue(at: after + 7), s.dropFirst(end).hasPrefix(" usecs"),
              usecs < 1 << 40 else { return }  // 12 days: beyond is garbage, and sums never overflow
        var result = 0
        let rs = s.dropFirst(ret + 10)
        if let (v, _) = rs.decimalValue(at: rs.hasPrefix("-") ? 1 : 0) { result = rs.hasPrefix("-") ? -Int(clamping: v) : Int(clamping: v) }
        let start = pendingCalls.removeValue(forKey: name)
        if start == nil { profile.initcalls.unpaired += 1 }
        let call = Initcall(name: name, module: module, start: start, end: t, microseconds: usecs, result: result)
        profile.initcalls.count += 1
        profile.initcalls.totalMicroseconds += usecs
        if Self.isPCIRelated(name) && profile.initcalls.pci.count < InitcallLimits.pci { profile.initcalls.pci.append(call) }
        var longest = profile.initcalls.longest
        if longest.count < InitcallLimits.longest || usecs > longest[longest.count - 1].microseconds {
            longest.append(call)
            longest.sort { $0.microseconds > $1.microseconds }
            if longest.count > InitcallLimits.longest { longest.removeLast() }
            profile.initcalls.longest = longest
        }
    }

    /// Bytes, case-insensitive (ASCII): Foundation's `lowercased()` and
    /// `contains` here cost three quarters of parsing an initcall_debug log.
    static func isPCIRelated(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { n in pciWords.contains { containsLowercased(n, $0) } }
    }

    static let pciWords: [[UInt8]] = ["pci", "virtio", "nvme", "e1000", "ahci", "xhci", "acpi_init"].map { Array($0.utf8) }

    /// Whether `word` (lowercase ASCII) occurs in `text` with ASCII letters folded to lowercase.
    static func containsLowercased(_ text: UnsafeBufferPointer<UInt8>, _ word: [UInt8]) -> Bool {
        guard word.count <= text.count else { return false }
        for start in 0...(text.count - word.count) {
            var j = 0
            while j < word.count {
                var c = text[start + j]
                if c >= 0x41 && c <= 0x5A { c |= 0x20 }
                if c != word[j] { break }
                j += 1
            }
            if j == word.count { return true }
        }
        return false
    }

    // MARK: drivers

    /// `DRIVER SSSS:BB:DD.F: ...` or `DRIVER virtioN...`: a driver talking
    /// about a PCI device (or a virtio device on one).
    mutating func driverLine(_ t: UInt64, _ m: ByteLine) {
        guard let space = m.firstIndex(of: 0x20), space > 0, space < 32 else { return }
        var device: String?
        if let a = Self.address(m, at: space + 1) {
            device = a.description
        } else if m.dropFirst(space + 1).hasPrefix("virtio"), space + 7 < m.count, m[space + 7] >= 0x30, m[space + 7] <= 0x39 {
            let rest = m.dropFirst(space + 1)
            var end = 6
            while end < rest.count && rest[end] >= 0x30 && rest[end] <= 0x39 { end += 1 }
            device = rest.prefix(end).string
        }
        guard let dev = device else { return }
        let driver = m.prefix(space).string
        guard driver != "pci", driver != "pci_bus", driver != "acpi" else { return }
        var i: Int
        if let known = driverIndex[driver] {
            i = known
            profile.drivers[i].end = t
        } else {
            profile.drivers.append(DriverProbe(driver: driver, start: t, end: t, devices: [], reportedMicroseconds: nil))
            i = profile.drivers.count - 1
            driverIndex[driver] = i
        }
        if !profile.drivers[i].devices.contains(dev) { profile.drivers[i].devices.append(dev) }
        // initcall_debug: "probe with driver X returned 0 after N usecs"
        if let p = m.firstRange(of: "probe with driver "), let a = m.firstRange(of: " after ", from: p),
           let (usecs, _) = m.decimalValue(at: a + 7), usecs < 1 << 40 {
            profile.drivers[i].reportedMicroseconds = (profile.drivers[i].reportedMicroseconds ?? 0) + usecs
        }
        driverAwaitingNext = i
    }

    // MARK: the end

    public mutating func finish() -> BootProfile {
        if scanOpen, let last = profile.lastTime { closeScan(at: last) }
        profile.initcalls.unpaired += pendingCalls.count
        pendingCalls = [:]
        // The kernel's split: "type 1 for base access", extended through ECAM
        // when a reservation stood (or type 1 when it said so); ECAM for both
        // when no type-1 line appeared but ECAM was set up.
        let ecamUsed = profile.ecam.contains { $0.used }
        if sawBaseChoice {
            profile.mechanism?.extended = extendedType1 ? .type1 : (ecamUsed ? .ecam : nil)
        } else if ecamUsed, let e = profile.ecam.first(where: { $0.used }) {
            profile.mechanism = MechanismChoice(base: .ecam, extended: .ecam, time: e.time, detail: "ECAM reserved and no type 1 line: ECAM for all offsets")
        }
        return profile
    }
}
