import Foundation
import Testing
@testable import Enumerator

/// The streaming writer against Foundation's own encoder of the same Codable
/// values: same keys, same values, on every fixture.
@Suite struct ScanJSONTests {
    static let fixtures = ["firecracker", "qemu-q35", "qemu-q35-wide", "qemu-pc", "qemu-microvm"]

    @Test(arguments: fixtures)
    func writerMatchesJSONEncoder(_ name: String) throws {
        let scan = ScanJSON(try Fixtures.scan(name), names: Names())
        let ours = Data(scan.encoded().utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let foundation = try encoder.encode(scan)
        let codable = Data(try ScanJSON.encoder.encode(scan))
        let a = try JSONSerialization.jsonObject(with: ours) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: foundation) as? NSDictionary
        let c = try JSONSerialization.jsonObject(with: codable) as? NSDictionary
        #expect(a != nil && a == b && b == c)
        #expect(codable == foundation)
        #expect(try ScanJSON.decoder.decode(ScanJSON.self, from: ours) == scan)
    }

    @Test func stringsAreEscaped() {
        var w = JSONWriter()
        w.write(.object([("b", .string("quote \" backslash \\ tab \t bell \u{7}")), ("a", .array([]))]))
        #expect(String(decoding: w.bytes, as: UTF8.self) == "{\n  \"a\" : [],\n  \"b\" : \"quote \\\" backslash \\\\ tab \\t bell \\u0007\"\n}")
    }
}
