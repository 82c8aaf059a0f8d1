import Enumerator

/// An earlier boot, as its `pcitime boot --json` (pcitime-boot/3) recorded
/// it: what `--baseline` compares this boot with. Only what a comparison
/// needs is read.
package struct Baseline: Sendable, Equatable {
    package var commandLine: String?
    package var kernelBootUs: Double?
    package var enumerationUs: Double?
    /// The boot ran a tracer (its timings are inflated, its counts exact).
    package var traced: Bool
    /// The log's window that holds the peer-bus probes (`KernelLogPrice`).
    package var peerProbeWindowUs: Double?
    /// PCI initcalls' durations from the log's timestamps (reported where
    /// there was no `calling` line), by name.
    package var initcalls: [String: Double]
    /// Config accesses in total, by mechanism, by reason and by function.
    package var accesses: Int
    package var accessesBasis: Provenance.Kind
    package var byMechanism: [String: Int]
    package var byReason: [String: Int]
    package var byDevice: [String: Int]
    /// What it predicted each change would save.
    package var savings: [Saving]

    /// The part of boot/3 read back.
    struct Document: Decodable {
        struct Kernel: Decodable { var bootUs: Double?; var commandLine: String?; var traced: Bool; var peerProbeWindowUs: Double? }
        struct InitcallRow: Decodable { var name: String; var durationUs: Double }
        struct Counts: Decodable {
            struct Device: Decodable { var bdf: String; var reads: Int; var writes: Int }
            var basis: Provenance
            var total: Int
            var devices: [Device]
        }
        struct Census: Decodable {
            struct ByMechanism: Decodable { var type1: ReadWrite; var ecam: ReadWrite }
            struct Reason: Decodable { var reason: String; var reads: Int; var writes: Int }
            var byMechanism: ByMechanism
            var byReason: [Reason]
        }
        struct PricesJSON: Decodable {
            var enumerationUs: Double?
            var savings: [Saving]
        }
        var kernel: Kernel
        var initcalls: [InitcallRow]
        var counts: Counts
        var census: Census?
        var prices: PricesJSON
    }

    package static func load(path: String) throws -> Baseline {
        let f = try CommandLineFile(path, what: "a baseline file")
        defer { f.close() }
        let bytes = try f.bytes(limit: LatencyInput.sizeLimit, what: "baseline file (pcitime boot --json)")
        let path = f.name
        struct Schema: Decodable { var schema: String }
        let decoder = CodableJSONDecoder(snakeCaseKeys: true)
        guard let schema = try? decoder.decode(Schema.self, from: bytes) else {
            throw PCITimeError.input(path, "not a 'pcitime boot --json' document")
        }
        guard schema.schema == BootJSON.schemaName else {
            throw PCITimeError.input(path, "schema \(schema.schema), not \(BootJSON.schemaName): run this pcitime's boot --json on that boot's log")
        }
        let doc: Document
        do {
            doc = try decoder.decode(Document.self, from: bytes)
        } catch {
            throw PCITimeError.input(path, "a \(BootJSON.schemaName) document without what a baseline needs (\(error))")
        }
        var mechanisms: [String: Int] = [:]
        var reasons: [String: Int] = [:]
        if let c = doc.census {
            mechanisms = [Mechanism.type1.rawValue: c.byMechanism.type1.total, Mechanism.ecam.rawValue: c.byMechanism.ecam.total]
            for r in c.byReason { reasons[r.reason] = r.reads + r.writes }
        }
        return Baseline(commandLine: doc.kernel.commandLine, kernelBootUs: doc.kernel.bootUs,
                        enumerationUs: doc.prices.enumerationUs, traced: doc.kernel.traced, peerProbeWindowUs: doc.kernel.peerProbeWindowUs,
                        initcalls: Dictionary(doc.initcalls.map { ($0.name, $0.durationUs) }, uniquingKeysWith: { a, _ in a }),
                        accesses: doc.counts.total, accessesBasis: doc.counts.basis.kind, byMechanism: mechanisms, byReason: reasons,
                        byDevice: Dictionary(doc.counts.devices.map { ($0.bdf, $0.reads + $0.writes) }, uniquingKeysWith: { a, _ in a }),
                        savings: doc.prices.savings)
    }

    /// The median kernel boot of the untraced baselines: what a traced boot's
    /// shares are of.
    /// Its kernel command line's words.
    package var parameters: Set<String> { Set((commandLine ?? "").split(separator: " ").map(String.init)) }

    package static func untracedBoot(_ list: [Baseline]) -> Figure? {
        let boots = list.filter { !$0.traced }.compactMap(\.kernelBootUs)
        guard let m = Spread(boots)?.median else { return nil }
        return Figure(value: m, unit: "us", provenance: .measured("median kernel boot of \(boots.count) untraced baseline boot\(boots.count == 1 ? "" : "s") (--baseline)"))
    }
}
