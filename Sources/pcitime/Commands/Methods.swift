import ArgumentParser
import Enumerator

extension PCITime {
    struct Methods: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each access method: available here, or the exact reason it is not.")

        @OptionGroup var source: SourceOptions

        func run() throws {
            try pcitime.run {
                let options = try source.methodOptions()
                var out = ""
                let survey = Enumerator.Methods.survey(options: options)
                let width = survey.map(\.name.count).max() ?? 0
                for (name, result) in survey {
                    let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
                    switch result {
                    case .success(let summary): out += "\(padded) available    \(summary)\n"
                    case .failure(let error): out += "\(padded) unavailable  \(error)\n"
                    }
                }
                if let choice = try? Enumerator.Methods.auto(options: options) {
                    out += "\nauto picks \(choice.access.name)"
                    out += choice.passedOver.isEmpty ? "\n" : ", after passing over \(choice.passedOver.map(\.name).joined(separator: ", "))\n"
                }
                try printOut(out)
            }
        }
    }
}
