import Foundation
import Testing

/// Fuzzing that cannot rot: each fuzz/TARGET.swift is the entry point of a
/// FuzzTarget case (compiled here too, so a body that stops building fails
/// the tests), and every input a fuzzer crashed on (fuzz/regressions/TARGET/,
/// kept by scripts/fuzz's user) and every seed (fuzz/corpus/TARGET/) runs
/// through the fuzzer's own body: a regression crashes this test.
@Suite(.serialized) struct FuzzRegressionTests {
    static let fuzz = Fixtures.root + "/fuzz/"

    static func files(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test func everyTargetHasItsEntryPoint() throws {
        let entries = Self.files(Self.fuzz).filter { $0.hasSuffix(".swift") }.map { String($0.dropLast(6)) }
        #expect(entries == FuzzTarget.allCases.map(\.rawValue).sorted())
        for t in FuzzTarget.allCases {
            let source = try String(contentsOfFile: Self.fuzz + t.rawValue + ".swift", encoding: .utf8)
            #expect(source.contains("FuzzTarget.\(t.rawValue).run("), "fuzz/\(t.rawValue).swift runs another body")
        }
        // A crash kept for a target that no longer exists would be replayed by nothing.
        for dir in Self.files(Self.fuzz + "regressions") { #expect(FuzzTarget(rawValue: dir) != nil, "fuzz/regressions/\(dir)") }
        for dir in Self.files(Self.fuzz + "corpus") { #expect(FuzzTarget(rawValue: dir) != nil, "fuzz/corpus/\(dir)") }
    }

    @Test(arguments: FuzzTarget.allCases)
    func regressionsAndSeedsReplay(_ target: FuzzTarget) throws {
        let seeds = Self.files(Self.fuzz + "corpus/" + target.rawValue)
        #expect(!seeds.isEmpty, "no seeds for \(target.rawValue): fuzz/make-seeds")
        for dir in ["regressions", "corpus"] {
            for name in Self.files(Self.fuzz + dir + "/" + target.rawValue) {
                let bytes = try #require(FileManager.default.contents(atPath: Self.fuzz + dir + "/" + target.rawValue + "/" + name))
                target.run([UInt8](bytes))
            }
        }
    }
}
