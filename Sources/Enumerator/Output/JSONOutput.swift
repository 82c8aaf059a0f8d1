#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every command's Codable JSON goes through here: pretty-printed, keys
/// sorted. `scan --json` streams the same snake_case document with
/// `JSONWriter` (ScanJSON+Write) for speed.
public enum JSONOutput {
    /// Pretty-printed, keys sorted and snake_case (as Swift's `convertToSnakeCase`
    /// spells them), slashes unescaped.
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return e
    }()

    /// The matching reader: snake_case keys into Swift's property names.
    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()

    public static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
