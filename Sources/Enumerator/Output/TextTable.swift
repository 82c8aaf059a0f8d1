/// Plain-text columns: two spaces apart, the last column unpadded.
public enum TextTable {
    public static func render(header: [String], rows: [[String]], rightAligned: ClosedRange<Int>) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                if i == cells.count - 1 { return c }
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAligned.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ") + "\n"
        }
        return ([line(header)] + rows.map(line)).joined()
    }
}
