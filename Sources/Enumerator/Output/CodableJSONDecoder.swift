/// Decodable values from JSON without Foundation, as `JSONDecoder` reads
/// them (keys optionally `.convertFromSnakeCase`d). Input is bytes; errors
/// are `DecodingError`s, a malformed document `.dataCorrupted`.
package struct CodableJSONDecoder: Sendable {
    package var snakeCaseKeys = false

    package init(snakeCaseKeys: Bool = false) { self.snakeCaseKeys = snakeCaseKeys }

    package func decode<T: Decodable, Bytes: Sequence>(_ type: T.Type, from bytes: Bytes) throws -> T where Bytes.Element == UInt8 {
        var parser = JSONParser(bytes: Array(bytes))
        let value = try parser.document()
        return try T(from: NodeDecoder(value: value, codingPath: [], snakeCase: snakeCaseKeys, keepsOwnKeys: T.self is StringKeyedDictionary.Type))
    }

    /// Foundation's `convertFromSnakeCase`: "ticks_per_second" -> "ticksPerSecond";
    /// leading and trailing underscores kept.
    package static func camelCase(_ key: String) -> String {
        guard let first = key.firstIndex(where: { $0 != "_" }) else { return key }
        let last = key.lastIndex(where: { $0 != "_" })!
        let words = key[first...last].split(separator: "_")
        guard words.count > 1 else { return key }
        let joined = words[0].lowercased() + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined()
        return String(key[..<first]) + joined + String(key[key.index(after: last)...])
    }
}

/// A JSON document as values (RFC 8259), numbers kept as written.
enum ParsedJSON {
    case null, bool(Bool), number(String), string(String)
    case array([ParsedJSON])
    case object([(String, ParsedJSON)])
}

struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    /// Deeper nesting is refused rather than risking the stack.
    static let maxDepth = 512

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws -> ParsedJSON {
        let v = try value(depth: 0)
        skipSpace()
        guard i == bytes.count else { throw bad("unexpected text after the JSON value") }
        return v
    }

    func bad(_ what: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "not valid JSON at byte \(i): \(what)"))
    }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0a, 0x0d, 0x09].contains(bytes[i]) { i += 1 }
    }

    mutating func literal(_ word: String, _ v: ParsedJSON) throws -> ParsedJSON {
        let w = Array(word.utf8)
        guard bytes.count - i >= w.count, Array(bytes[i..<i + w.count]) == w else { throw bad("unknown literal") }
        i += w.count
        return v
    }

    mutating func value(depth: Int) throws -> ParsedJSON {
        guard depth < Self.maxDepth else { throw bad("nested deeper than \(Self.maxDepth)") }
        skipSpace()
        guard i < bytes.count else { throw bad("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, ParsedJSON)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw bad("expected a key") }
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw bad("expected ':'") }
                i += 1
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw bad("unexpected end") }
                i += 1
                if bytes[i - 1] == UInt8(ascii: "}") { return .object(members) }
                guard bytes[i - 1] == UInt8(ascii: ",") else { throw bad("expected ',' or '}'") }
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [ParsedJSON] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw bad("unexpected end") }
                i += 1
                if bytes[i - 1] == UInt8(ascii: "]") { return .array(items) }
                guard bytes[i - 1] == UInt8(ascii: ",") else { throw bad("expected ',' or ']'") }
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    mutating func number() throws -> ParsedJSON {
        let start = i
        while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard !text.isEmpty, Double(text) != nil, text.first != "+" else { throw bad("expected a value") }
        return .number(text)
    }

    mutating func hex4() throws -> UInt32 {
        guard bytes.count - i >= 4, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw bad("bad \\u escape")
        }
        i += 4
        return v
    }

    mutating func string() throws -> String {
        i += 1  // the opening quote
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case 0..<0x20: throw bad("control character in a string")
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { throw bad("unexpected end") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xd800..<0xdc00).contains(scalar), bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        guard (0xdc00..<0xe000).contains(low) else { throw bad("bad surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw bad("bad \\u escape") }
                    out += Array(String(Character(u)).utf8)
                default: throw bad("bad escape")
                }
            default: out.append(b)
            }
        }
        throw bad("unterminated string")
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
}

struct NodeDecoder: Decoder {
    let value: ParsedJSON
    let codingPath: [CodingKey]
    let snakeCase: Bool
    /// Decoding a `[String: V]`: its keys stay as written (as Foundation's).
    var keepsOwnKeys = false
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func mismatch(_ type: Any.Type, _ expected: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: Any].self, "an object") }
        var byKey: [String: ParsedJSON] = [:]
        for (k, v) in members { byKey[snakeCase && !keepsOwnKeys ? CodableJSONDecoder.camelCase(k) : k] = v }
        return KeyedDecodingContainer(KeyedNodeDecoder<Key>(decoder: self, members: byKey))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([Any].self, "an array") }
        return UnkeyedNodeDecoder(decoder: self, items: items)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleNodeDecoder(decoder: self) }

    func child(_ v: ParsedJSON, _ key: CodingKey, for type: Any.Type? = nil) -> NodeDecoder {
        NodeDecoder(value: v, codingPath: codingPath + [key], snakeCase: snakeCase, keepsOwnKeys: type is StringKeyedDictionary.Type)
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .number(let n) = value else { throw mismatch(type, "a number") }
        if let v = T(n) { return v }
        // 5.0 or 1e3 as an integer, when exact (as Foundation allows).
        guard let d = Double(n), d.rounded() == d, let v = T(exactly: d) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(n) does not fit \(type)"))
        }
        return v
    }

    func double() throws -> Double {
        guard case .number(let n) = value, let d = Double(n) else { throw mismatch(Double.self, "a number") }
        return d
    }

    func string() throws -> String {
        guard case .string(let s) = value else { throw mismatch(String.self, "a string") }
        return s
    }

    func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(Bool.self, "true or false") }
        return b
    }

    var isNull: Bool { if case .null = value { return true } else { return false } }
}

struct SingleNodeDecoder: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool() }
    func decode(_ type: String.Type) throws -> String { try decoder.string() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.double() }
    func decode(_ type: Float.Type) throws -> Float { Float(try decoder.double()) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: NodeDecoder(value: decoder.value, codingPath: codingPath, snakeCase: decoder.snakeCase, keepsOwnKeys: type is StringKeyedDictionary.Type))
    }
}

struct KeyedNodeDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let members: [String: ParsedJSON]
    var codingPath: [CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func child(_ key: Key, for type: Any.Type? = nil) throws -> NodeDecoder {
        guard let v = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no key \"\(key.stringValue)\""))
        }
        return decoder.child(v, key, for: type)
    }
    func single(_ key: Key) throws -> SingleNodeDecoder { SingleNodeDecoder(decoder: try child(key)) }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try single(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try single(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try single(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try single(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try single(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try single(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try single(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try single(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try single(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try single(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try single(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try single(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try single(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try single(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: try child(key, for: type)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> Decoder { try child(Key(stringValue: "super")!) }
    func superDecoder(forKey key: Key) throws -> Decoder { try child(key) }
}

struct UnkeyedNodeDecoder: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let items: [ParsedJSON]
    var currentIndex = 0
    var codingPath: [CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next(for type: Any.Type? = nil) throws -> NodeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "array has only \(items.count) items"))
        }
        defer { currentIndex += 1 }
        return decoder.child(items[currentIndex], AnyKey(intValue: currentIndex), for: type)
    }
    mutating func single() throws -> SingleNodeDecoder { SingleNodeDecoder(decoder: try next()) }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = items[currentIndex] else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try single().decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try single().decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try single().decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try single().decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try single().decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try single().decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try single().decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try single().decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try single().decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try single().decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try single().decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try single().decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try single().decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try single().decode(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: try next(for: type)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> Decoder { try next() }
}
