import Enumerator

/// What `pcitime boot` prices besides the log: latency files, a trace, and
/// whether this machine may be measured and its tracing checked.
package struct BootRequest: Sendable {
    package var latencyFiles: [String]
    /// A kprobe trace: measured counts instead of the model.
    package var trace: String?
    /// Time pio and ecam here for the mechanisms no latency file priced.
    package var measure: Bool
    /// Say whether kprobes work here (the log is this kernel's).
    package var checkTracing: Bool
    /// Saved boot traces (function and/or function_graph) for the census.
    package var ftrace: [String]
    /// Earlier boots' `pcitime boot --json` (`--baseline`).
    package var baselines: [Baseline] = []
    /// Read this kernel's tracefs for a boot trace (the log is this kernel's).
    package var liveCensus: Bool
    /// Calibrate the model for the log's kernel series (false: the
    /// structural sequence alone, what scripts/model-calibration fits to).
    package var calibrate = true

    package init(latencyFiles: [String] = [], trace: String? = nil, measure: Bool = false, checkTracing: Bool = false,
                ftrace: [String] = [], liveCensus: Bool = false) {
        self.latencyFiles = latencyFiles
        self.trace = trace
        self.measure = measure
        self.checkTracing = checkTracing
        self.ftrace = ftrace
        self.liveCensus = liveCensus
    }
}

/// The boot's config accesses (traced or modelled), every latency found for
/// them and the one set of prices built from those (`Pricing`).
package struct BootReport: Sendable {
    package var counts: AccessCounts
    /// Every latency this run has, chosen from or not (the book says which).
    package var latencies: [LatencyEstimate]
    package var book: LatencyBook
    package var prices: Prices
    /// Whether `pcitime trace` could count the kernel's own accesses here.
    package var tracing: String
    /// The measured boot census, when a boot trace was found.
    package var census: CensusReport?

    /// `fromFile`: the log came from `--dmesg`, so without `--root` there is
    /// no matching tree to scan.
    package init(profile: BootProfile, request: BootRequest, options: MethodOptions, fromFile: Bool) throws {
        var notes: [String] = []
        let (functions, source) = Self.enumeratedFunctions(options: options, profile: profile, fromFile: fromFile, notes: &notes)
        latencies = []
        for file in request.latencyFiles { latencies += try LatencyInput.load(path: file) }
        if request.measure { latencies += LatencyProbe.measure(options: options, split: profile.mechanism, have: latencies, notes: &notes) }

        census = try CensusReport.load(files: request.ftrace, root: options.tree, live: request.liveCensus, profile: profile)
        if let run = census {
            counts = run.counts
            latencies += run.latencyEstimates
        } else if let file = request.trace {
            let (accesses, parser) = try TraceFile.parse(file)
            try TraceFit.check(accesses: accesses, profile: profile, name: file)
            // The trace's own list of present functions when it has one
            // ('pcitime trace --save'), else this scan's.
            let present = parser.present ?? Set(functions.map(\.address))
            let window = parser.window.map { ", window: \($0)" } ?? ""
            counts = TraceCounts.counts(accesses, present: present, base: profile.mechanism?.base ?? .type1,
                                        extended: profile.mechanism?.extended, source: "kprobe trace \(file)\(window)")
            if let w = parser.window, !w.hasPrefix("boot") {
                notes.append("the access counts are those the kernel made during \(w) (kprobe trace \(file)), not during the boot's enumeration; a kprobe_event= boot trace ('pcitime trace --kernel-param') sees driver probes but starts after the core scan")
            }
            latencies += TraceCounts.latencies(accesses, source: file)
        } else {
            counts = EnumerationModel.counts(log: profile, functions: functions, source: source, calibrate: request.calibrate)
            notes.append("the access counts are modelled (no boot census: see below)")
            if request.calibrate, counts.expectedError == nil {
                notes.append("the model is not calibrated for this kernel (\(profile.kernelVersion ?? "its version is not in the log")): Linux 6.1's sequence alone")
            }
        }
        if let k = KernelLogPrice.estimate(profile: profile, counts: counts, baselines: request.baselines, census: census) { latencies.append(k) }
        book = LatencyBook(latencies)
        var input = PricingInput(profile: profile, counts: counts, book: book)
        input.knownAnswerWrites = census?.knownAnswerWrites
        if census != nil && input.knownAnswerWrites == nil {
            notes.append("no skip_known_answer_writes row: it needs each write's caller, which the function tracer's census names and function_graph's does not")
        }
        input.untracedBoot = Baseline.untracedBoot(request.baselines)
        if let run = census {
            input.tracer = run.tracerCost(absentBusNs: book.latency(counts.baseMechanism, .absentBus)?.nanoseconds)
        }
        prices = Pricing.price(input)
        prices.notes += notes
        tracing = request.checkTracing ? KprobeAvailability.status() : "not checked (the log is not from this running kernel)"
    }

    /// The functions the model counts: a sysfs scan (this machine or ROOT's
    /// tree), else the device lines of the log (no capabilities).
    static func enumeratedFunctions(options: MethodOptions, profile: BootProfile, fromFile: Bool, notes: inout [String]) -> ([EnumeratedFunction], ModelCalibration.Source) {
        if !fromFile || !options.isLive {
            do {
                return (try Scanner.scan(method: "sysfs", options: options, kernelView: false).walk.functions.map(EnumeratedFunction.init), .tree)
            } catch {
                notes.append("no scan of \(options.root) (\(error)): modelled from the log's device lines, capabilities unknown")
            }
        } else {
            notes.append("the log is from a file: modelled from its device lines, capabilities unknown (pass --root DIR for a captured tree)")
        }
        return (profile.bootDevices.map(EnumeratedFunction.init), .log)
    }
}
