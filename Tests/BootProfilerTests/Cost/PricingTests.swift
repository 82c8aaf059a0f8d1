import BootProfiler
import Enumerator
import Testing

/// `Pricing`: each class of access at its own mechanism's and class's
/// latency, one saving per change. The counts are made here by hand, so
/// every expected figure is arithmetic on this page.
@Suite struct PricingTests {
    /// Firecracker's log (6 functions, type 1 below 0x100, ECAM above), and
    /// counts: 00:00.0 100 reads 10 writes (20 of them past 0xff), 00:01.0
    /// 50 reads, 30 empty-slot probes and 320 probes of buses that do not
    /// exist, each class with its own latency.
    static func input(_ latencies: [LatencyEstimate]) throws -> PricingInput {
        let p = try KernelLog.profile(path: Fixtures.log("firecracker.dmesg.txt"))
        var a = DeviceAccesses(address: PCIAddress(bus: 0, device: 0, function: 0))
        a.reads = 100; a.writes = 10; a.extended = 20
        var b = DeviceAccesses(address: PCIAddress(bus: 0, device: 1, function: 0))
        b.reads = 50
        let counts = AccessCounts(provenance: .measured("by hand"), devices: [a, b],
                                  empty: [EmptyProbes(kind: .emptySlot, firstBus: 0, lastBus: 0, accesses: 30, busCount: 1),
                                          EmptyProbes(kind: .missingBus, firstBus: 1, lastBus: 10, accesses: 320, busCount: 10)],
                                  baseMechanism: .type1, extendedMechanism: .ecam)
        return PricingInput(profile: p, counts: counts, book: LatencyBook(latencies))
    }
    static func l(_ m: Mechanism, _ ns: Double, _ probe: ProbeClass = .present, _ source: LatencySource = .given) -> LatencyEstimate {
        LatencyEstimate(mechanism: m, nanoseconds: ns, provenance: .measured("test"), source: source, probe: probe)
    }

    @Test func emptyProbesArePricedOnlyAtAnEmptyProbesLatency() throws {
        let r = Pricing.price(try Self.input([Self.l(.type1, 13_000), Self.l(.ecam, 9_000)]))
        #expect(r.costs.map(\.what) == ["present functions", "present functions, offsets 0x100 and up", "empty slots", "buses that do not exist"])
        #expect(r.costs.map(\.accesses) == [140, 20, 30, 320])
        #expect(r.costs.map(\.costUs) == [1820, 180, nil, nil])
        #expect(r.totalUs == 2000)
        #expect(r.unpriced.count == 2)
        // all_ecam and read_only_ecam leave the unpriced empty probes out, and say so.
        #expect(r.savings.map(\.id) == ["last_bus", "smaller_mcfg", "all_ecam", "read_only_ecam"])
        let presentOnly: Double = 140 * 4
        #expect(r.savings.first { $0.id == "all_ecam" }?.savedUs == presentOnly)
        #expect(r.savings.first { $0.id == "all_ecam" }?.how.hasSuffix("; 30 empty probes left out (no latency for them); 320 probes of absent buses left out (no latency for them)") == true)
        let lastBus = try #require(r.savings.first { $0.id == "last_bus" })
        #expect(lastBus.accesses == 320 && lastBus.savedUs == nil && lastBus.parameter == "pci=lastbus=0")
    }

    @Test func everyClassAtItsOwnPrice() throws {
        let r = Pricing.price(try Self.input([Self.l(.type1, 13_000), Self.l(.ecam, 9_000), Self.l(.type1, 2_000, .empty), Self.l(.ecam, 1_000, .empty),
                                              Self.l(.type1, 4_000, .absentBus), Self.l(.ecam, 3_000, .absentBus)]))
        #expect(r.costs.map(\.costUs) == [1820, 180, 60, 1280])
        #expect(r.totalUs == 3340)
        let share: Double = 3340.0 / 469_174
        #expect(r.share == share)
        let saved = Dictionary(uniqueKeysWithValues: r.savings.map { ($0.id, $0.savedUs) })
        #expect(saved["last_bus"] == 1280)
        #expect(saved["smaller_mcfg"] == 1280)
        // 140 present base accesses 4 us cheaper, 30 empty probes and 320 probes of absent buses 1 us cheaper.
        #expect(saved["all_ecam"] == 910)
        // Reads: 150 present at 13 us, 30 empty at 2 us and 320 absent-bus
        // at 4 us become loads at 0.1 us; 10 writes go through ECAM (4 us less).
        let readOnly: Double = (150 * 12_900 + 30 * 1_900 + 320 * 3_900 + 10 * 4_000) / 1000.0
        #expect(saved["read_only_ecam"] == readOnly)
        #expect(r.savings.map(\.id) == ["last_bus", "smaller_mcfg", "all_ecam", "read_only_ecam", "combined"])
        // Together: now 160 present accesses at 13 us, 30 empty at 2 us, 320
        // absent-bus at 4 us; after, 150 + 30 reads as loads, 10 writes through ECAM.
        let combined = try #require(saved["combined"] ?? nil)
        let now: Double = 160 * 13_000 + 30 * 2_000 + 320 * 4_000, after: Double = 180 * 100 + 10 * 9_000
        #expect(abs(combined - (now - after) / 1000) < 1e-9)
    }

    @Test func theFirstSourceInTheOrderOfTrustPricesAndTheOtherIsANote() throws {
        let book = LatencyBook([Self.l(.type1, 1_800, .present, .bootTrace), Self.l(.type1, 300, .present, .live), Self.l(.type1, 500, .present, .liveTrap),
                                Self.l(.ecam, 320, .present, .live), Self.l(.ecam, 310, .present, .liveTrap)])
        #expect(book.latency(.type1)?.nanoseconds == 300)
        #expect(book.latency(.type1, .empty) == nil)
        // 310 is within the noise of 320; 500 is not; a boot trace is never a price, nor a note beside one.
        #expect(book.notes == ["type 1 accesses: 0.5 us from the live, through the kernel (test) disagrees with the 0.3 us used, from the live: the live ranks first"])
        let traced = LatencyBook([Self.l(.ecam, 2_900, .present, .bootTrace)])
        #expect(traced.latency(.ecam) == nil)
        #expect(traced.notes == ["ECAM accesses: the boot trace's 2.9 us includes the tracer's own cost: not a price (give --latency FILE, or run pcitime boot on that machine)"])
    }

    @Test func aTracedBootsShareIsOfTheBootLessTheTracersCost() throws {
        var input = try Self.input([Self.l(.type1, 13_000), Self.l(.ecam, 9_000), Self.l(.type1, 2_000, .empty)])
        input.tracer = (calls: 10_000, perCallNs: 5_000, how: "test")
        let r = Pricing.price(input)
        // 469.174 ms less 10,000 calls at 5 us.
        let less: Double = 469_174 - 50_000
        #expect(r.shareBoot?.value == less)
        #expect(r.shareBoot?.provenance.kind == .modelled)
        input.untracedBoot = Figure(value: 400_000, unit: "us", provenance: .measured("baselines"))
        #expect(Pricing.price(input).shareBoot?.value == 400_000)
    }
}
