import ArgumentParser
import Enumerator

// Option values parse into types when the command line is read (through
// `@Option(transform:)`, so a bad value is refused with its reason and exit 64
// before anything runs), not as strings checked later by hand.

/// --seed: a 64-bit number, decimal or 0x hex.
struct Seed: CustomStringConvertible {
    let value: UInt64
    init(_ value: UInt64) { self.value = value }

    static func parse(_ text: String) throws -> Seed {
        let t = text.lowercased()
        guard let v = t.hasPrefix("0x") ? UInt64(t.dropFirst(2), radix: 16) : UInt64(t) else {
            throw ValidationError("expected a decimal or 0x hex 64-bit number")
        }
        return Seed(v)
    }

    var description: String { "0x" + String(value, radix: 16) }
}

/// --offsets: "0x00-0x3c,0x100" (hex, with or without 0x): single offsets and
/// ranges, expanded in steps of the access width once --width is known.
struct OffsetList {
    let text: String
    let ranges: [ClosedRange<Int>]

    static func parse(_ text: String) throws -> OffsetList {
        func number(_ s: Substring) throws -> Int {
            let t = String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()).lowercased()
            guard let v = Int(t.hasPrefix("0x") ? String(t.dropFirst(2)) : t, radix: 16), v >= 0, v < 4096 else {
                throw ValidationError("'\(s)' is not a hex offset below 0x1000")
            }
            return v
        }
        var ranges: [ClosedRange<Int>] = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-")
            guard ends.count == 1 || ends.count == 2 else { throw ValidationError("expected OFFSET or FIRST-LAST") }
            let a = try number(ends[0]), b = try number(ends[ends.count - 1])
            guard a <= b else { throw ValidationError("range \(part) runs backwards") }
            ranges.append(a...b)
        }
        guard !ranges.isEmpty else { throw ValidationError("no offset given") }
        return OffsetList(text: text, ranges: ranges)
    }

    /// Every offset, each aligned to `width`.
    func offsets(width: Int) throws -> [Int] {
        try ranges.flatMap { r -> [Int] in
            for end in [r.lowerBound, r.upperBound] where end % width != 0 {
                throw ValidationError("--offsets '\(text)': \(String(end, radix: 16)) is not aligned to --width \(width)")
            }
            return Array(stride(from: r.lowerBound, through: r.upperBound, by: width))
        }
    }
}

/// --libpci-param KEY=VALUE.
struct LibPCIParameter {
    let key: String
    let value: String

    static func parse(_ text: String) throws -> LibPCIParameter {
        let kv = text.split(separator: "=", maxSplits: 1)
        guard kv.count == 2, !kv[0].isEmpty else { throw ValidationError("expected KEY=VALUE") }
        return LibPCIParameter(key: String(kv[0]), value: String(kv[1]))
    }
}

/// --ecam WINDOW, through the library's own parser (the same text rules).
func parseECAMWindow(_ text: String) throws -> ECAMWindow {
    do {
        return try ECAMDiscovery.parseOverride(text)
    } catch let e as PCITimeError {
        throw ValidationError(e.description)
    }
}
