import Enumerator

/// ECAM reservations, the access mechanism the kernel chose, the command line.
extension BootProfileBuilder {
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
        } else if m.hasPrefix("PCI: Fatal: No config space access function found") {
            sawNoAccessFunction = true
        } else if m.hasPrefix("PCI: Probing PCI hardware") || m.hasPrefix("PCI host bridge to bus ") {
            openScan(t, m)
        } else if let (b, _) = m.after("PCI: Discovered peer bus ")?.leadingHex(maxDigits: 2) {
            profile.peerBusesDiscovered.append(UInt8(b))
        } else if m.hasPrefix("PCI: Using ACPI for IRQ routing"), profile.peerProbeWindow == nil {
            profile.peerProbeWindow = Phase(kind: .mechanism, name: "peer-bus probes", start: t, end: nil, detail: m.string)
        } else if m.hasPrefix("PCI: pci_cache_line_size set to"), let w = profile.peerProbeWindow, w.end == nil, t >= w.start {
            profile.peerProbeWindow?.end = t
        }
    }

    mutating func setCommandLine(_ c: ByteLine) {
        let text = c.string
        profile.commandLine = text
        // pci=lastbus=N: decimal, else bare hex
        let (pci, lastbus) = ("pci=", "lastbus=")
        for word in text.split(separator: " ") where word.hasPrefix(pci) {
            for option in word.dropFirst(pci.count).split(separator: ",") where option.hasPrefix(lastbus) {
                let value = option.dropFirst(lastbus.count)
                profile.lastBusParameter = Int(value) ?? Int(value, radix: 16)
            }
        }
    }
}
