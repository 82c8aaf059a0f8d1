import Enumerator

/// `pcitime boot --json`, schema pcitime-boot/3, in scan/2's and compare/2's
/// convention: snake_case keys (JSONOutput's snake_case strategy), IDs as
/// lower-case hex strings under `*_id` with the pci.ids name under the bare
/// key, the unit in every duration key (`_us`, `_ns`), and each figure's
/// provenance beside it as `<figure>_basis` (`basis` for a whole object).
public struct BootJSON: Encodable {
    public var schema = "pcitime-boot/3"
    public var source: String
    public var kernel: Kernel
    public var phases: [PhaseJSON]
    public var devices: [DeviceJSON]
    public var drivers: [DriverJSON]
    public var counts: CountsJSON
    public var latencies: [LatencyJSON]
    public var cost: CostReport
    public var census: BootCensus?
    /// Where there is no boot trace: how to get a census.
    public var censusHowTo: String?
    public var censusLatency: CensusLatencyJSON?
    public var pricing: CensusPricing?
    public var whatIf: WhatIf?
    public var tracing: String

    public struct Kernel: Encodable {
        var version: String?
        var bootUs: UInt64?
        var startLost: Bool
        var base: String?
        var extended: String?
        var ecam: [ECAMJSON]
        var lastBusParameter: Int?
        var initcalls: Int
        var initcallsTotalUs: UInt64
    }
    public struct ECAMJSON: Encodable { var segment: String; var startBus: String; var endBus: String; var base: String?; var used: Bool }
    public struct PhaseJSON: Encodable { var name: String; var kind: String; var startUs: UInt64; var durationUs: UInt64?; var detail: String }
    public struct DeviceJSON: Encodable {
        var bdf: String; var vendorId: String; var deviceId: String; var classId: String
        var vendor: String?; var device: String?; var `class`: String?
        var headerType: Int; var kind: String
        var startUs: UInt64; var windowUs: UInt64; var closedByScanEnd: Bool; var resources: [String]
    }
    public struct DriverJSON: Encodable { var driver: String; var startUs: UInt64; var spanUs: UInt64; var reportedUs: UInt64?; var devices: [String] }
    public struct CountsJSON: Encodable {
        struct Device: Encodable { var bdf: String; var reads: Int; var writes: Int; var extended: Int; var type1: Int; var ecam: Int; var meanNs: Double?; var modelKinds: [String]? }
        struct Empty: Encodable { var kind: String; var firstBus: String; var lastBus: String; var accesses: Int }
        var basis: Provenance
        var total: Int
        var devices: [Device]
        var empty: [Empty]
    }
    public struct LatencyJSON: Encodable { var mechanism: String; var latencyNs: Double; var latencyBasis: Provenance }
    public struct CensusLatencyJSON: Encodable {
        var source: String?
        var method: String
        var overheadPerCallNs: UInt64?
        var mechanisms: [BootLatency.Distribution]
        var devices: [BootLatency.Distribution]
        var attribution: String
    }
}

extension BootJSON {
    public init(source: String, profile p: BootProfile, counts: AccessCounts, latencies: [LatencyEstimate], cost: CostReport, tracing: String, census run: CensusRun? = nil, names: Names = Names()) {
        self.source = source
        kernel = Kernel(version: p.kernelVersion, bootUs: p.kernelBoot, startLost: p.startLost, base: p.mechanism?.base.rawValue,
                        extended: p.mechanism?.extended?.rawValue,
                        ecam: p.ecam.map { ECAMJSON(segment: hex($0.segment, 4), startBus: hex($0.startBus, 2), endBus: hex($0.endBus, 2), base: $0.base.map { hex($0, 8) }, used: $0.used) },
                        lastBusParameter: p.lastBusParameter, initcalls: p.initcalls.count, initcallsTotalUs: p.initcalls.totalMicroseconds)
        phases = p.phases.map { PhaseJSON(name: $0.name, kind: $0.kind.rawValue, startUs: $0.start, durationUs: $0.duration, detail: $0.detail) }
        devices = p.devices.map {
            DeviceJSON(bdf: $0.address.description, vendorId: hex($0.vendor, 4), deviceId: hex($0.device, 4), classId: hex($0.classCode, 6),
                       vendor: names.vendor($0.vendor), device: names.device($0.vendor, $0.device), class: names.className($0.classCode),
                       headerType: Int($0.headerType & 0x7f), kind: $0.kind, startUs: $0.start, windowUs: $0.duration, closedByScanEnd: $0.closedByScanEnd, resources: $0.resources)
        }
        drivers = p.drivers.map { DriverJSON(driver: $0.driver, startUs: $0.start, spanUs: $0.duration, reportedUs: $0.reportedMicroseconds, devices: $0.devices) }
        self.counts = CountsJSON(basis: counts.provenance, total: counts.total,
                                 devices: counts.devices.map {
                                     .init(bdf: $0.address.description, reads: $0.reads, writes: $0.writes, extended: $0.extended,
                                           type1: $0.byMechanism[Mechanism.type1.rawValue] ?? 0, ecam: $0.byMechanism[Mechanism.ecam.rawValue] ?? 0, meanNs: $0.meanNanoseconds,
                                           modelKinds: $0.modelKinds.isEmpty ? nil : $0.modelKinds)
                                 },
                                 empty: counts.empty.map { .init(kind: $0.kind.rawValue, firstBus: hex($0.firstBus, 2), lastBus: hex($0.lastBus, 2), accesses: $0.accesses) })
        self.latencies = latencies.map { LatencyJSON(mechanism: $0.mechanism.rawValue, latencyNs: $0.nanoseconds, latencyBasis: $0.provenance) }
        self.cost = cost
        self.tracing = tracing
        census = run?.census
        censusHowTo = run == nil ? KernelParams.howTo : nil
        pricing = run?.pricing
        whatIf = run?.whatIf
        censusLatency = run?.latency.map {
            CensusLatencyJSON(source: run?.latencySource, method: $0.method, overheadPerCallNs: $0.overheadPerCallNs,
                              mechanisms: $0.mechanisms, devices: $0.devices, attribution: $0.attribution)
        }
    }
}
