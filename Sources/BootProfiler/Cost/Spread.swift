/// Several values of one figure (boots, log windows): the median is the
/// midpoint of the middle two for an even count, as a spread reads.
package struct Spread: Codable, Sendable, Equatable {
    package var count: Int
    package var min: Double
    package var median: Double
    package var max: Double

    package init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        count = s.count
        min = s[0]
        max = s[s.count - 1]
        median = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
