import Histogram

/// The stable, documented `pcitime scan --json` schema (README: "JSON
/// schema", docs/schema/pcitime-scan-3.json). IDs are lower-case hex without
/// 0x, as `lspci -n` prints them, under `*_id`; the pci.ids name has the bare
/// key (`vendor_id` "8086", `vendor` "Intel Corporation"), as jc's lspci.
public struct ScanJSON: Codable, Equatable {
    public var schema = "pcitime-scan/3"
    public var method: String
    public var methodSummary: String
    public var autoPassedOver: [PassedOver]
    public var root: String
    public var passes: Int
    public var brute: Bool
    public var timer: Timer
    public var functions: [Function]
    public var failures: [Failure]
    public var emptyProbeReads: Int
    public var warnings: [String]
    /// What is shown (after -s/-d).
    public var totals: Totals
    /// The whole walk, present only when -s/-d left functions out.
    public var wholeWalk: Totals?

    public struct PassedOver: Codable, Equatable { public var method: String; public var reason: String }
    public struct Failure: Codable, Equatable { public var bdf: String; public var message: String }
    public struct Timer: Codable, Equatable {
        public var source: String
        public var ticksPerSecond: Double
        public var overheadNs: Double
        public var overheadSubtracted = true
    }
    public struct Latency: Codable, Equatable {
        public var min: UInt64, p50: UInt64, p90: UInt64, p99: UInt64, max: UInt64, samples: UInt64
        init<C>(_ h: Histogram<C>) {
            min = h.totalCount == 0 ? 0 : h.min
            let p = h.valuesAtPercentiles([50, 90, 99])
            p50 = p[0]; p90 = p[1]; p99 = p[2]
            max = h.max; samples = h.totalCount
        }
    }
    public struct Function: Codable, Equatable {
        public var bdf: String
        public var vendorId: String, deviceId: String, classId: String, revision: String
        public var vendor: String?, device: String?, `class`: String?
        public var headerType: Int
        public var multifunction: Bool
        public var subsystem: Subsystem?
        public var bars: [Bar]
        public var interruptPin: Int, interruptLine: Int
        public var bridge: PCIFunction.BridgeBuses?
        public var capabilities: [Cap]
        public var extendedCapabilities: [ExtCap]
        public var pcie: PCIe?
        public var configSize: Int
        public var reads: Int
        /// Always 0: pcitime never writes config space. Kept so that
        /// pcitime-scan/3 documents keep their shape (the schema requires it,
        /// and scripts/qemu-trace-count --check holds it against QEMU's trace).
        public var writes = 0
        public var latencyNs: Latency
        public var warnings: [String]
        /// The kernel driver bound to it and its module (sysfs, as lspci -k); nil when none or not this tree.
        public var driver: String? = nil, driverModule: String? = nil
    }
    public struct Subsystem: Codable, Equatable { public var vendorId: String, deviceId: String, name: String? }
    public struct Bar: Codable, Equatable { public var index: Int, type: String, address: String, prefetchable: Bool }
    public struct Cap: Codable, Equatable {
        public var id: String, offset: String, name: String
        public var vectors: Int?, is64Bit: Bool?, enabled: Bool?, virtioType: Int?
    }
    public struct ExtCap: Codable, Equatable { public var id: String, version: Int, offset: String, name: String }
    public struct PCIe: Codable, Equatable {
        public var version: Int, portType: String
        public var link: Link?
        public struct Link: Codable, Equatable { public var maxSpeed: String, maxWidth: Int, speed: String, width: Int }
    }
    public struct Totals: Codable, Equatable {
        public var functions: Int, reads: Int
        /// Always 0, as each function's `writes`.
        public var writes = 0
        public var deviceReads: Int, emptyProbeReads: Int
        public var latencyNs: Latency
        /// The reads that found nothing (empty slots, absent functions): a
        /// class of its own, as the kernel's peer-bus probes are.
        public var emptyProbeLatencyNs: Latency
    }

    public init(_ r: ScanReport, names: Names) {
        method = r.method
        methodSummary = r.methodSummary
        autoPassedOver = r.passedOver.map { PassedOver(method: $0.name, reason: $0.reason) }
        root = r.root
        passes = r.passes
        brute = r.brute
        timer = Timer(source: r.timer.source.rawValue, ticksPerSecond: r.timer.ticksPerSecond, overheadNs: r.timer.overheadNanoseconds)
        functions = r.walk.functions.map { f in
            let s = r.stats[f.address] ?? AccessStats()
            return Function(
                bdf: f.address.description, vendorId: hex(f.vendor, 4), deviceId: hex(f.device, 4), classId: hex(f.classCode, 6),
                revision: hex(f.revision, 2), vendor: names.vendor(f.vendor), device: names.device(f.vendor, f.device),
                class: names.className(f.classCode), headerType: Int(f.headerType), multifunction: f.multifunction,
                subsystem: f.subsystem.map { Subsystem(vendorId: hex($0.vendor, 4), deviceId: hex($0.device, 4),
                                                       name: names.subsystem(f.vendor, f.device, $0.vendor, $0.device)) },
                bars: f.bars.map { Bar(index: $0.index, type: $0.kind.rawValue, address: hexAddress($0.address), prefetchable: $0.prefetchable) },
                interruptPin: Int(f.interruptPin), interruptLine: Int(f.interruptLine), bridge: f.bridge,
                capabilities: f.capabilities.map { Cap(id: hex($0.id, 2), offset: hex($0.offset, 2), name: $0.name, vectors: $0.vectors,
                                                       is64Bit: $0.is64Bit, enabled: $0.enabled, virtioType: $0.virtioType.map(Int.init)) },
                extendedCapabilities: f.extendedCapabilities.map { ExtCap(id: hex($0.id, 4), version: Int($0.version), offset: hex($0.offset, 3), name: $0.name) },
                pcie: f.pcie.map { p in
                    PCIe(version: Int(p.version), portType: p.portTypeName, link: p.link.map {
                        .init(maxSpeed: PCIeInfo.speedName($0.maxSpeed), maxWidth: Int($0.maxWidth), speed: PCIeInfo.speedName($0.speed), width: Int($0.width))
                    })
                },
                configSize: f.configSize, reads: s.reads, latencyNs: Latency(s.latency), warnings: f.warnings,
                driver: r.kernel[f.address]?.driver, driverModule: r.kernel[f.address]?.module)
        }
        failures = r.walk.failures.map { Failure(bdf: $0.address.description, message: $0.message) }
        emptyProbeReads = r.walk.emptyProbes
        warnings = r.walk.warnings
        let t = r.totals
        let empty = Latency(r.emptyProbeStats.latency)
        totals = Totals(functions: r.walk.functions.count, reads: t.reads, deviceReads: r.deviceReads,
                        emptyProbeReads: r.wholeWalk == nil ? r.walk.emptyProbes : 0, latencyNs: Latency(t.latency),
                        emptyProbeLatencyNs: r.wholeWalk == nil ? empty : Latency(AccessStats().latency))
        wholeWalk = r.wholeWalk.map {
            Totals(functions: $0.functions, reads: $0.totals.reads, deviceReads: $0.deviceReads,
                   emptyProbeReads: $0.emptyProbeReads, latencyNs: Latency($0.totals.latency), emptyProbeLatencyNs: empty)
        }
    }

    public static let encoder = JSONOutput.encoder(.snakeCase)

    public static let decoder = CodableJSONDecoder(snakeCaseKeys: true)

    /// The whole document as text (tests; the CLI streams with `write(to:)`).
    public func encoded() -> String {
        var bytes: [UInt8] = []
        write { bytes += $0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
