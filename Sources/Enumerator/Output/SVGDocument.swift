/// What every SVG renderer shares: text escaped for element content and
/// attributes, coordinates with one decimal.
package enum SVGDocument {
    /// `&`, `<`, `>` and `"` as entities; control characters other than tab
    /// dropped (XML 1.0 forbids them).
    package static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: if c.value >= 0x20 || c == "\t" { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// A coordinate or length: one decimal.
    package static func number(_ v: Double) -> String { fixed(v, 1) }
}
