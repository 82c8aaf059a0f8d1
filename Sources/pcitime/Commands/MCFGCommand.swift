import ArgumentParser
import Enumerator

extension PCITime {
    struct MCFGCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mcfg",
            abstract: "The ECAM windows: MCFG segments, bus ranges, bases and sizes, checked against /proc/iomem and the kernel log.")

        @OptionGroup var source: SourceOptions

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        func run() throws {
            try pcitime.run {
                let report = try MCFGReport(options: try source.methodOptions())
                try printOut(json ? try MCFGJSON(report).encoded() + "\n" : report.render())
            }
        }
    }
}
