import Enumerator

/// `pcitime boot --json`, schema pcitime-boot/3, in scan/3's and compare/3's
/// convention: snake_case keys (JSONOutput's snake_case strategy), IDs as
/// lower-case hex strings under `*_id` with the pci.ids name under the bare
/// key, the unit in every duration key (`_us`, `_ns`), and each figure's
/// provenance beside it as `<figure>_basis` (`basis` for a whole object).
/// Every price is under `prices` (one engine: `Pricing`); `--baseline`
/// reads this document back.
package struct BootJSON: Encodable {
    package static let schemaName = "pcitime-boot/3"
    package var schema = BootJSON.schemaName
    package var source: String
    package var kernel: Kernel
    package var phases: [PhaseJSON]
    package var devices: [DeviceJSON]
    package var drivers: [DriverJSON]
    package var initcalls: [InitcallJSON]
    package var counts: CountsJSON
    package var latencies: [LatencyJSON]
    package var prices: PricesJSON
    package var census: BootCensus?
    /// Where there is no boot trace: how to get a census.
    package var censusHowTo: String?
    package var censusLatency: CensusLatencyJSON?
    package var baseline: BaselineComparison?
    package var tracing: String

    package struct Kernel: Encodable {
        var version: String?
        var bootUs: UInt64?
        var startLost: Bool
        var base: String?
        var extended: String?
        var ecam: [ECAMJSON]
        var lastBusParameter: Int?
        var commandLine: String?
        /// A tracer ran during this boot (its times are inflated).
        var traced: Bool
        /// The log's window that holds the peer-bus probes (`BootProfile.peerProbeWindow`).
        var peerProbeWindowUs: UInt64?
        var initcalls: Int
        var initcallsTotalUs: UInt64
        /// initcall_debug's reported durations come in these steps here (the
        /// early clock): the timestamps' durations are used instead.
        var initcallQuantumUs: UInt64?
    }
    package struct ECAMJSON: Encodable { var segment: String; var startBus: String; var endBus: String; var base: String?; var used: Bool }
    package struct PhaseJSON: Encodable { var name: String; var kind: String; var startUs: UInt64; var durationUs: UInt64?; var detail: String }
    package struct DeviceJSON: Encodable {
        var bdf: String; var vendorId: String; var deviceId: String; var classId: String
        var vendor: String?; var device: String?; var `class`: String?
        var headerType: Int; var kind: String
        var startUs: UInt64; var windowUs: UInt64; var closedByScanEnd: Bool; var resources: [String]
    }
    package struct DriverJSON: Encodable { var driver: String; var startUs: UInt64; var spanUs: UInt64; var reportedUs: UInt64?; var devices: [String] }
    /// The PCI initcalls and the longest: duration from the log's timestamps
    /// where the calling line was seen, else as the kernel reported it.
    package struct InitcallJSON: Encodable {
        var name: String; var module: String?; var startUs: UInt64?; var durationUs: UInt64; var durationFrom: String; var reportedUs: UInt64; var pci: Bool
    }
    package struct CountsJSON: Encodable {
        struct Device: Encodable { var bdf: String; var reads: Int; var writes: Int; var extended: Int; var type1: Int; var ecam: Int; var meanNs: Double?; var modelKinds: [String]? }
        struct Empty: Encodable { var kind: String; var firstBus: String; var lastBus: String; var accesses: Int }
        var basis: Provenance
        var total: Int
        var devices: [Device]
        var empty: [Empty]
    }
    /// Every latency found; `chosen` marks the one `prices` used for its
    /// mechanism and class (the others are notes).
    /// Also read back: a boot's JSON given as `--latency` (`LatencyInput`).
    package struct LatencyJSON: Codable {
        var mechanism: String; var probe: String; var latencyNs: Double; var latencyBasis: Provenance; var source: String; var samples: Int?; var chosen: Bool
    }
    package struct PricesJSON: Encodable {
        var enumerationUs: Double?
        var kernelBootUs: Double?
        var share: Double?
        var shareBootUs: Double?
        var shareBootBasis: Provenance?
        var bootNote: String?
        var accesses: Int
        var accessesBasis: Provenance
        var costs: [CostJSON]
        var totalUs: Double?
        var unpriced: [String]
        var deviceCosts: [DeviceCost]
        var savings: [Saving]
        var headline: String
        var notes: [String]
    }
    package struct CostJSON: Encodable {
        var what: String; var mechanism: String; var probe: String; var accesses: Int; var latencyNs: Double?; var costUs: Double?
    }
    package struct CensusLatencyJSON: Encodable {
        var source: String?
        var method: String
        var mechanisms: [BootLatency.Distribution]
        var devices: [BootLatency.Distribution]
        var attribution: String
    }
}

extension BootJSON {
    package init(source: String, profile p: BootProfile, run: BootReport, baseline: BaselineComparison? = nil, names: Names = Names()) {
        self.source = source
        let counts = run.counts, prices = run.prices
        kernel = Kernel(version: p.kernelVersion, bootUs: p.kernelBoot, startLost: p.startLost, base: p.mechanism?.base.rawValue,
                        extended: p.mechanism?.extended?.rawValue,
                        ecam: p.ecam.map { ECAMJSON(segment: hex($0.segment, 4), startBus: hex($0.startBus, 2), endBus: hex($0.endBus, 2), base: $0.base.map { hex($0, 8) }, used: $0.used) },
                        lastBusParameter: p.lastBusParameter, commandLine: p.commandLine, traced: p.traced, peerProbeWindowUs: p.peerProbeWindow?.duration,
                        initcalls: p.initcalls.count, initcallsTotalUs: p.initcalls.totalMicroseconds, initcallQuantumUs: p.initcalls.quantum)
        phases = p.phases.map { PhaseJSON(name: $0.name, kind: $0.kind.rawValue, startUs: $0.start, durationUs: $0.duration, detail: $0.detail) }
        devices = p.devices.map {
            DeviceJSON(bdf: $0.address.description, vendorId: hex($0.vendor, 4), deviceId: hex($0.device, 4), classId: hex($0.classCode, 6),
                       vendor: names.vendor($0.vendor), device: names.device($0.vendor, $0.device), class: names.className($0.classCode),
                       headerType: Int($0.headerType & 0x7f), kind: $0.kind, startUs: $0.start, windowUs: $0.duration, closedByScanEnd: $0.closedByScanEnd, resources: $0.resources)
        }
        drivers = p.drivers.map { DriverJSON(driver: $0.driver, startUs: $0.start, spanUs: $0.duration, reportedUs: $0.reportedMicroseconds, devices: $0.devices) }
        var seen = Set<String>()
        initcalls = (p.initcalls.pci + p.initcalls.longest).filter { seen.insert($0.name).inserted }.map {
            InitcallJSON(name: $0.name, module: $0.module, startUs: $0.start, durationUs: $0.duration,
                         durationFrom: $0.timestampMicroseconds == nil ? "reported" : "log timestamps", reportedUs: $0.microseconds,
                         pci: BootProfileBuilder.isPCIRelated($0.name))
        }
        self.counts = CountsJSON(basis: counts.provenance, total: counts.total,
                                 devices: counts.devices.map {
                                     .init(bdf: $0.address.description, reads: $0.reads, writes: $0.writes, extended: $0.extended,
                                           type1: $0.byMechanism[Mechanism.type1.rawValue] ?? 0, ecam: $0.byMechanism[Mechanism.ecam.rawValue] ?? 0, meanNs: $0.meanNanoseconds,
                                           modelKinds: $0.modelKinds.isEmpty ? nil : $0.modelKinds)
                                 },
                                 empty: counts.empty.map { .init(kind: $0.kind.rawValue, firstBus: hex($0.firstBus, 2), lastBus: hex($0.lastBus, 2), accesses: $0.accesses) })
        latencies = run.latencies.map { l in
            LatencyJSON(mechanism: l.mechanism.rawValue, probe: l.probe.rawValue, latencyNs: l.nanoseconds, latencyBasis: l.provenance,
                        source: l.source.name, samples: l.samples, chosen: run.book.chosen.contains(l))
        }
        self.prices = PricesJSON(enumerationUs: prices.enumeration?.value, kernelBootUs: prices.kernelBoot?.value, share: prices.share,
                                 shareBootUs: prices.shareBoot?.value, shareBootBasis: prices.shareBoot?.provenance, bootNote: prices.bootNote,
                                 accesses: prices.accesses, accessesBasis: prices.accessProvenance,
                                 costs: prices.costs.map { CostJSON(what: $0.what, mechanism: $0.mechanism.rawValue, probe: $0.probe.rawValue, accesses: $0.accesses,
                                                                    latencyNs: $0.latency?.nanoseconds, costUs: $0.costUs) },
                                 totalUs: prices.totalUs, unpriced: prices.unpriced, deviceCosts: prices.deviceCosts, savings: prices.savings,
                                 headline: prices.headline, notes: prices.notes)
        self.tracing = run.tracing
        census = run.census?.census
        censusHowTo = run.census == nil ? KernelParams.howTo : nil
        censusLatency = run.census?.latency.map {
            CensusLatencyJSON(source: run.census?.latencySource, method: $0.method, mechanisms: $0.mechanisms, devices: $0.devices, attribution: $0.attribution)
        }
        self.baseline = baseline
    }
}
