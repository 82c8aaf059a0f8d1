/// A JSON value small enough to build per record and write at once.
indirect enum JSONValue {
    case string(String)
    case int(Int)
    case uint(UInt64)
    /// Spelled by `JSONWriter.number`.
    case double(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    /// Members are written sorted by key, so output is stable.
    case object([(String, JSONValue)])
}

/// Pretty-printed JSON (two-space indent, sorted keys) written into a byte
/// buffer that the caller can flush as it goes, so `scan --json` of thousands
/// of functions streams one function at a time (docs/PERFORMANCE.md).
package struct JSONWriter {
    var bytes: [UInt8] = []
    /// "/" as "\/", Foundation's default (`scan` and `compare` turn it off).
    var escapeSlashes = false

    mutating func write(_ v: JSONValue, indent: Int = 0) {
        switch v {
        case .string(let s): string(s)
        case .int(let i): bytes += Array(String(i).utf8)
        case .uint(let u): bytes += Array(String(u).utf8)
        case .double(let d): bytes += Array(Self.number(d).utf8)
        case .bool(let b): bytes += Array((b ? "true" : "false").utf8)
        case .null: bytes += Array("null".utf8)
        case .array(let items):
            guard !items.isEmpty else { empty("[", "]", indent); return }
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                write(item, indent: indent + 1)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { empty("{", "}", indent); return }
            bytes.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.sorted(by: { $0.0 < $1.0 }).enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                member(key, indent: indent + 1)
                write(value, indent: indent + 1)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// An empty array or object as Foundation's pretty printer writes it:
    /// "[", a blank line, "]" at the container's indent.
    mutating func empty(_ open: Character, _ close: Character, _ indent: Int) {
        bytes += Array(String(open).utf8)
        bytes.append(UInt8(ascii: "\n"))
        newline(indent)
        bytes += Array(String(close).utf8)
    }

    /// The one spelling of a Double in every JSON document pcitime writes
    /// (Codable through `CodableJSONEncoder`, `scan --json` streamed; the
    /// Perfetto trace, written by hand, holds integers only):
    /// Foundation's `JSONEncoder`'s, Swift's shortest round-trip description
    /// with an integral value's ".0" dropped (2596144000, 20.5, 1e-300,
    /// 9.007199254740992e+15); null for infinities and NaN.
    package static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        let s = "\(d)"
        return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }

    /// `"key" : ` on a new line, as Foundation's pretty printer spaces it.
    mutating func member(_ key: String, indent: Int) {
        newline(indent)
        string(key)
        bytes += Array(" : ".utf8)
    }

    mutating func newline(_ indent: Int) {
        bytes.append(UInt8(ascii: "\n"))
        bytes += repeatElement(UInt8(ascii: " "), count: indent * 2)
    }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "/") where escapeSlashes: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "/")]
            case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: bytes += Array("\\u00".utf8) + Array(hex(b, 2).utf8)
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A JSON string literal, quotes included.
    package static func quoted(_ s: String) -> String {
        var w = JSONWriter()
        w.string(s)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Hands the bytes written so far to `sink` and starts a new buffer.
    mutating func flush(_ sink: ([UInt8]) throws -> Void) rethrows {
        try sink(bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}
