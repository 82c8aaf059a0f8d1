import Testing
@testable import BootProfiler
import Enumerator

/// `boot --summary`, -s/-d and --sort on the real q35 capture (log, tree, modelled counts).
@Suite struct BootViewTests {
    static func q35() throws -> (profile: BootProfile, run: BootReport) {
        let root = Fixtures.tree("qemu-q35")
        let (profile, _) = try KernelLog.load(file: nil, root: root)
        return (profile, try BootReport(profile: profile, request: BootRequest(), options: MethodOptions(root: root), fromFile: false))
    }

    @Test func summaryIsOneLine() throws {
        let (p, run) = try Self.q35()
        #expect(BootSummary.line(profile: p, prices: run.prices, counts: run.counts) ==
            "Kernel boot 2711.8 ms (to init); PCI enumeration 104.3 ms (3.8%) over 12 devices; 9921 config accesses (modelled from a scan; Linux 6.1 calibration, expected error 0.6%); saving available: 2.8 ms (modelled) with pci=lastbus=1\n")
        // The capture's own log prices the probes of absent buses: from 'PCI: Using
        // ACPI for IRQ routing' at 0.823270 to 'pci_cache_line_size set' at 0.826082.
        #expect(run.book.latency(.type1, .absentBus)?.nanoseconds == 2_812_000.0 / 8128)
        var lost = p
        lost.startLost = true
        #expect(BootSummary.line(profile: lost, prices: nil, counts: nil) == "Kernel boot unknown (the log's start is lost); no PCI scan in the log\n")
    }

    @Test func slotAndIDFilters() throws {
        let (p, run) = try Self.q35()
        let port = BootView(filter: try SlotFilter(slot: "00:05", id: nil)).apply(p, counts: run.counts)
        #expect(port.devices.map(\.address.description) == ["0000:00:05.0"])
        #expect(port.drivers.map(\.driver) == ["pcieport"])
        let redHat = BootView(filter: try SlotFilter(slot: nil, id: "1af4:")).apply(p, counts: run.counts)
        #expect(redHat.devices.map(\.address.short) == ["00:01.0", "00:02.0", "00:06.0", "00:06.1", "01:00.0"])
        #expect(redHat.devices.allSatisfy { $0.vendor == 0x1af4 })
        // The measurements are untouched: only which rows.
        #expect(redHat.devices.first == p.devices.first { $0.address.short == "00:01.0" })
    }

    @Test func sortByTimeAndByCost() throws {
        let (p, run) = try Self.q35()
        let byTime = BootView(order: .time).apply(p, counts: run.counts)
        #expect(byTime.devices.count == p.devices.count)
        #expect(zip(byTime.devices, byTime.devices.dropFirst()).allSatisfy { $0.duration >= $1.duration })
        #expect(byTime.devices.first?.address.short == "00:01.0" && byTime.devices.first?.duration == 20_886)
        #expect(zip(byTime.drivers, byTime.drivers.dropFirst()).allSatisfy { $0.duration >= $1.duration })
        let byCost = BootView(order: .cost).apply(p, counts: run.counts)
        let accesses = byCost.devices.map { run.counts.device($0.address)?.total ?? 0 }
        #expect(accesses == accesses.sorted(by: >))
        #expect(byCost.devices.prefix(3).map(\.address.short) == ["00:05.0", "01:00.0", "00:04.0"] && accesses.prefix(3) == [291, 193, 193])
        #expect(BootView(order: .cost).caption == "costliest first (priced accesses, or their count where unpriced)")
        #expect(BootView().caption == nil)
    }
}
