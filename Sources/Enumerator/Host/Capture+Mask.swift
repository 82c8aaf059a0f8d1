/// The kernel-log masks of `Capture.redactKernelLog`, as small scanners over
/// the line's bytes (a Regex would link the regex engine, about 1.5 MB).
extension Capture {
    /// Every "hh:hh:hh:hh:hh:hh" (hex pairs) becomes "xx:xx:xx:xx:xx:xx".
    static func maskMACAddresses(_ line: String) -> String {
        let b = Array(line.utf8)
        let shape = Array("00:00:00:00:00:00".utf8)
        guard b.count >= shape.count else { return line }
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if Hex.matches(b[i...], shape: shape) {
                out += Array("xx:xx:xx:xx:xx:xx".utf8)
                i += shape.count
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// "serial number: X", "Serial No. = X", "serialno:X" (any case): the
    /// word after the separator becomes "[redacted]".
    static func maskSerialNumbers(_ line: String) -> String {
        let b = Array(line.utf8)
        let lower = b.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
        func at(_ i: Int, _ word: String) -> Bool {
            let w = Array(word.utf8)
            return i + w.count <= lower.count && Array(lower[i..<i + w.count]) == w
        }
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (0x09...0x0d).contains(c) }
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            guard at(i, "serial") else { out.append(b[i]); i += 1; continue }
            var j = i + 6
            if j < b.count && b[j] == 0x20 && (at(j + 1, "number") || at(j + 1, "no")) { j += 1 }
            if at(j, "number") { j += 6 } else if at(j, "no") { j += 2; if j < b.count && b[j] == UInt8(ascii: ".") { j += 1 } } else { out.append(b[i]); i += 1; continue }
            while j < b.count && isSpace(b[j]) { j += 1 }
            guard j < b.count, b[j] == UInt8(ascii: ":") || b[j] == UInt8(ascii: "=") else { out.append(b[i]); i += 1; continue }
            j += 1
            while j < b.count && isSpace(b[j]) { j += 1 }
            guard j < b.count, !isSpace(b[j]) else { out.append(b[i]); i += 1; continue }
            out += b[i..<j] + Array("[redacted]".utf8)
            while j < b.count && !isSpace(b[j]) { j += 1 }
            i = j
        }
        return String(decoding: out, as: UTF8.self)
    }
}
