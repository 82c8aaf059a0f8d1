import Enumerator

/// What to compare and how hard.
public struct CompareRequest: Sendable {
    /// Method names as `Methods.open` takes them; at least two.
    public var methods: [String]
    /// lspci's `-s`: only functions in this slot.
    public var slot: String?
    /// Offsets to read on each function; nil: the header, 0x00-0x3F in steps of `width`.
    /// A method whose window starts above them (sysfs-ext) reads them shifted by
    /// the window's start (0x00-0x3C becomes 0x100-0x13C).
    public var offsets: [Int]?
    public var width: AccessWidth
    /// Measured rounds: each is one sample per register per method.
    public var samples: Int
    /// Rounds run first and thrown away (page-cache, TLB and branch warm-up).
    public var warmup: Int
    public var seed: UInt64
    public var resamples: Int
    public var pin: Int?
    /// The kernel log, when one could be read: the kernel's split (what
    /// sysfs-base and sysfs-ext reach) and, for the projection, the boot.
    public var kernelLog: BootProfile?

    public static let defaultSamples = 1000
    public static let defaultWarmup = 20
    public static let defaultSeed: UInt64 = 0x7063_6974_696d_6535  // "pcitime5"
    public static let defaultResamples = 1000

    public init(methods: [String], slot: String? = nil, offsets: [Int]? = nil, width: AccessWidth = .dword,
                samples: Int = defaultSamples, warmup: Int = defaultWarmup, seed: UInt64 = defaultSeed,
                resamples: Int = defaultResamples, pin: Int? = nil, kernelLog: BootProfile? = nil) {
        self.methods = methods
        self.slot = slot
        self.offsets = offsets
        self.width = width
        self.samples = samples
        self.warmup = warmup
        self.seed = seed
        self.resamples = resamples
        self.pin = pin
        self.kernelLog = kernelLog
    }
}

