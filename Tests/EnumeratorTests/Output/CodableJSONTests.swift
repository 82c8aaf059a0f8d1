import Foundation
import Testing
@testable import Enumerator

/// pcitime's Codable JSON coders against Foundation's, byte for byte: the
/// binary no longer links Foundation's, the tests still can.
@Suite struct CodableJSONTests {
    struct Inner: Codable, Equatable { var valueNs: Double; var path: String; var tags: [String] }
    struct Sample: Codable, Equatable {
        var ticksPerSecond: Double
        var myURLProperty: String
        var HTTPServer: Int
        var count: Int
        var negative: Int64
        var big: UInt64
        var flag: Bool
        var missing: String?
        var present: String?
        var byMechanism: [String: Double]
        var inner: [Inner]
        var empty: [Int]
        var nested: [[UInt8]]
        var small: Double
    }
    static let sample = Sample(
        ticksPerSecond: 2_596_134_000, myURLProperty: "a/b \"q\" \\ \t\u{7}é", HTTPServer: 80, count: -3, negative: .min, big: .max, flag: true,
        missing: nil, present: "x", byMechanism: ["ECAM": 1.5, "type 1": 13100, "sysfsBase": 0.1],
        inner: [Inner(valueNs: 0.000012, path: "/sys/bus/pci", tags: [])], empty: [], nested: [[1, 2], []], small: 1e-300)

    func foundation(snake: Bool) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = snake ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys]
        if snake { e.keyEncodingStrategy = .convertToSnakeCase }
        return try e.encode(Self.sample)
    }

    @Test(arguments: [true, false])
    func encoderWritesWhatFoundationWrites(snake: Bool) throws {
        let ours = try JSONOutput.encoder(snake ? .snakeCase : .asWritten).encode(Self.sample)
        let theirs = try foundation(snake: snake)
        #expect(String(decoding: ours, as: UTF8.self) == String(decoding: theirs, as: UTF8.self))
    }

    /// Foundation's own round trip fails on acronyms ("my_url_property" comes
    /// back as "myUrlProperty"): ours must fail and succeed where it does.
    @Test(arguments: [true, false])
    func decoderReadsWhatFoundationReads(snake: Bool) throws {
        let text = try foundation(snake: snake)
        let d = JSONDecoder()
        if snake { d.keyDecodingStrategy = .convertFromSnakeCase }
        let theirs = try? d.decode(Sample.self, from: text)
        let ours = try? CodableJSONDecoder(snakeCaseKeys: snake).decode(Sample.self, from: text)
        #expect(ours == theirs)
        #expect((ours == nil) == snake)
        // A [String: V]'s own keys are never converted, its values' are.
        let dict = Array("{\"ECAM_x\": {\"value_ns\": 1, \"path\": \"p\", \"tags\": []}}".utf8)
        if snake {
            let theirDict = try d.decode([String: Inner].self, from: Data(dict))
            #expect(try CodableJSONDecoder(snakeCaseKeys: true).decode([String: Inner].self, from: dict) == theirDict)
            #expect(theirDict["ECAM_x"]?.valueNs == 1)
        }
        #expect(try CodableJSONDecoder().decode(Sample.self, from: try foundation(snake: false)) == Self.sample)
    }

    @Test func keyConversionsMatchFoundations() {
        #expect(CodableJSONEncoder.snakeCase("myURLProperty") == "my_url_property")
        #expect(CodableJSONDecoder.camelCase("ticks_per_second") == "ticksPerSecond")
        #expect(CodableJSONDecoder.camelCase("_leading_key_") == "_leadingKey_")
    }

    @Test func malformedDocumentsAreDataCorrupted() {
        for text in ["", "{", "{\"a\":}", "[1,]", "\"\\x\"", "tru", "1 2", "{\"a\" 1}", "\"\u{1}\"", String(repeating: "[", count: 600)] {
            #expect(throws: DecodingError.self) { try CodableJSONDecoder().decode([Int].self, from: Array(text.utf8)) }
        }
        #expect(throws: DecodingError.self) { try CodableJSONDecoder().decode(UInt8.self, from: Array("300".utf8)) }
        #expect((try? CodableJSONDecoder().decode([String].self, from: Array("[\"\\ud83d\\ude00\", \"\\u00e9\"]".utf8))) == ["😀", "é"])
    }
}
