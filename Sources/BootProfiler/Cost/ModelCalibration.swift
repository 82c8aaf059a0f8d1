import Enumerator

/// What the enumeration model adds per device for one kernel series: the
/// model follows 6.1's sequence, and other releases do other work (6.12+
/// builds virtio-pci in and probes it at boot, 7.x writes less). Fitted by
/// scripts/model-calibration on the guest suite's boots (QEMU's per-device
/// count of each, fixtures/ftrace) as the mean difference per device kind;
/// the expected error is the worst total of a topology left out of the fit.
package struct ModelCalibration: Sendable {
    /// The model's input: a scan's functions (capabilities known), or the
    /// kernel log's device lines (no capabilities: much more to add).
    package enum Source: String, Sendable { case tree, log }

    package struct Delta: Sendable, Equatable {
        package var reads: Double
        package var writes: Double
    }

    package struct Series: Sendable {
        /// Major and minor version, as Linux names a series.
        package var version: (Int, Int)
        /// The exact kernels and boots it was fitted on.
        package var basis: String
        package var tree: [String: Delta]
        package var log: [String: Delta]
        /// Worst |error| of a topology's totals when left out of the fit,
        /// reads and writes, as fractions.
        package var treeError: Delta
        package var logError: Delta

        package var name: String { "\(version.0).\(version.1)" }
    }

    package let series: Series
    package let source: Source
    /// False when the kernel is not a calibrated series (the nearest one is used).
    package let exact: Bool
    package let kernel: String?

    /// The calibration for `kernelVersion` ("6.12.118+deb12-cloud-amd64"):
    /// its series, else the nearest calibrated one. Nil when the version is
    /// unknown or nothing is calibrated.
    package static func choose(kernelVersion: String?, source: Source) -> ModelCalibration? {
        guard let v = kernelVersion, let (major, minor) = Self.series(of: v), !ModelCalibrationTable.series.isEmpty else { return nil }
        let key = major * 1000 + minor
        let best = ModelCalibrationTable.series.min { abs($0.version.0 * 1000 + $0.version.1 - key) < abs($1.version.0 * 1000 + $1.version.1 - key) }!
        return ModelCalibration(series: best, source: source, exact: best.version == (major, minor), kernel: v)
    }

    static func series(of version: String) -> (Int, Int)? {
        let parts = version.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    /// The kinds a device is calibrated by, most specific first (the first
    /// the table has is used). From a scan: virtio (one driver for every
    /// class) or the class, conventional or PCIe, a bridge's port type; from
    /// the log, which shows no capabilities, the exact device (and whether
    /// a bridge is above it) first. Either
    /// way, whether the kernel assigned its BARs (firmware that leaves them
    /// to the kernel, as microvm's, makes it write them).
    package static func kinds(_ f: EnumeratedFunction, source: Source, assigned: Bool) -> [String] {
        let tail = assigned ? "+assigned" : ""
        let general = f.vendor == 0x1af4 ? "virtio" : hex(f.classCode >> 8, 4)
        var specific: String
        switch source {
        case .tree:
            specific = general
            if f.isBridge, let t = f.pcieType {
                specific += ["/port", "/legacy", "/rc", "/rc", "/root", "/up", "/down", "/pcie-pci", "/pci-pcie"][min(Int(t), 8)]
            } else if f.isPCIe {
                specific += "/pcie"
            }
        case .log:
            // Behind a bridge: a PCIe link to set up, a port above to read.
            specific = hex(f.vendor, 4) + ":" + hex(f.device, 4) + (f.address.bus == 0 ? "" : "/behind")
        }
        return [specific + tail, general + tail, general]
    }

    var table: [String: Delta] { source == .tree ? series.tree : series.log }
    package var expectedError: Delta { source == .tree ? series.treeError : series.logError }

    /// The model's counts with each device's kind's delta added (to the
    /// base mechanism: the kernel's own split of the extra work is unknown).
    package func apply(_ counts: AccessCounts) -> AccessCounts {
        var out = counts
        for i in out.devices.indices {
            guard let d = out.devices[i].modelKinds.lazy.compactMap({ table[$0] }).first else { continue }
            let r = max(-out.devices[i].reads, Int(d.reads.rounded())), w = max(-out.devices[i].writes, Int(d.writes.rounded()))
            out.devices[i].reads += r
            out.devices[i].writes += w
            out.devices[i].byMechanism[counts.baseMechanism.rawValue, default: 0] += r + w
        }
        out.provenance = .modelled(counts.provenance.source + "; " + description)
        return out
    }

    /// What the calibration is and how far to trust it, for reports.
    package var description: String {
        let what = source == .tree ? "a scan's functions" : "the log's device lines (no capabilities)"
        let fit = exact ? "calibrated for Linux \(series.name)" : "Linux \(kernel ?? "?") is not a calibrated series: the nearest, \(series.name), is used"
        return "\(fit) on \(what) (\(series.basis)); expected error \(Format.percent(expectedError.reads)) of reads, \(Format.percent(expectedError.writes)) of writes (worst topology left out of the fit)"
    }
}

extension EnumerationModel {
    /// The model for a boot: the structural sequence on `functions`,
    /// calibrated for the log's kernel series unless `calibrate` is false.
    package static func counts(log: BootProfile?, functions: [EnumeratedFunction], source: ModelCalibration.Source,
                              calibrate: Bool = true) -> AccessCounts {
        var counts = EnumerationModel(log: log).counts(for: functions)
        let assigned = Set(log?.hints.assignedBARs.map(\.address) ?? [])
        let kinds = Dictionary(functions.map { ($0.address, ModelCalibration.kinds($0, source: source, assigned: assigned.contains($0.address))) },
                               uniquingKeysWith: { a, _ in a })
        for i in counts.devices.indices { counts.devices[i].modelKinds = kinds[counts.devices[i].address] ?? [] }
        let input = source == .tree ? "from a scan" : "from the log's device lines, capabilities unknown"
        guard calibrate, let c = ModelCalibration.choose(kernelVersion: log?.kernelVersion, source: source) else {
            counts.trust = input + "; Linux 6.1's sequence, not calibrated for this kernel"
            return counts
        }
        counts = c.apply(counts)
        counts.expectedError = max(c.expectedError.reads, c.expectedError.writes)
        counts.trust = input + "; Linux \(c.series.name) calibration\(c.exact ? "" : " (nearest)"), expected error \(Format.percent(c.expectedError.reads))"
        return counts
    }
}
