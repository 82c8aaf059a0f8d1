import Enumerator
import Histogram

/// One method's side of a comparison while it runs: its timed layer, the
/// registers it reads, and what each measured read gave.
struct MethodRecorder {
    let layer: AccessLayer
    let registers: [CompareRegister]
    /// For each measured sample (in `layer.records` order): its register and round.
    private(set) var tags: [(register: Int, round: Int)] = []
    /// The first value read at each register, and how many later reads differed.
    private(set) var firstValues: [UInt32?]
    private(set) var valueChanges = 0
    private(set) var failures = 0
    private(set) var firstFailure: String?
    private(set) var warmupReads = 0

    init(layer: AccessLayer, registers: [CompareRegister], rounds: Int) {
        self.layer = layer
        self.registers = registers
        firstValues = Array(repeating: nil, count: registers.count)
        tags.reserveCapacity(rounds * registers.count)
    }

    /// Reads every register once; `round` below 0 is a warm-up round (not recorded).
    mutating func readAll(width: AccessWidth, round: Int) {
        let measured = round >= 0
        layer.recording = measured
        for (r, reg) in registers.enumerated() {
            do {
                let v = try layer.read(reg.address, offset: reg.offset, width: width)
                guard measured else { warmupReads += 1; continue }
                tags.append((r, round))
                if let first = firstValues[r] {
                    if first != v { valueChanges += 1 }
                } else {
                    firstValues[r] = v
                }
            } catch {
                failures += 1
                if firstFailure == nil { firstFailure = "\(reg.address.short) at \(hex(reg.offset, 3)): \(error)" }
            }
        }
    }

    /// The finished run; nil when no measured access succeeded.
    func run(requested: String, access: ConfigAccess, offsets: [Int], split: MechanismChoice?) -> MethodSamples? {
        let records = layer.records
        guard !records.isEmpty else { return nil }
        precondition(records.count == tags.count)
        let samples = records.map(\.nanoseconds)
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        for s in samples { histogram.record(s) }
        let stats = LatencySummary(sorted: samples.sorted())
        var byFunction: [PCIAddress: [UInt64]] = [:]
        for (i, s) in samples.enumerated() { byFunction[registers[tags[i].register].address, default: []].append(s) }
        let perFunction = byFunction.keys.sorted().map { ($0, LatencySummary(sorted: byFunction[$0]!.sorted())) }
        let worst = samples.indices.filter { samples[$0] > stats.outlierFence }
            .sorted { samples[$0] > samples[$1] }.prefix(5)
            .map { OutlierSample(register: registers[tags[$0].register], round: tags[$0].round, nanoseconds: samples[$0]) }
        let (measures, mechanism) = Comparison.describe(requested, access, split: split)
        return MethodSamples(requested: requested, name: access.name, summary: access.summary, measures: measures, mechanism: mechanism,
                         offsets: offsets, registers: registers, samples: samples,
                         sampleRegister: tags.map(\.register), sampleRound: tags.map(\.round),
                         histogram: histogram, stats: stats, perFunction: perFunction, worst: Array(worst),
                         failures: failures, firstFailure: firstFailure, firstValues: firstValues.map { $0 ?? 0xffff_ffff },
                         valueChanges: valueChanges, measuredReads: records.count, warmupReads: warmupReads)
    }
}
