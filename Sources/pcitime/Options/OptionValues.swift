import ArgumentParser

/// Decimal or 0x hex.
func parseSeed(_ text: String) -> UInt64? {
    text.lowercased().hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
}

/// "0x00-0x3c,0x100" (hex, with or without 0x) into offsets, ranges in steps of the width.
func parseOffsets(_ text: String, width: Int) throws -> [Int] {
    func number(_ s: Substring) throws -> Int {
        let t = String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()).lowercased()
        guard let v = Int(t.hasPrefix("0x") ? String(t.dropFirst(2)) : t, radix: 16), v >= 0, v < 4096 else {
            throw ValidationError("--offsets '\(text)': '\(s)' is not a hex offset below 0x1000")
        }
        guard v % width == 0 else { throw ValidationError("--offsets '\(text)': \(t) is not aligned to --width \(width)") }
        return v
    }
    var out: [Int] = []
    for part in text.split(separator: ",") {
        let ends = part.split(separator: "-")
        if ends.count == 2 {
            let a = try number(ends[0]), b = try number(ends[1])
            guard a <= b else { throw ValidationError("--offsets '\(text)': range \(part) runs backwards") }
            out += Array(stride(from: a, through: b, by: width))
        } else if ends.count == 1 {
            out.append(try number(ends[0]))
        } else {
            throw ValidationError("--offsets '\(text)': expected OFFSET or FIRST-LAST")
        }
    }
    guard !out.isEmpty else { throw ValidationError("--offsets '\(text)': no offset given") }
    return out
}
