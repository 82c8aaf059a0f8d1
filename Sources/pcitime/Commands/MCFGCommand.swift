import ArgumentParser
import Enumerator

extension PCITime {
    struct MCFGCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mcfg",
            abstract: "The ECAM windows: MCFG segments, bus ranges, bases and sizes, checked against /proc/iomem and the kernel log.")

        @OptionGroup var source: SourceOptions

        func run() throws {
            try pcitime.run {
                let o = try source.methodOptions()
                let report = try MCFGReport(options: o)
                try printOut(report.render())
            }
        }
    }
}
