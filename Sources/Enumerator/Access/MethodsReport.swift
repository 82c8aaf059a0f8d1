/// `pcitime methods`: each method, available here or the exact reason not,
/// and what `auto` picks.
public enum MethodsReport {
    public static func render(options: MethodOptions) -> String {
        var out = ""
        let survey = Methods.survey(options: options)
        let width = survey.map(\.name.count).max() ?? 0
        for (name, result) in survey {
            let padded = name + String(repeating: " ", count: width - name.count)
            switch result {
            case .success(let summary): out += "\(padded) available    \(summary)\n"
            case .failure(let error): out += "\(padded) unavailable  \(error)\n"
            }
        }
        if let choice = try? Methods.auto(options: options) {
            out += "\nauto picks \(choice.access.name)"
            out += choice.passedOver.isEmpty ? "\n" : ", after passing over \(choice.passedOver.map(\.name).joined(separator: ", "))\n"
        }
        return out
    }
}
