#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every command's Codable JSON goes through here: pretty-printed, keys
/// sorted. `scan --json` streams the same snake_case document with
/// `JSONWriter` (ScanJSON+Write) for speed.
public enum JSONOutput {
    public enum Keys: Sendable {
        /// snake_case keys (every command but boot), slashes unescaped.
        case snakeCase
        /// Property names as written (boot): snake_case conversion would
        /// also rewrite dictionary keys such as the mechanism names ("ECAM").
        case asWritten
    }

    public static func encoder(_ keys: Keys) -> JSONEncoder {
        let e = JSONEncoder()
        switch keys {
        case .snakeCase:
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            e.keyEncodingStrategy = .convertToSnakeCase
        case .asWritten:
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
        }
        return e
    }

    public static func encode<T: Encodable>(_ value: T, keys: Keys) throws -> String {
        String(decoding: try encoder(keys).encode(value), as: UTF8.self)
    }
}
