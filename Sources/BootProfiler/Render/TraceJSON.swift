import Enumerator

/// `pcitime trace --json`.
public struct TraceJSON: Encodable {
    public var schema = "pcitime-trace/1"
    public var window: String
    public var counts: AccessCounts
    public var latencies: [LatencyEstimate]
    public var malformedLines: Int
    public var lostEvents: Int
    public var unreturned: Int
    public var skippedProbes: [String]
}

extension TraceJSON {
    public init(_ t: TraceRun) {
        self.init(window: t.window, counts: t.counts, latencies: t.latencies, malformedLines: t.parser.malformed,
                  lostEvents: t.parser.lostEvents, unreturned: t.parser.unreturned, skippedProbes: t.skipped.map { "\($0.probe): \($0.why)" })
    }
}
