#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong, each with the file or thing it concerns and a
/// documented exit code (sysexits.h values; see the README's "Exit codes").
package enum PCITimeError: Error, CustomStringConvertible, Equatable {
    /// A file exists but its content is wrong (bad MCFG, short config space...).
    case input(String, String)
    /// A file or directory that should be there is not.
    case missing(String, String)
    /// An access method cannot work here, and why.
    case unavailable(String, String)
    /// The kernel refused: not root, a locked-down /dev/mem...
    case permission(String, String)
    /// A system call failed with this errno.
    case system(String, Int32)
    /// An output destination cannot take the output, and why.
    case output(String, String)
    /// A bad value for an option.
    case usage(String)
    /// A signal (Ctrl-C, kill) stopped a job that cleaned up first.
    case interrupted(Int32)

    package var description: String {
        switch self {
        case .input(let file, let problem): return "\(file): \(problem)"
        case .missing(let file, let problem): return "\(file): \(problem)"
        case .unavailable(let what, let why): return "\(what): \(why)"
        case .permission(let what, let why): return "\(what): \(why)"
        case .system(let file, let code): return "\(file): \(String(cString: strerror(code)))"
        case .output(let file, let problem): return "\(file): \(problem)"
        case .usage(let message): return message
        case .interrupted(let signal): return "interrupted by signal \(signal); nothing was left behind"
        }
    }

    package var exitCode: Int32 {
        switch self {
        case .usage: return 64        // EX_USAGE
        case .input: return 65        // EX_DATAERR
        case .missing: return 66      // EX_NOINPUT
        case .unavailable: return 69  // EX_UNAVAILABLE
        case .system, .output: return 74  // EX_IOERR
        case .permission: return 77   // EX_NOPERM
        case .interrupted(let signal): return 128 + signal  // as a shell reports it
        }
    }
}
