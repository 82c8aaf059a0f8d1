import ArgumentParser
import Enumerator

extension PCITime {
    struct Methods: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "methods",
            abstract: "Each access method: available here, or the exact reason it is not.")

        @OptionGroup var source: SourceOptions

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        func run() throws {
            try pcitime.run {
                let options = try source.methodOptions()
                try printOut(json ? try MethodsJSON(options: options).encoded() + "\n" : try MethodsReport.render(options: options))
            }
        }
    }
}
