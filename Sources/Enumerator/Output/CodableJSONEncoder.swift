/// Encodable values as JSON without Foundation, writing what `JSONEncoder`
/// with `[.prettyPrinted, .sortedKeys]` writes (numbers as Foundation spells
/// them, `JSONWriter.number`; keys optionally `.convertToSnakeCase`d, slashes escaped unless told
/// not to). Foundation's would link FoundationEssentials: about 6 MB of the
/// static binary (docs/PERFORMANCE.md section 0).
package struct CodableJSONEncoder: Sendable {
    package var snakeCaseKeys = false
    package var escapeSlashes = true

    package init(snakeCaseKeys: Bool = false, escapeSlashes: Bool = true) {
        self.snakeCaseKeys = snakeCaseKeys
        self.escapeSlashes = escapeSlashes
    }

    package func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = EncodedNode()
        try value.encode(to: NodeEncoder(node: root, codingPath: [], snakeCase: snakeCaseKeys, keepsOwnKeys: value is StringKeyedDictionary))
        var w = JSONWriter()
        w.escapeSlashes = escapeSlashes
        w.write(root.json)
        return w.bytes
    }

    /// Foundation's `convertToSnakeCase`: "ticksPerSecond" -> "ticks_per_second",
    /// "myURLProperty" -> "my_url_property" (a capital run ends one letter
    /// before the next lower-case letter).
    package static func snakeCase(_ key: String) -> String {
        let c = Array(key)
        guard !c.isEmpty else { return key }
        var words: [Range<Int>] = []
        var wordStart = 0
        var search = 1
        while let upper = (search..<c.count).first(where: { c[$0].isUppercase }) {
            words.append(wordStart..<upper)
            guard let lower = (upper..<c.count).first(where: { c[$0].isLowercase }) else {
                wordStart = upper
                search = c.count
                break
            }
            if lower == upper + 1 {
                wordStart = upper
            } else {
                words.append(upper..<(lower - 1))
                wordStart = lower - 1
            }
            search = lower + 1
        }
        words.append(wordStart..<c.count)
        return words.map { String(c[$0]).lowercased() }.joined(separator: "_")
    }
}

/// One value being encoded: a scalar, or the members/items containers add.
final class EncodedNode {
    var scalar: JSONValue?
    var members: [(String, EncodedNode)]?
    var items: [EncodedNode]?

    var json: JSONValue {
        if let scalar { return scalar }
        if let items { return .array(items.map(\.json)) }
        // Keys set twice keep the last value, as Foundation's do.
        var seen: [String: JSONValue] = [:]
        for (k, v) in members ?? [] { seen[k] = v.json }
        return .object(seen.map { ($0.key, $0.value) })
    }
}

/// Foundation converts no keys of a `[String: V]` (its keys are data, such
/// as mechanism names), only those of the values inside.
protocol StringKeyedDictionary {}
extension Dictionary: StringKeyedDictionary where Key == String {}

struct NodeEncoder: Encoder {
    let node: EncodedNode
    let codingPath: [CodingKey]
    let snakeCase: Bool
    /// This value is a `[String: V]`: its keys stay as they are.
    var keepsOwnKeys = false
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.members == nil { node.members = [] }
        return KeyedEncodingContainer(KeyedNodeEncoder<Key>(encoder: self))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if node.items == nil { node.items = [] }
        return UnkeyedNodeEncoder(encoder: self)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleNodeEncoder(encoder: self) }

    func child(_ key: CodingKey?, for value: Any? = nil) -> NodeEncoder {
        NodeEncoder(node: EncodedNode(), codingPath: key.map { codingPath + [$0] } ?? codingPath, snakeCase: snakeCase,
                    keepsOwnKeys: value is StringKeyedDictionary)
    }
}

/// The primitive `encode` overloads, which single-value and unkeyed
/// containers declare alike: each value becomes one scalar node.
protocol ScalarNodeEncoding {
    func put(_ v: JSONValue)
}

extension ScalarNodeEncoding {
    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ v: Bool) throws { put(.bool(v)) }
    mutating func encode(_ v: String) throws { put(.string(v)) }
    mutating func encode(_ v: Double) throws { put(.double(v)) }
    mutating func encode(_ v: Float) throws { put(.double(Double("\(v)") ?? Double(v))) }
    mutating func encode(_ v: Int) throws { put(.int(v)) }
    mutating func encode(_ v: Int8) throws { put(.int(Int(v))) }
    mutating func encode(_ v: Int16) throws { put(.int(Int(v))) }
    mutating func encode(_ v: Int32) throws { put(.int(Int(v))) }
    mutating func encode(_ v: Int64) throws { put(.int(Int(v))) }
    mutating func encode(_ v: UInt) throws { put(.uint(UInt64(v))) }
    mutating func encode(_ v: UInt8) throws { put(.uint(UInt64(v))) }
    mutating func encode(_ v: UInt16) throws { put(.uint(UInt64(v))) }
    mutating func encode(_ v: UInt32) throws { put(.uint(UInt64(v))) }
    mutating func encode(_ v: UInt64) throws { put(.uint(v)) }
}

struct SingleNodeEncoder: SingleValueEncodingContainer, ScalarNodeEncoding {
    let encoder: NodeEncoder
    var codingPath: [CodingKey] { encoder.codingPath }

    func put(_ v: JSONValue) { encoder.node.scalar = v }
    mutating func encode<T: Encodable>(_ v: T) throws {
        try v.encode(to: NodeEncoder(node: encoder.node, codingPath: codingPath, snakeCase: encoder.snakeCase, keepsOwnKeys: v is StringKeyedDictionary))
    }
}

struct KeyedNodeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: NodeEncoder
    var codingPath: [CodingKey] { encoder.codingPath }

    func add(_ key: Key, for value: Any? = nil) -> NodeEncoder {
        let child = encoder.child(key, for: value)
        let name = encoder.snakeCase && !encoder.keepsOwnKeys ? CodableJSONEncoder.snakeCase(key.stringValue) : key.stringValue
        encoder.node.members!.append((name, child.node))
        return child
    }
    func put(_ v: JSONValue, _ key: Key) { add(key).node.scalar = v }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ v: Bool, forKey key: Key) throws { put(.bool(v), key) }
    mutating func encode(_ v: String, forKey key: Key) throws { put(.string(v), key) }
    mutating func encode(_ v: Double, forKey key: Key) throws { put(.double(v), key) }
    mutating func encode(_ v: Float, forKey key: Key) throws { put(.double(Double("\(v)") ?? Double(v)), key) }
    mutating func encode(_ v: Int, forKey key: Key) throws { put(.int(v), key) }
    mutating func encode(_ v: Int8, forKey key: Key) throws { put(.int(Int(v)), key) }
    mutating func encode(_ v: Int16, forKey key: Key) throws { put(.int(Int(v)), key) }
    mutating func encode(_ v: Int32, forKey key: Key) throws { put(.int(Int(v)), key) }
    mutating func encode(_ v: Int64, forKey key: Key) throws { put(.int(Int(v)), key) }
    mutating func encode(_ v: UInt, forKey key: Key) throws { put(.uint(UInt64(v)), key) }
    mutating func encode(_ v: UInt8, forKey key: Key) throws { put(.uint(UInt64(v)), key) }
    mutating func encode(_ v: UInt16, forKey key: Key) throws { put(.uint(UInt64(v)), key) }
    mutating func encode(_ v: UInt32, forKey key: Key) throws { put(.uint(UInt64(v)), key) }
    mutating func encode(_ v: UInt64, forKey key: Key) throws { put(.uint(v), key) }
    mutating func encode<T: Encodable>(_ v: T, forKey key: Key) throws { try v.encode(to: add(key, for: v)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        add(key).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer { add(key).unkeyedContainer() }
    mutating func superEncoder() -> Encoder { add(Key(stringValue: "super")!) }
    mutating func superEncoder(forKey key: Key) -> Encoder { add(key) }
}

struct UnkeyedNodeEncoder: UnkeyedEncodingContainer, ScalarNodeEncoding {
    let encoder: NodeEncoder
    var codingPath: [CodingKey] { encoder.codingPath }
    var count: Int { encoder.node.items!.count }

    func add(for value: Any? = nil) -> NodeEncoder {
        let child = encoder.child(nil, for: value)
        encoder.node.items!.append(child.node)
        return child
    }
    func put(_ v: JSONValue) { add().node.scalar = v }

    mutating func encode<T: Encodable>(_ v: T) throws { try v.encode(to: add(for: v)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        add().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { add().unkeyedContainer() }
    mutating func superEncoder() -> Encoder { add() }
}
