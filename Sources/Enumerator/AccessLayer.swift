import Histogram

/// Reads, writes and latency of the accesses made to one function.
public struct AccessStats: Sendable {
    public var reads = 0
    public var writes = 0
    public var failures = 0
    /// Nanoseconds per access, timer overhead subtracted. Two significant
    /// digits keep a histogram per function small on trees of thousands.
    public var latency = Histogram<UInt32>(numberOfSignificantValueDigits: .two)

    public init() {}
    public var total: Int { reads + writes }

    mutating func add(_ other: AccessStats) {
        reads += other.reads
        writes += other.writes
        failures += other.failures
        latency.add(other.latency)
    }
}

/// One access as the layer saw it.
public struct AccessRecord: Sendable, Codable, Equatable {
    public var address: PCIAddress
    public var offset: Int
    public var width: AccessWidth
    public var isWrite: Bool
    public var value: UInt32
    public var nanoseconds: UInt64
}

/// The one layer every access goes through: it checks the range and alignment,
/// refuses writes unless they were allowed, and counts and times each access.
/// The timed region holds the method's access and nothing else.
public final class AccessLayer {
    public let method: ConfigAccess
    public let timer: AccessTimer
    public let allowWrite: Bool
    /// Per function, including functions found absent (their vendor probes).
    public private(set) var stats: [PCIAddress: AccessStats] = [:]
    /// Every access in order, when `recording` is set.
    public var recording = false
    public private(set) var records: [AccessRecord] = []

    public init(_ method: ConfigAccess, timer: AccessTimer, allowWrite: Bool = false) {
        self.method = method
        self.timer = timer
        self.allowWrite = allowWrite
    }

    public func read(_ address: PCIAddress, offset: Int, width: AccessWidth) throws -> UInt32 {
        try method.prepare(address)
        try check(address, offset, width)
        var s = stats[address] ?? AccessStats()
        defer { stats[address] = s }
        let start = timer.now()
        let value: UInt32
        do {
            value = try method.read(address, offset: offset, width: width)
        } catch {
            s.failures += 1
            throw error
        }
        let end = timer.now()
        let ns = timer.nanoseconds(from: start, to: end)
        s.reads += 1
        s.latency.record(UInt64(ns))
        if recording {
            records.append(AccessRecord(address: address, offset: offset, width: width, isWrite: false, value: value, nanoseconds: ns))
        }
        return value
    }

    /// Width handled once, generically: `read(UInt16.self, at: a, offset: 2)`.
    public func read<T: FixedWidthInteger & UnsignedInteger>(_ type: T.Type, _ address: PCIAddress, offset: Int) throws -> T {
        T(truncatingIfNeeded: try read(address, offset: offset, width: AccessWidth(of: T.self)!))
    }

    public func write(_ address: PCIAddress, offset: Int, width: AccessWidth, value: UInt32) throws {
        guard allowWrite else {
            throw PCITimeError.permission(method.name, "config write to \(address) offset \(hex(offset, 3)) refused: pcitime is read-only unless --allow-write is given")
        }
        try method.prepare(address)
        try check(address, offset, width)
        var s = stats[address] ?? AccessStats()
        defer { stats[address] = s }
        let start = timer.now()
        do {
            try method.write(address, offset: offset, width: width, value: value & width.mask)
        } catch {
            s.failures += 1
            throw error
        }
        let end = timer.now()
        let ns = timer.nanoseconds(from: start, to: end)
        s.writes += 1
        s.latency.record(UInt64(ns))
        if recording {
            records.append(AccessRecord(address: address, offset: offset, width: width, isWrite: true, value: value, nanoseconds: ns))
        }
    }

    /// Totals over every function.
    public var totals: AccessStats {
        var t = AccessStats()
        for s in stats.values { t.add(s) }
        return t
    }

    public func resetCounts() {
        stats = [:]
        records = []
    }

    private func check(_ address: PCIAddress, _ offset: Int, _ width: AccessWidth) throws {
        let size = method.configSize(address)
        guard offset >= 0, offset % width.rawValue == 0, offset + width.rawValue <= size else {
            throw PCITimeError.usage("\(method.name): offset \(hex(max(offset, 0), 3)) width \(width.rawValue) is outside the \(size) bytes this method reaches on \(address) or not naturally aligned")
        }
    }
}
