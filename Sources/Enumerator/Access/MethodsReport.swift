/// `pcitime methods`: each method, available here or the exact reason not,
/// and what `auto` picks.
package enum MethodsReport {
    package static func render(options: MethodOptions) throws -> String {
        var out = ""
        let survey = try Methods.survey(options: options)
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

/// `pcitime methods --json` (schema pcitime-methods/1,
/// docs/schema/pcitime-methods-1.json).
package struct MethodsJSON: Encodable {
    package struct Method: Encodable {
        package var name: String
        package var available: Bool
        /// What one access is, when available.
        package var summary: String?
        /// Why not, and the exit code a command using it would give.
        package var reason: String?
        package var exitCode: Int32?
    }

    package struct Auto: Encodable {
        package var method: String
        package var passedOver: [PassedOver]
    }

    package struct PassedOver: Encodable {
        package var method: String
        package var reason: String
    }

    package var schema = "pcitime-methods/1"
    package var root: String
    package var methods: [Method]
    /// What `auto` picks; absent when nothing works here.
    package var auto: Auto?

    package init(options: MethodOptions) throws {
        root = options.root
        methods = try Methods.survey(options: options).map { name, result in
            switch result {
            case .success(let summary): return Method(name: name, available: true, summary: summary)
            case .failure(let e): return Method(name: name, available: false, reason: e.description, exitCode: e.exitCode)
            }
        }
        auto = (try? Methods.auto(options: options)).map { choice in
            Auto(method: choice.access.name, passedOver: choice.passedOver.map { PassedOver(method: $0.name, reason: $0.reason) })
        }
    }

    package func encoded() throws -> String {
        try JSONOutput.encode(self, keys: .snakeCase)
    }
}
