import Enumerator
#if canImport(Glibc)
import Glibc
#endif

/// Per-mechanism latencies from pcitime's own measurements: a `pcitime scan
/// --json` or `compare --json` file, the latencies a `pcitime boot --json`
/// chose on its machine (probes of absent buses included), a live
/// `ScanReport`, or a plain list
/// `{"latencies":[{"mechanism":"type 1","nanoseconds":13100,"source":"..."}]}`.
package enum LatencyInput {
    /// pcitime's method names to the mechanism that serves them.
    package static func mechanism(forMethod m: String) -> Mechanism? {
        switch m {
        case "pio", "conf1", "type1", "type 1": return .type1
        case "ecam", "mmio", "ECAM": return .ecam
        case _ where m.hasPrefix("sysfs"): return .sysfs
        case _ where m.hasPrefix("libpci"): return .libpci
        default: return nil
        }
    }

    /// A scan's medians: of the reads of present functions, and apart of
    /// the probes that found nothing (a class of its own).
    package static func estimates(scan r: ScanReport, source: String, as kind: LatencySource) -> [LatencyEstimate] {
        guard let m = mechanism(forMethod: r.method), m == .type1 || m == .ecam else { return [] }
        var present = AccessStats()
        for s in r.stats.values { present.add(s) }
        var out: [LatencyEstimate] = []
        for (probe, h) in [(ProbeClass.present, present.latency), (.empty, r.emptyProbeStats.latency)] where h.totalCount > 0 {
            out.append(LatencyEstimate(mechanism: m, nanoseconds: Double(h.valueAtPercentile(50)),
                                       provenance: .measured("\(source): median of \(h.totalCount) \(probe == .present ? "reads of present functions" : "probes that found nothing") by pcitime scan --method \(r.method)"),
                                       source: kind, probe: probe, samples: Int(h.totalCount)))
        }
        return out
    }

    /// The part of `pcitime compare --json` that prices mechanisms.
    struct Compared: Decodable {
        struct Run: Decodable {
            struct Latency: Decodable { var p50: UInt64; var samples: Int }
            var method: String
            var latencyNs: Latency
        }
        var schema: String
        var runs: [Run]
    }

    /// The latencies a `pcitime boot --json` chose (measured on its machine).
    struct Booted: Decodable {
        var schema: String
        var latencies: [BootJSON.LatencyJSON]
    }

    struct Plain: Decodable {
        struct Entry: Decodable { var mechanism: String; var nanoseconds: Double; var source: String?; var probe: String? }
        var latencies: [Entry]
    }

    /// Scan and compare JSON is a few hundred KiB; compare's --raw-samples
    /// can be more, and is not needed here.
    package static let sizeLimit = 1 << 24

    package static func load(path: String) throws -> [LatencyEstimate] {
        let f = try CommandLineFile(path, what: "a latency file")
        defer { f.close() }
        let bytes = try f.bytes(limit: sizeLimit, what: "latency file (JSON)")
        let path = f.name
        if let scan = try? ScanJSON.decoder.decode(ScanJSON.self, from: bytes) {
            // sysfs and libpci go through the kernel, which picks the mechanism: they price neither.
            guard let m = mechanism(forMethod: scan.method), m == .type1 || m == .ecam else {
                throw PCITimeError.input(path, "a '\(scan.method)' scan prices no config mechanism: give a scan with --method pio or --method ecam, or 'pcitime compare --json' output")
            }
            // Per-function medians weighted by their sample counts.
            var sum = 0.0, n: UInt64 = 0
            for f in scan.functions where f.latencyNs.samples > 0 {
                sum += Double(f.latencyNs.p50) * Double(f.latencyNs.samples)
                n += f.latencyNs.samples
            }
            guard n > 0 else { throw PCITimeError.input(path, "scan JSON has no latency samples") }
            var out = [LatencyEstimate(mechanism: m, nanoseconds: sum / Double(n),
                                       provenance: .measured("\(path): per-function medians of \(n) accesses by pcitime scan --method \(scan.method)"),
                                       source: .given, samples: Int(n))]
            let empty = scan.totals.emptyProbeLatencyNs
            if empty.samples > 0 {
                out.append(LatencyEstimate(mechanism: m, nanoseconds: Double(empty.p50),
                                           provenance: .measured("\(path): median of \(empty.samples) probes that found nothing by pcitime scan --method \(scan.method)"),
                                           source: .given, probe: .empty, samples: Int(empty.samples)))
            }
            return out
        }
        if let compared = try? ScanJSON.decoder.decode(Compared.self, from: bytes), compared.schema == "pcitime-compare/3" {
            // sysfs-base and sysfs-ext reach the kernel's two mechanisms (type 1
            // and ECAM on x86 guests that split them), system call included.
            let priced: [LatencyEstimate] = compared.runs.compactMap { run in
                let kernelPath = ["sysfs-base": Mechanism.type1, "sysfs-ext": .ecam][run.method]
                guard run.latencyNs.samples > 0, let m = kernelPath ?? mechanism(forMethod: run.method) else { return nil }
                let how = kernelPath == nil ? "" : " (the kernel's \(m.rawValue) through sysfs: an upper bound)"
                return LatencyEstimate(mechanism: m, nanoseconds: Double(run.latencyNs.p50),
                                       provenance: .measured("\(path): median of \(run.latencyNs.samples) \(run.method) reads by pcitime compare\(how)"),
                                       source: .given, samples: run.latencyNs.samples)
            }
            guard priced.contains(where: { $0.mechanism == .type1 || $0.mechanism == .ecam }) else {
                throw PCITimeError.input(path, "this comparison prices no config mechanism: compare pio, ecam, sysfs-base or sysfs-ext")
            }
            return priced
        }
        if let booted = try? ScanJSON.decoder.decode(Booted.self, from: bytes), booted.schema == BootJSON.schemaName {
            let priced: [LatencyEstimate] = booted.latencies.compactMap { e in
                guard e.chosen, e.source != LatencySource.bootTrace.name, e.source != LatencySource.modelled.name,
                      let m = Mechanism(rawValue: e.mechanism), let probe = ProbeClass(rawValue: e.probe) else { return nil }
                return LatencyEstimate(mechanism: m, nanoseconds: e.latencyNs,
                                       provenance: .measured("\(path): the \(e.source) latency pcitime boot chose there (\(e.latencyBasis.source))"),
                                       source: .given, probe: probe, samples: e.samples)
            }
            guard !priced.isEmpty else { throw PCITimeError.input(path, "this pcitime boot --json measured no latency (it ran with --no-measure, or from a file)") }
            return priced
        }
        do {
            let plain = try CodableJSONDecoder().decode(Plain.self, from: bytes)
            return try plain.latencies.map { e in
                guard let m = Mechanism(rawValue: e.mechanism) ?? mechanism(forMethod: e.mechanism) else {
                    throw PCITimeError.input(path, "unknown mechanism '\(e.mechanism)'")
                }
                return LatencyEstimate(mechanism: m, nanoseconds: e.nanoseconds, provenance: .measured(e.source ?? path), source: .given,
                                       probe: e.probe.flatMap(ProbeClass.init(rawValue:)) ?? .present)
            }
        } catch let e as PCITimeError {
            throw e
        } catch {
            throw PCITimeError.input(path, "neither pcitime scan --json, compare --json nor boot --json output, nor {\"latencies\":[...]}")
        }
    }
}
