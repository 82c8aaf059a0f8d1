import Foundation
import Testing
@testable import Enumerator

/// The streaming writer against the Codable encoding of the same document,
/// byte for byte (numbers, empty arrays, key order, indent), and that
/// encoding against Foundation's own encoder, on every fixture.
@Suite struct ScanJSONTests {
    static let fixtures = ["firecracker", "qemu-q35", "qemu-q35-wide", "qemu-pc", "qemu-microvm"]

    static func foundation(_ scan: ScanJSON) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(scan)
    }

    @Test(arguments: fixtures)
    func writerMatchesJSONEncoder(_ name: String) throws {
        let scan = ScanJSON(try Fixtures.scan(name), names: Names())
        let ours = Data(scan.encoded().utf8)
        let codable = Data(try ScanJSON.encoder.encode(scan))
        #expect(codable == (try Self.foundation(scan)))
        #expect(ours == codable + Data("\n".utf8))
        #expect(try ScanJSON.decoder.decode(ScanJSON.self, from: ours) == scan)
    }

    /// A filtered scan (`whole_walk`), one with no function (an empty
    /// `functions`), and a timer whose rate and overhead are integral and
    /// fractional Doubles: the cases the fixtures' scans leave out.
    @Test func writerMatchesJSONEncoderOnTheOtherShapes() throws {
        var filtered = try Fixtures.scan("qemu-q35")
        filtered.show { $0.address.device == 1 }
        var none = try Fixtures.scan("firecracker")
        none.show { _ in false }
        var timer = ScanJSON(try Fixtures.scan("firecracker"), names: Names(numeric: true))
        timer.timer = .init(source: "tsc", ticksPerSecond: 2_596_144_000, overheadNs: 20.5)
        for scan in [ScanJSON(filtered, names: Names()), ScanJSON(none, names: Names()), timer] {
            let codable = Data(try ScanJSON.encoder.encode(scan))
            #expect(codable == (try Self.foundation(scan)))
            #expect(Data(scan.encoded().utf8) == codable + Data("\n".utf8))
        }
        #expect(ScanJSON(filtered, names: Names()).wholeWalk != nil && ScanJSON(none, names: Names()).functions.isEmpty)
        #expect(timer.encoded().contains("\"ticks_per_second\" : 2596144000\n") && timer.encoded().contains("\"overhead_ns\" : 20.5,\n"))
    }

    @Test func stringsAreEscaped() {
        var w = JSONWriter()
        w.write(.object([("b", .string("quote \" backslash \\ tab \t bell \u{7}")), ("a", .array([]))]))
        #expect(String(decoding: w.bytes, as: UTF8.self) == "{\n  \"a\" : [\n\n  ],\n  \"b\" : \"quote \\\" backslash \\\\ tab \\t bell \\u0007\"\n}")
    }
}

/// One spelling of a Double in every JSON document: Foundation's.
@Suite struct JSONNumberTests {
    @Test func numbersAsFoundationWritesThem() throws {
        let values: [Double] = [2_596_144_000, 0, -0.0, 20.5, 1e-300, 0.1, 9_007_199_254_740_992, 1e21, 123456.789]
        let encoder = JSONEncoder()
        for v in values {
            #expect(JSONWriter.number(v) == String(decoding: try encoder.encode(v), as: UTF8.self), "\(v)")
        }
        #expect(JSONWriter.number(2_596_144_000) == "2596144000" && JSONWriter.number(20.5) == "20.5")
        #expect(JSONWriter.number(.infinity) == "null" && JSONWriter.number(.nan) == "null")
    }
}
