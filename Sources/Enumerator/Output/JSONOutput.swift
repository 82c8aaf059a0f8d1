/// Every command's Codable JSON goes through here: pretty-printed, keys
/// sorted. `scan --json` streams the same snake_case document with
/// `JSONWriter` (ScanJSON+Write) for speed.
package enum JSONOutput {
    package enum Keys: Sendable {
        /// snake_case keys, slashes unescaped: every command's `--json`.
        case snakeCase
        /// Property names as written, slashes escaped (Foundation's defaults):
        /// the parser's `--experimental-dump-help` document.
        case asWritten
    }

    package static func encoder(_ keys: Keys) -> CodableJSONEncoder {
        keys == .snakeCase ? CodableJSONEncoder(snakeCaseKeys: true, escapeSlashes: false) : CodableJSONEncoder()
    }

    package static func encode<T: Encodable>(_ value: T, keys: Keys) throws -> String {
        String(decoding: try encoder(keys).encode(value), as: UTF8.self)
    }
}
