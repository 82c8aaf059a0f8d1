import Enumerator

/// What `boot` shows of the device windows and driver probes, as
/// systemd-analyze shows units: lspci's -s/-d filters, and an order
/// (`blame`-style: longest or costliest first). The measurements stay as they
/// are; only which rows and in what order.
package struct BootView: Sendable {
    package enum Order: String, Sendable, CaseIterable {
        /// Longest window or probe first.
        case time
        /// Costliest first: the accesses' priced cost, or their count where
        /// they are not priced (a driver: those of its devices); ties by time.
        case cost
    }

    package var filter: SlotFilter?
    package var order: Order?

    package init(filter: SlotFilter? = nil, order: Order? = nil) {
        self.filter = filter
        self.order = order
    }

    /// The profile with only the matching device windows (and the driver
    /// probes of those devices), in the asked order.
    package func apply(_ profile: BootProfile, counts: AccessCounts?, prices: Prices? = nil) -> BootProfile {
        var p = profile
        if let filter {
            p.devices = p.devices.filter { filter.matches($0.address, vendor: $0.vendor, device: $0.device) }
            let kept = Set(p.devices.map(\.address))
            p.drivers = p.drivers.filter { $0.devices.contains { PCIAddress($0).map(kept.contains) ?? false } }
        }
        let key = Self.costKey(prices)
        func accesses(_ a: PCIAddress) -> Double { key(a.description, counts?.device(a)?.total ?? 0) }
        func accesses(_ d: DriverProbe) -> Double { d.devices.compactMap { PCIAddress($0) }.reduce(0) { $0 + accesses($1) } }
        switch order {
        case .time?:
            p.devices.sort { ($0.duration, $1.start) > ($1.duration, $0.start) }
            p.drivers.sort { ($0.duration, $1.start) > ($1.duration, $0.start) }
        case .cost?:
            p.devices.sort { (accesses($0.address), $0.duration, $1.start) > (accesses($1.address), $1.duration, $0.start) }
            p.drivers.sort { (accesses($0), $0.duration, $1.start) > (accesses($1), $1.duration, $0.start) }
        case nil:
            break
        }
        return p
    }

    /// What `--sort cost` orders a function by, given its accesses: its
    /// priced cost when every function is priced, else the count (one
    /// order, never a mix), for the device windows and the census alike.
    static func costKey(_ prices: Prices?) -> (_ bdf: String, _ accesses: Int) -> Double {
        let costs = Dictionary((prices?.deviceCosts ?? []).map { ($0.bdf, $0.costUs) }, uniquingKeysWith: { a, _ in a })
        let priced = !costs.isEmpty && costs.values.allSatisfy { $0 != nil }
        return { bdf, n in priced ? (costs[bdf] ?? nil) ?? 0 : Double(n) }
    }

    /// The line the table prints above the device windows when a view applies.
    package var caption: String? {
        var parts: [String] = []
        if filter != nil { parts.append("filtered by -s/-d") }
        switch order {
        case .time?: parts.append("longest first")
        case .cost?: parts.append("costliest first (priced accesses, or their count where unpriced)")
        case nil: break
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
