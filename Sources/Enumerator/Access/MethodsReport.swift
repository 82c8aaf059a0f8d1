/// `pcitime methods`: each method, available here or the exact reason not,
/// and what `auto` picks.
public enum MethodsReport {
    public static func render(options: MethodOptions) throws -> String {
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
public struct MethodsJSON: Encodable {
    public struct Method: Encodable {
        public var name: String
        public var available: Bool
        /// What one access is, when available.
        public var summary: String?
        /// Why not, and the exit code a command using it would give.
        public var reason: String?
        public var exitCode: Int32?
    }

    public struct Auto: Encodable {
        public var method: String
        public var passedOver: [PassedOver]
    }

    public struct PassedOver: Encodable {
        public var method: String
        public var reason: String
    }

    public var schema = "pcitime-methods/1"
    public var root: String
    public var methods: [Method]
    /// What `auto` picks; absent when nothing works here.
    public var auto: Auto?

    public init(options: MethodOptions) throws {
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

    public func encoded() throws -> String {
        try JSONOutput.encode(self, keys: .snakeCase)
    }
}
