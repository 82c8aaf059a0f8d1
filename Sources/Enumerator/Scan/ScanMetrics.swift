/// `pcitime scan --openmetrics`: per function, the config accesses the scan
/// needed and their latency quantiles, labelled with the method, for
/// node_exporter's textfile collector (README "Fleets").
package enum ScanMetrics {
    package static func render(_ r: ScanReport) -> String {
        let scan = ScanJSON(r, names: Names(numeric: true))
        let method = ("method", scan.method)
        func device(_ f: ScanJSON.Function) -> [(String, String)] {
            [method, ("bdf", f.bdf), ("vendor_id", f.vendorId), ("device_id", f.deviceId), ("class_id", f.classId)]
        }
        var m = OpenMetrics()
        m.family("pcitime_scan_functions", .gauge, help: "PCI functions the scan found.",
                 [.init([method], Double(scan.totals.functions))])
        m.family("pcitime_scan_reads", .gauge, help: "Config-space reads one scan pass made of the function.",
                 scan.functions.map { .init(device($0), Double($0.reads)) })
        m.family("pcitime_scan_accesses", .gauge, help: "Config-space accesses one scan pass made of the function (all reads: pcitime never writes config space).",
                 scan.functions.map { .init(device($0), Double($0.reads)) })
        m.family("pcitime_scan_empty_probe_reads", .gauge, help: "Vendor-ID reads of addresses where no function answered.",
                 [.init([method], Double(scan.emptyProbeReads))])
        m.family("pcitime_scan_access_latency_seconds", .summary, unit: "seconds",
                 help: "Measured latency of one config access through the method (timer cost subtracted; quantile 0 is the minimum, 1 the maximum; every pass of --repeat).",
                 scan.functions.filter { $0.latencyNs.samples > 0 }.flatMap { f in
                     let l = f.latencyNs
                     return OpenMetrics.summary(device(f), quantiles: [(0, l.min), (0.5, l.p50), (0.9, l.p90), (0.99, l.p99), (1, l.max)].map { ($0.0, Double($0.1) / 1e9) },
                                                count: Int(l.samples))
                 })
        return m.document
    }
}
