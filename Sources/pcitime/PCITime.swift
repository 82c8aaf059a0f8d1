import ArgumentParser
import Enumerator
import Glibc

@main
struct PCITime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pcitime",
        abstract: "What PCI device discovery costs in this VM: per-access latency per mechanism, accesses per device, and their share of boot.",
        discussion: """
        Exit codes, the same from every command: 0 success; 1 the command finished but its check failed: \
        some functions failed (scan; each a line on stderr), or the boot grew past boot --fail-above; 64 bad usage: an unknown subcommand, option or method, a bad option value, \
        options that cannot go together, a question the input cannot answer (compare --root); 65 malformed \
        input: what a file holds (MCFG, config space, kernel log, trace, latency JSON) or what it is (a folder \
        named as a file, a FIFO or device inside a captured tree, a link out of one, no line break in 16 MiB), \
        a cut or joined trace, a trace not of its log's machine; 66 a file or folder named on the command line, \
        or one a captured tree must hold, is missing; 69 a method is unavailable here (no /dev/mem, no ioperm, \
        no ECAM, no kprobes); 74 a system call failed or an output could not be written; 77 permission denied \
        (run as root, or boot with iomem=relaxed; a read-only output file); 128+N stopped by signal N after \
        cleaning up. A closed pipe on standard output ends pcitime quietly by SIGPIPE, as it ends cat. \
        Diagnostics go to standard error. Output files take - for standard output; only a regular file \
        is ever replaced (atomically, keeping its mode): links, FIFOs and devices are written through.
        """,
        version: versionText,
        // Each names itself (commandName): ArgumentParser's default derives the
        // name from String(describing: type), a search of every protocol
        // conformance in the binary, on every run (about 14% of `scan -n`).
        subcommands: [Scan.self, Methods.self, MCFGCommand.self, Capture.self, Boot.self, Trace.self, Compare.self],
        defaultSubcommand: Scan.self
    )

    /// ArgumentParser's own `main`, except that every error is one line on
    /// stderr ("pcitime: MESSAGE") with its documented exit code (a bad option
    /// or value: 64, pointing to the subcommand's help), help goes through
    /// the one output writer, and a broken pipe ends quietly (SIGPIPE).
    static func main() {
        OutputFile.prepareStandardStreams()
        var arguments = Array(CommandLine.arguments.dropFirst())
        // lspci's habit: -V for the version.
        if arguments == ["-V"] { arguments = ["--version"] }
        var command: ParsableCommand
        do {
            try checkHelpTopic(arguments)
            try checkSubcommand(arguments)
            command = try parseAsRoot(arguments)
        } catch {
            finish(error, arguments)
        }
        do {
            try command.run()
        } catch {
            finish(error, arguments)
        }
    }

    /// Ends on an error from parsing or running: help (including the `help`
    /// subcommand's) to standard output, anything else one line and its code.
    static func finish(_ error: Error, _ arguments: [String]) -> Never {
        switch error {
        case let e as PCITimeError: fail(e)
        case let e as ExitCode: Glibc.exit(e.rawValue)
        default: break
        }
        let code = exitCode(for: error)
        if code == .success {
            let text = fullMessage(for: error)
            do { if !text.isEmpty { try printOut(text + "\n") } } catch { finish(error, arguments) }
            Glibc.exit(0)
        }
        guard code == .validationFailure else { exit(withError: error) }
        let line = message(for: error).split(separator: "\n").first.map(String.init) ?? "bad usage"
        fail(.usage("\(line) (see 'pcitime help \(subcommandName(arguments))')"))
    }

    /// The subcommand an argument list runs (the default one when none is named).
    static func subcommandName(_ arguments: [String]) -> String {
        let names = configuration.subcommands.map { $0._commandName }
        return arguments.first { names.contains($0) } ?? Scan._commandName
    }

    /// A first word that is no subcommand and no option is a mistyped
    /// subcommand (scan, the default, takes no words): say which was meant.
    static func checkSubcommand(_ arguments: [String]) throws {
        guard let word = arguments.first, !word.hasPrefix("-"), word != "help" else { return }
        let names = configuration.subcommands.map { $0._commandName }
        guard !names.contains(word) else { return }
        throw PCITimeError.usage("unknown command '\(word)'" + suggestion(word, names) + " (see 'pcitime help')")
    }

    /// ": did you mean 'boot'?" for the nearest name when a typo away (one
    /// edit, two in a word of six letters or more), else the list.
    static func suggestion(_ word: String, _ names: [String]) -> String {
        let near = names.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= max(1, word.utf8.count / 3) }.min { $0.1 < $1.1 }
        return near.map { ": did you mean '\($0.0)'?" } ?? " (one of: \(names.joined(separator: ", ")))"
    }

    /// Edits between two words (insert, delete, replace, swap two neighbours:
    /// the optimal string alignment distance), over UTF-8 bytes.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    /// `pcitime help NAME...` must name subcommands: ArgumentParser shows the
    /// root help for anything else.
    static func checkHelpTopic(_ arguments: [String]) throws {
        guard arguments.first == "help" else { return }
        var command: ParsableCommand.Type = PCITime.self
        for word in arguments.dropFirst() where !word.hasPrefix("-") {
            let subcommands = command.configuration.subcommands
            guard let sub = subcommands.first(where: { $0._commandName == word }) else {
                if subcommands.isEmpty { throw PCITimeError.usage("help: '\(command._commandName)' has no subcommand '\(word)'") }
                throw PCITimeError.usage("help: no subcommand '\(word)'" + suggestion(word, subcommands.map { $0._commandName }))
            }
            command = sub
        }
    }
}

/// One line on stderr and the error's exit code; a broken pipe ends quietly.
func fail(_ e: PCITimeError) -> Never {
    if case .system(_, EPIPE) = e { OutputFile.endOnBrokenPipe() }
    printErr("\(e)")
    Glibc.exit(e.exitCode)
}

/// Runs a command body, turning pcitime's errors into one line on stderr and
/// the documented exit code.
func run(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as PCITimeError {
        fail(e)
    }
}

func printOut(_ text: String) throws {
    try OutputFile.standardOutput.write(text)
}

/// One line to standard error as "pcitime: LINE". A standard error that
/// cannot be written changes nothing: the output and the exit code stand
/// (a closed stderr must not turn --fail-above's 1 into another code).
func printErr(_ line: String) {
    try? OutputFile.standardError.write("pcitime: \(line)\n")
}

/// Writes a file a command was asked for (--svg, --trace-json, --save); `-`
/// is standard output. See `OutputFile.write(_:to:)` for what is never replaced.
func writeFile(_ text: String, to path: String) throws {
    try OutputFile.write(text, to: path)
}

/// The file option among `files` that names `-` (standard output), if any:
/// that file is then printed in place of the table. Two claims on standard
/// output, or one beside --json, are a usage error.
func standardOutputClaim(_ files: [(flag: String, path: String?)], json: Bool) throws -> String? {
    let claims = files.filter { $0.path == "-" }.map(\.flag)
    if claims.count > 1 { throw ValidationError("\(claims.joined(separator: " and ")) all name '-' (standard output): give all but one a file") }
    if let claim = claims.first, json { throw ValidationError("\(claim) - and --json both write standard output: give \(claim) a file") }
    return claims.first
}

/// `--experimental-dump-help` (read by the manual and completion tests) through
/// the one JSON encoder: the vendored parser links no Foundation for it.
extension PCITime: ToolInfoJSONEncoding {
    static func toolInfoJSON<T: Encodable>(_ value: T) -> String {
        (try? JSONOutput.encode(value, keys: .asWritten)) ?? ""
    }
}
