import Enumerator

/// `pcitime boot --json`, schema pcitime-boot/2: snake_case keys (written
/// with JSONOutput's snake_case strategy), IDs as lower-case hex strings,
/// the unit in every duration key (`_us`, `_ns`).
public struct BootJSON: Encodable {
    public var schema = "pcitime-boot/2"
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
        var bdf: String; var vendorId: String; var deviceId: String; var headerType: String; var classCode: String; var kind: String
        var startUs: UInt64; var windowUs: UInt64; var closedByScanEnd: Bool; var resources: [String]
    }
    public struct DriverJSON: Encodable { var driver: String; var startUs: UInt64; var spanUs: UInt64; var reportedUs: UInt64?; var devices: [String] }
    public struct CountsJSON: Encodable {
        struct Device: Encodable { var bdf: String; var reads: Int; var writes: Int; var extended: Int; var type1: Int; var ecam: Int; var meanNs: Double? }
        struct Empty: Encodable { var kind: String; var firstBus: String; var lastBus: String; var accesses: Int }
        var provenance: Provenance
        var total: Int
        var devices: [Device]
        var empty: [Empty]
    }
    public struct LatencyJSON: Encodable { var mechanism: String; var latencyNs: Double; var provenance: Provenance }
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
    public init(source: String, profile p: BootProfile, counts: AccessCounts, latencies: [LatencyEstimate], cost: CostReport, tracing: String, census run: CensusRun? = nil) {
        self.source = source
        kernel = Kernel(version: p.kernelVersion, bootUs: p.kernelBoot, startLost: p.startLost, base: p.mechanism?.base.rawValue,
                        extended: p.mechanism?.extended?.rawValue,
                        ecam: p.ecam.map { ECAMJSON(segment: hex($0.segment, 4), startBus: hex($0.startBus, 2), endBus: hex($0.endBus, 2), base: $0.base.map { hex($0, 8) }, used: $0.used) },
                        lastBusParameter: p.lastBusParameter, initcalls: p.initcalls.count, initcallsTotalUs: p.initcalls.totalMicroseconds)
        phases = p.phases.map { PhaseJSON(name: $0.name, kind: $0.kind.rawValue, startUs: $0.start, durationUs: $0.duration, detail: $0.detail) }
        devices = p.devices.map {
            DeviceJSON(bdf: $0.address.description, vendorId: hex($0.vendor, 4), deviceId: hex($0.device, 4), headerType: hex($0.headerType, 2),
                       classCode: hex($0.classCode, 6), kind: $0.kind, startUs: $0.start, windowUs: $0.duration, closedByScanEnd: $0.closedByScanEnd, resources: $0.resources)
        }
        drivers = p.drivers.map { DriverJSON(driver: $0.driver, startUs: $0.start, spanUs: $0.duration, reportedUs: $0.reportedMicroseconds, devices: $0.devices) }
        self.counts = CountsJSON(provenance: counts.provenance, total: counts.total,
                                 devices: counts.devices.map {
                                     .init(bdf: $0.address.description, reads: $0.reads, writes: $0.writes, extended: $0.extended,
                                           type1: $0.byMechanism[Mechanism.type1.rawValue] ?? 0, ecam: $0.byMechanism[Mechanism.ecam.rawValue] ?? 0, meanNs: $0.meanNanoseconds)
                                 },
                                 empty: counts.empty.map { .init(kind: $0.kind.rawValue, firstBus: hex($0.firstBus, 2), lastBus: hex($0.lastBus, 2), accesses: $0.accesses) })
        self.latencies = latencies.map { LatencyJSON(mechanism: $0.mechanism.rawValue, latencyNs: $0.nanoseconds, provenance: $0.provenance) }
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
