/// The OpenMetrics text exposition, as node_exporter's textfile collector
/// and `promtool check metrics` read it: each family's HELP, TYPE and UNIT,
/// then its samples, and `# EOF` last. Families are gauges and summaries
/// only: both formats agree on them (an OpenMetrics counter's `_total`
/// samples read as another family in the Prometheus text format, and every
/// value here is one run's measurement, not a running total).
///
/// Hand-written rather than swift-prometheus: that library keeps live
/// counters, gauges and bucketed histograms for a server to scrape, has no
/// summary (quantiles), writes the older text format without UNIT or EOF, in
/// dictionary order, and brings swift-metrics and swift-atomics along.
package struct OpenMetrics {
    package enum Kind: String { case gauge, summary }

    package struct Sample {
        package var labels: [(String, String)]
        package var value: Double
        /// "" or a summary's "_count" / "_sum".
        package var suffix: String

        package init(_ labels: [(String, String)], _ value: Double, suffix: String = "") {
            self.labels = labels
            self.value = value
            self.suffix = suffix
        }
    }

    package private(set) var text = ""

    package init() {}

    /// One family; nothing when it has no samples. A unit is also the name's
    /// last word (`pcitime_boot_kernel_seconds`), as OpenMetrics requires.
    package mutating func family(_ name: String, _ kind: Kind, unit: String? = nil, help: String, _ samples: [Sample]) {
        guard !samples.isEmpty else { return }
        precondition(unit.map { name.hasSuffix("_" + $0) } ?? true, "\(name): the unit ends the name")
        text += "# HELP \(name) \(Self.escaped(help, quote: false))\n"
        text += "# TYPE \(name) \(kind.rawValue)\n"
        if let unit { text += "# UNIT \(name) \(unit)\n" }
        for s in samples {
            let labels = s.labels.map { "\($0.0)=\"\(Self.escaped($0.1, quote: true))\"" }.joined(separator: ",")
            text += name + s.suffix + (labels.isEmpty ? "" : "{\(labels)}") + " " + Self.number(s.value) + "\n"
        }
    }

    /// A summary's samples for one label set: each quantile, then `_count`.
    /// `quantiles` are (q, value) pairs, q from 0 (min) to 1 (max).
    package static func summary(_ labels: [(String, String)], quantiles: [(Double, Double)], count: Int) -> [Sample] {
        quantiles.map { Sample(labels + [("quantile", number($0.0))], $0.1) } + [Sample(labels, Double(count), suffix: "_count")]
    }

    /// The document, terminated.
    package var document: String { text + "# EOF\n" }

    /// Integers without a fraction; other values as Swift prints a Double
    /// (shortest round-trip form: 1.66e-05), which both formats parse.
    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.isFinite ? "\(v)" : (v.isNaN ? "NaN" : v > 0 ? "+Inf" : "-Inf")
    }

    /// Backslash, newline and (in label values) double quote escaped.
    static func escaped(_ s: String, quote: Bool) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quote: out += "\\\""
            default: out.append(c)
            }
        }
        return out
    }
}
