import Enumerator

/// What to compare and how hard.
package struct CompareRequest: Sendable {
    /// Method names as `Methods.open` takes them; at least two.
    package var methods: [String]
    /// lspci's `-s`: only functions in this slot.
    package var slot: String?
    /// Offsets to read on each function; nil: the header, 0x00-0x3F in steps of `width`.
    /// A method whose window starts above them (sysfs-ext) reads them shifted by
    /// the window's start (0x00-0x3C becomes 0x100-0x13C).
    package var offsets: [Int]?
    package var width: AccessWidth
    /// Measured rounds: each is one sample per register per method.
    package var samples: Int
    /// Rounds run first and thrown away (page-cache, TLB and branch warm-up).
    package var warmup: Int
    package var seed: UInt64
    package var resamples: Int
    package var pin: Int?
    /// The kernel log, when one could be read: the kernel's split (what
    /// sysfs-base and sysfs-ext reach) and, for the projection, the boot.
    package var kernelLog: BootProfile?

    package static let defaultSamples = 1000
    package static let defaultWarmup = 20
    package static let defaultSeed: UInt64 = 0x7063_6974_696d_6535  // "pcitime5"
    package static let defaultResamples = 1000

    package init(methods: [String], slot: String? = nil, offsets: [Int]? = nil, width: AccessWidth = .dword,
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

