import Testing
@testable import Enumerator

/// The TSC rate as the kernel states it, read from real kernel logs.
@Suite struct TSCRateTests {
    static func log(_ name: String) -> String { FileContents.text(Fixtures.log(name)) ?? "" }

    @Test func detectedLineOfRealLogs() {
        #expect(AccessTimer.kernelTSCRate(inLog: Self.log("firecracker.dmesg.txt"))?.khz == 2_596_136)
        #expect(AccessTimer.kernelTSCRate(inLog: Self.log("firecracker.kmsg.txt"))?.khz == 2_596_136)
        // A TCG guest: detected early at 2594.011 MHz, then refined by the kernel at 2.75 s.
        #expect(AccessTimer.kernelTSCRate(inLog: Self.log("qemu-q35-wide.dmesg.txt"))?.line == "tsc: Refined TSC clocksource calibration: 2596.136 MHz")
        // Two lines: the early "processor" estimate, then the known frequency; the last counts.
        #expect(AccessTimer.kernelTSCRate(inLog: Self.log("qemu-microvm-initcall.dmesg.txt"))?.khz == 2_596_131)
    }

    @Test func refinedCalibrationWins() {
        let text = """
        [    0.000000] tsc: Detected 2596.100 MHz processor
        [    1.500000] tsc: Refined TSC clocksource calibration: 2596.215 MHz
        [    1.600000] tsc: Detected 2500.000 MHz processor
        """
        #expect(AccessTimer.kernelTSCRate(inLog: text)?.khz == 2_596_215)
        #expect(AccessTimer.kernelTSCRate(inLog: text)?.line == "tsc: Refined TSC clocksource calibration: 2596.215 MHz")
    }

    @Test func noRateWhereTheLogStatesNone() {
        #expect(AccessTimer.kernelTSCRate(inLog: "") == nil)
        #expect(AccessTimer.kernelTSCRate(inLog: "[0.0] tsc: Detected 2596.13 MHz processor\n[0.1] tsc: Detected MHz") == nil)
        #expect(AccessTimer.kernelTSCRate(inLog: "[0.0] tsc: Marking TSC unstable due to clocksource watchdog") == nil)
    }
}
