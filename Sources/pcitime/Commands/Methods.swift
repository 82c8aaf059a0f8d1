import ArgumentParser
import Enumerator

extension PCITime {
    struct Methods: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each access method: available here, or the exact reason it is not.")

        @OptionGroup var source: SourceOptions

        func run() throws {
            try pcitime.run {
                try printOut(MethodsReport.render(options: try source.methodOptions()))
            }
        }
    }
}
