import BootProfiler
import Enumerator
import Foundation
import Testing

/// The enumeration model against real boots of every kernel: each
/// topology's captured tree (fixtures/sysfs/qemu-*), or only the kernel log
/// of a census boot (fixtures/ftrace/KERNEL/TOPOLOGY/function/dmesg.txt),
/// held against QEMU's own count of that boot (qemu-boot-count.json) less
/// the reads before the tracer starts (early-quirks.c, which the census
/// places itself).
@Suite struct ModelCalibrationTests {
    static let kernels = ["5.10", "6.1", "6.12", "7"]
    static let topologies = ["q35", "q35-wide", "q35-switch", "pc", "microvm"]

    static func model(_ kernel: String, _ topology: String, tree: Bool, calibrate: Bool = true) throws -> AccessCounts {
        let log = try KernelLog.profile(path: CensusFixture(kernel, topology).dmesg)
        let functions = tree ? try Scanner.scan(method: "sysfs", options: MethodOptions(root: Fixtures.tree("qemu-" + topology))).walk.functions.map(EnumeratedFunction.init)
                             : log.bootDevices.map(EnumeratedFunction.init)
        return EnumerationModel.counts(log: log, functions: functions, source: tree ? .tree : .log, calibrate: calibrate)
    }

    /// QEMU's count after the tracer started, per device and in total.
    static func qemu(_ kernel: String, _ topology: String) throws -> [String: ReadWrite] {
        let q = try CensusFixture(kernel, topology).qemu()
        var out: [String: ReadWrite] = [:]
        for d in q.devices {
            let early = q.before_tracer.devices[d.bdf] ?? ReadWrite()
            out[d.bdf] = ReadWrite(reads: d.reads - early.reads, writes: d.writes - early.writes)
        }
        return out
    }

    /// QEMU's totals after the tracer started.
    static func qemuTotals(_ kernel: String, _ topology: String) throws -> ReadWrite {
        try qemu(kernel, topology).values.reduce(ReadWrite()) { ReadWrite(reads: $0.reads + $1.reads, writes: $0.writes + $1.writes) }
    }

    static func totals(_ m: AccessCounts) -> ReadWrite {
        ReadWrite(reads: m.devices.reduce(0) { $0 + $1.reads }, writes: m.devices.reduce(0) { $0 + $1.writes })
    }

    /// Calibrated for its kernel series, the model's totals are QEMU's
    /// within 5%, reads and writes apart, from a scan and from the log alone.
    @Test(arguments: kernels.flatMap { k in topologies.map { (k, $0) } })
    func calibratedWithinFivePercent(_ t: (kernel: String, topology: String)) throws {
        let truth = try Self.qemuTotals(t.kernel, t.topology)
        for tree in [true, false] {
            let m = try Self.model(t.kernel, t.topology, tree: tree)
            let got = Self.totals(m)
            #expect(abs(Double(got.reads - truth.reads)) <= 0.05 * Double(truth.reads), "\(tree ? "tree" : "log"): \(got.reads) reads against QEMU's \(truth.reads)")
            #expect(abs(Double(got.writes - truth.writes)) <= 0.05 * Double(truth.writes), "\(tree ? "tree" : "log"): \(got.writes) writes against QEMU's \(truth.writes)")
            #expect(m.provenance.kind == .modelled && m.provenance.source.contains("calibrated for Linux ") && m.trust?.contains("expected error") == true)
        }
    }

    /// The sequence itself is 6.1's: uncalibrated, within 1% of reads and
    /// 2.5% of writes there, and a third short of 6.12's reads.
    @Test func structureIsSixOne() throws {
        for topology in Self.topologies {
            let truth = try Self.qemuTotals("6.1", topology)
            let got = Self.totals(try Self.model("6.1", topology, tree: true, calibrate: false))
            #expect(abs(Double(got.reads - truth.reads)) <= 0.01 * Double(truth.reads) && abs(Double(got.writes - truth.writes)) <= 0.025 * Double(truth.writes), "\(topology)")
        }
        let q35 = Self.totals(try Self.model("6.12", "q35", tree: true, calibrate: false))
        let q35Truth = try Self.qemuTotals("6.12", "q35")   // 2,140 reads after the tracer started
        #expect(q35Truth.reads == 2140 && Double(q35.reads) < 0.7 * Double(q35Truth.reads), "\(q35.reads) reads against QEMU's \(q35Truth.reads)")
    }

    /// A kernel no series covers takes the nearest and says so.
    @Test func nearestSeries() throws {
        let c = try #require(ModelCalibration.choose(kernelVersion: "6.8.0-45-generic", source: .tree))
        #expect(c.series.name == "6.12" && !c.exact && c.description.hasPrefix("Linux 6.8.0-45-generic is not a calibrated series: the nearest, 6.12, is used"))
        #expect(ModelCalibration.choose(kernelVersion: "6.1.0-57-cloud-amd64", source: .log)?.exact == true)
        #expect(ModelCalibration.choose(kernelVersion: nil, source: .tree) == nil)
    }

    /// The mechanism follows the log: microvm's accesses all go through ECAM
    /// and it has no peer-bus probes; q35 probes 254 missing buses through
    /// type 1, as many as the boot's raw trace shows (scripts/ftrace-count:
    /// 8,128 pcibios_scan_specific_bus reads); pc has no extended access at all.
    @Test func mechanismsPerTopology() throws {
        let microvm = try Self.model("6.1", "microvm", tree: true)
        let microvmTraced = try CensusFixture("6.1", "microvm").raw().peer_bus_probes
        #expect(microvm.baseMechanism == .ecam && microvm.missingBusTotal == microvmTraced)
        #expect(microvm.devices.allSatisfy { $0.byMechanism.keys.sorted() == ["ECAM"] })
        let q35 = try Self.model("6.1", "q35", tree: true)
        let traced = try CensusFixture("6.1", "q35").raw().peer_bus_probes
        #expect(traced == 8128 && q35.missingBusTotal == traced)
        #expect(q35.baseMechanism == .type1 && q35.extendedMechanism == .ecam)
        let pc = try Self.model("6.1", "pc", tree: true)
        #expect(pc.extendedMechanism == nil && pc.extendedTotal == 0)
    }

    /// Per device on q35 (6.1, calibrated): each function within 5 accesses
    /// (reads and writes together) of QEMU's count of it (a device's link work
    /// done while its port is set up counts for the port in the model, for
    /// the device in QEMU's trace).
    @Test func q35Devices() throws {
        let m = try Self.model("6.1", "q35", tree: true)
        let truth = try Self.qemu("6.1", "q35")
        for d in m.devices {
            let q = try #require(truth[d.address.description])
            #expect(abs(d.reads - q.reads) + abs(d.writes - q.writes) <= 5, "\(d.address): \(d.reads)/\(d.writes) against QEMU's \(q.reads)/\(q.writes)")
        }
    }

    /// The table in Sources is what scripts/model-calibration fits from
    /// these fixtures today.
    @Test func tableIsCurrent() throws {
        let check = try Subprocess.spawn(["/usr/bin/python3", Fixtures.root + "/scripts/model-calibration", "--check", "--pcitime", Fixtures.root + "/.build/debug/pcitime"], stdout: .null)
        #expect(check.wait() == .status(0), "run scripts/model-calibration")
    }
}
