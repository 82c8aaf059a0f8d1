/// Plain-text columns for every table pcitime prints: each cell padded to its
/// column's width (right-aligned columns on the left), except a left-aligned
/// last cell, so lines carry no trailing spaces.
package enum TextTable {
    package static func render(_ rows: [[String]], rightAligned: Set<Int>, indent: String = "", gap: String = "  ") -> String {
        var widths = [Int](repeating: 0, count: rows.map(\.count).max() ?? 0)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for row in rows {
            let cells = row.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAligned.contains(i) ? pad + c : (i == row.count - 1 ? c : c + pad)
            }
            out += indent + cells.joined(separator: gap) + "\n"
        }
        return out
    }

    /// A header row over `rows`, two spaces apart.
    package static func render(header: [String], rows: [[String]], rightAligned: ClosedRange<Int>) -> String {
        render([header] + rows, rightAligned: Set(rightAligned))
    }
}
