import BootProfiler
import Enumerator
import Testing

@Suite struct CensusProbe {
    @Test func dump() throws {
        let dir = Fixtures.root + "/fixtures/ftrace/q35/"
        let p = try KernelLog.profile(path: dir + "dmesg.txt")
        for f in ["function.snapshot", "function_graph.snapshot"] {
            let (calls, parser) = try TraceSource.parse(path: dir + f, required: true)!
            let c = try BootCensus.build(calls: calls, parser: parser, profile: p, source: f, name: f)
            print(try JSONOutput.encode(c, keys: .asWritten))
            print("malformed", parser.malformed, "foreign", parser.foreign, "unmatched", parser.unmatched, "nested leaf", parser.nestedLeafNanoseconds.count, parser.nestedLeafNanoseconds.sorted().prefix(5))
        }
    }
}
