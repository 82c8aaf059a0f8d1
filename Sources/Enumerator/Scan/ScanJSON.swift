import Histogram

/// The stable, documented `pcitime scan --json` schema (README: "JSON
/// schema", docs/schema/pcitime-scan-3.json). IDs are lower-case hex without
/// 0x, as `lspci -n` prints them, under `*_id`; the pci.ids name has the bare
/// key (`vendor_id` "8086", `vendor` "Intel Corporation"), as jc's lspci.
package struct ScanJSON: Codable, Equatable {
    package var schema = "pcitime-scan/3"
    package var method: String
    package var methodSummary: String
    package var autoPassedOver: [PassedOver]
    package var root: String
    package var passes: Int
    package var brute: Bool
    package var timer: Timer
    package var functions: [Function]
    package var failures: [Failure]
    package var emptyProbeReads: Int
    package var warnings: [String]
    /// What is shown (after -s/-d).
    package var totals: Totals
    /// The whole walk, present only when -s/-d left functions out.
    package var wholeWalk: Totals?

    package struct PassedOver: Codable, Equatable { package var method: String; package var reason: String }
    package struct Failure: Codable, Equatable { package var bdf: String; package var message: String }
    package struct Timer: Codable, Equatable {
        package var source: String
        package var ticksPerSecond: Double
        package var overheadNs: Double
        package var overheadSubtracted = true
    }
    package struct Latency: Codable, Equatable {
        package var min: UInt64, p50: UInt64, p90: UInt64, p99: UInt64, max: UInt64, samples: UInt64
        init<C>(_ h: Histogram<C>) {
            min = h.totalCount == 0 ? 0 : h.min
            let p = h.valuesAtPercentiles([50, 90, 99])
            p50 = p[0]; p90 = p[1]; p99 = p[2]
            max = h.max; samples = h.totalCount
        }
    }
    package struct Function: Codable, Equatable {
        package var bdf: String
        package var vendorId: String, deviceId: String, classId: String, revision: String
        package var vendor: String?, device: String?, `class`: String?
        package var headerType: Int
        package var multifunction: Bool
        package var subsystem: Subsystem?
        package var bars: [Bar]
        package var interruptPin: Int, interruptLine: Int
        package var bridge: PCIFunction.BridgeBuses?
        package var capabilities: [Cap]
        package var extendedCapabilities: [ExtCap]
        package var pcie: PCIe?
        package var configSize: Int
        package var reads: Int
        /// Always 0: pcitime never writes config space. Kept so that
        /// pcitime-scan/3 documents keep their shape (the schema requires it,
        /// and scripts/qemu-trace-count --check holds it against QEMU's trace).
        package var writes = 0
        package var latencyNs: Latency
        package var warnings: [String]
        /// The kernel driver bound to it and its module (sysfs, as lspci -k); nil when none or not this tree.
        package var driver: String? = nil, driverModule: String? = nil
    }
    package struct Subsystem: Codable, Equatable { package var vendorId: String, deviceId: String, name: String? }
    package struct Bar: Codable, Equatable { package var index: Int, type: String, address: String, prefetchable: Bool }
    package struct Cap: Codable, Equatable {
        package var id: String, offset: String, name: String
        package var vectors: Int?, is64Bit: Bool?, enabled: Bool?, virtioType: Int?
    }
    package struct ExtCap: Codable, Equatable { package var id: String, version: Int, offset: String, name: String }
    package struct PCIe: Codable, Equatable {
        package var version: Int, portType: String
        package var link: Link?
        package struct Link: Codable, Equatable { package var maxSpeed: String, maxWidth: Int, speed: String, width: Int }
    }
    package struct Totals: Codable, Equatable {
        package var functions: Int, reads: Int
        /// Always 0, as each function's `writes`.
        package var writes = 0
        package var deviceReads: Int, emptyProbeReads: Int
        package var latencyNs: Latency
        /// The reads that found nothing (empty slots, absent functions): a
        /// class of its own, as the kernel's peer-bus probes are.
        package var emptyProbeLatencyNs: Latency
    }

    package init(_ r: ScanReport, names: Names) {
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

    package static let encoder = JSONOutput.encoder(.snakeCase)

    package static let decoder = CodableJSONDecoder(snakeCaseKeys: true)

    /// The whole document as text (tests; the CLI streams with `write(to:)`).
    package func encoded() -> String {
        var bytes: [UInt8] = []
        write { bytes += $0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
