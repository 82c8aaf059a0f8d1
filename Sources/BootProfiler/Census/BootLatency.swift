import Enumerator
import Histogram

/// In-kernel duration of each config access at boot, from function_graph:
/// the access through the real hypervisor with no system call around it.
/// The tracer's own cost is measured in the same trace and subtracted: the
/// spinlock helpers traced inside each access do almost nothing, so their
/// median duration is what one traced call costs the tracer (entry and exit
/// records); each access is charged that once for itself and once per call
/// nested in it.
package struct BootLatency: Sendable {
    package struct Distribution: Codable, Sendable, Equatable {
        package var name: String
        package var count: Int
        package var p50Ns: UInt64
        package var p90Ns: UInt64
        package var p99Ns: UInt64
        package var maxNs: UInt64
        package var meanNs: Double
    }

    package var byMechanism: [Mechanism: Histogram<UInt64>] = [:]
    package var byDevice: [PCIAddress: Histogram<UInt64>] = [:]
    /// Median duration of leaf calls nested in accesses; nil when none.
    package var overheadPerCallNs: UInt64?
    package var nestedCalls = 0
    package var attribution: String

    /// `device`: where each call goes (its arguments, else its marker step
    /// or the log's window, else nowhere); `attribution` names which.
    package init(calls: [FtraceCall], parser: FtraceParser, attribution: String, device: (Int, FtraceCall) -> PCIAddress?) {
        var leaves = Self.histogram()
        for ns in parser.nestedLeafNanoseconds { leaves.record(ns) }
        overheadPerCallNs = leaves.totalCount > 0 ? leaves.valueAtPercentile(50) : nil
        self.attribution = attribution
        let o = overheadPerCallNs ?? 0
        for (i, c) in calls.enumerated() {
            guard let ns = c.nanoseconds else { continue }
            nestedCalls += c.nested
            let charged = o * UInt64(1 + c.nested)
            let v = ns > charged ? ns - charged : 0
            byMechanism[c.function.mechanism, default: Self.histogram()].record(v)
            if let a = device(i, c) { byDevice[a, default: Self.histogram()].record(v) }
        }
    }

    static func histogram() -> Histogram<UInt64> { Histogram(numberOfSignificantValueDigits: .three) }

    package var method: String {
        guard let o = overheadPerCallNs else { return "function_graph durations, tracer overhead not measured (no nested calls)" }
        return "function_graph entry to return, minus the tracer's overhead: \(o) ns per traced call (median of \(nestedCalls) spinlock-helper calls nested in the accesses), charged once per access and once per nested call"
    }

    package static func distribution(_ name: String, _ h: Histogram<UInt64>) -> Distribution {
        let p = h.valuesAtPercentiles([50, 90, 99])
        return Distribution(name: name, count: Int(h.totalCount), p50Ns: p[0], p90Ns: p[1], p99Ns: p[2], maxNs: h.max, meanNs: h.mean)
    }

    package var mechanisms: [Distribution] {
        byMechanism.sorted { $0.key.rawValue > $1.key.rawValue }.map { Self.distribution($0.key.rawValue, $0.value) }
    }
    package var devices: [Distribution] {
        byDevice.sorted { $0.key < $1.key }.map { Self.distribution($0.key.description, $0.value) }
    }

    /// Per-mechanism medians as the cost model's latencies.
    package func estimates(source: String) -> [LatencyEstimate] {
        byMechanism.sorted { $0.key.rawValue > $1.key.rawValue }.map { m, h in
            LatencyEstimate(mechanism: m, nanoseconds: Double(h.valueAtPercentile(50)),
                            provenance: .measured("\(source): median in-kernel duration of \(h.totalCount) \(m.rawValue) accesses at boot (\(method))"),
                            source: .bootTrace, samples: Int(h.totalCount))
        }
    }
}
