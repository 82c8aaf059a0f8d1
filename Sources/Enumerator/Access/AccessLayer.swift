import Histogram

/// Reads and latency of the accesses made to one function (pcitime never
/// writes config space: there is no write to count).
package struct AccessStats: Sendable {
    package var reads = 0
    package var failures = 0
    /// Nanoseconds per access, timer overhead subtracted. Two significant
    /// digits keep a histogram per function small on trees of thousands.
    package var latency = Histogram<UInt32>(numberOfSignificantValueDigits: .two)

    package init() {}

    package mutating func add(_ other: AccessStats) {
        reads += other.reads
        failures += other.failures
        if other.latency.totalCount > 0 { reserve(other.latency.max) }
        latency.add(other.latency)
    }

    @inline(__always)
    mutating func recordRead(_ ns: UInt64) {
        reads += 1
        record(ns)
    }

    /// One latency sample.
    @inline(__always)
    mutating func record(_ ns: UInt64) {
        if ns > latency.highestTrackableValue { reserve(ns) }
        latency.record(ns)
    }

    /// Grows the histogram to hold `value` by building a larger one and
    /// merging: one zeroed allocation instead of Histogram's slow per-bucket
    /// auto-resize (docs/PERFORMANCE.md, "Design notes").
    mutating func reserve(_ value: UInt64) {
        guard value > latency.highestTrackableValue else { return }
        var grown = Histogram<UInt32>(lowestDiscernibleValue: 1, highestTrackableValue: max(value, latency.highestTrackableValue.multipliedReportingOverflow(by: 2).partialValue),
                                      numberOfSignificantValueDigits: latency.numberOfSignificantValueDigits)
        grown.autoResize = true
        grown.add(latency)
        latency = grown
    }
}

/// One read as the layer saw it.
package struct AccessRecord: Sendable, Codable, Equatable {
    package var address: PCIAddress
    package var offset: Int
    package var width: AccessWidth
    package var value: UInt32
    package var nanoseconds: UInt64
}

/// The one layer every access goes through: it checks the range and
/// alignment, and counts and records the time of each read. Reads are timed
/// inside the methods' C helpers, so the timed region holds the access and
/// nothing else. There is no write path.
package final class AccessLayer {
    package let method: ConfigAccess
    package let timer: AccessTimer
    /// Per function, including functions found absent (their vendor probes).
    package private(set) var stats: [PCIAddress: AccessStats] = [:]
    /// Every access in order, when `recording` is set.
    package var recording = false
    package private(set) var records: [AccessRecord] = []

    package init(_ method: ConfigAccess, timer: AccessTimer) {
        self.method = method
        self.timer = timer
    }

    private var handles: [PCIAddress: FunctionHandle] = [:]

    /// The method's handle for a function, resolved once and untimed.
    package func handle(_ address: PCIAddress) throws -> FunctionHandle {
        if let h = handles[address] { return h }
        let h = try method.prepare(address)
        handles[address] = h
        return h
    }

    package func read(_ address: PCIAddress, offset: Int, width: AccessWidth) throws -> UInt32 {
        try read(try handle(address), offset: offset, width: width)
    }

    /// Vendor probes that found nothing, all addresses together: an empty
    /// slot gets no handle, histogram or entry of its own (a brute scan
    /// probes thousands of them).
    package private(set) var emptyProbes = AccessStats()

    /// Reads the vendor/device dword, where every walk starts on a function.
    /// Nil when nothing answers (vendor FFFF or 0000): absent, not failed.
    package func probe(_ address: PCIAddress) throws -> (handle: FunctionHandle, id: UInt32)? {
        let h = try handles[address] ?? method.prepare(address)
        try check(h, 0, .dword)
        let timed: TimedRead
        do {
            timed = try method.read(h, offset: 0, width: .dword, clock: timer.source)
        } catch {
            stats[address, default: AccessStats()].failures += 1
            throw error
        }
        let ns = timer.nanoseconds(ticks: timed.ticks)
        if recording {
            records.append(AccessRecord(address: address, offset: 0, width: .dword, value: timed.value, nanoseconds: ns))
        }
        let vendor = timed.value & 0xffff
        if vendor == 0xffff || vendor == 0 {
            emptyProbes.recordRead(ns)
            return nil
        }
        handles[address] = h
        stats[address, default: AccessStats()].recordRead(ns)
        return (h, timed.value)
    }

    package func read(_ h: FunctionHandle, offset: Int, width: AccessWidth) throws -> UInt32 {
        try check(h, offset, width)
        let timed: TimedRead
        do {
            timed = try method.read(h, offset: offset, width: width, clock: timer.source)
        } catch {
            stats[h.address, default: AccessStats()].failures += 1
            throw error
        }
        let value = timed.value
        let ns = timer.nanoseconds(ticks: timed.ticks)
        // Modified in place: a copy out of the dictionary and back would copy
        // the histogram's buckets on every access.
        stats[h.address, default: AccessStats()].recordRead(ns)
        if recording {
            records.append(AccessRecord(address: h.address, offset: offset, width: width, value: value, nanoseconds: ns))
        }
        return value
    }

    /// Totals over every function and every empty probe.
    package var totals: AccessStats {
        var t = emptyProbes
        for s in stats.values { t.add(s) }
        return t
    }


    private func check(_ h: FunctionHandle, _ offset: Int, _ width: AccessWidth) throws {
        guard offset >= h.window.lowerBound, offset % width.rawValue == 0, offset + width.rawValue <= h.window.upperBound else {
            throw PCITimeError.usage("\(method.name): offset \(hex(max(offset, 0), 3)) width \(width.rawValue) is outside \(hex(h.window.lowerBound, 3))-\(hex(max(h.window.upperBound - 1, 0), 3)), the offsets this method reaches on \(h.address), or not naturally aligned")
        }
    }
}
