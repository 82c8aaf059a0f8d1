#if canImport(Glibc)
import Glibc
#endif
import CLibPCI

/// Notes SIGINT, SIGTERM (and whichever others are asked for) while a job
/// that must clean up runs: the handler only records the number, the job
/// polls `caught` and ends in ordinary code. The old handlers come back
/// when the trap goes.
package final class SignalTrap {
    var previous: [Int32: sigaction] = [:]

    /// `restart`: system calls resume after the signal (SA_RESTART); without
    /// it a blocking waitpid returns EINTR, so the signal can be passed on.
    package init(_ signals: [Int32] = [SIGINT, SIGTERM], restart: Bool) {
        pcitime_clear_signal()
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = pcitime_note_signal
            action.sa_flags = restart ? SA_RESTART : 0
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(sig, &action, &old)
            previous[sig] = old
        }
    }

    /// The signal that arrived, if any.
    package static var caught: Int32? {
        let s = pcitime_caught_signal()
        return s == 0 ? nil : s
    }

    package var caught: Int32? { Self.caught }

    deinit {
        for (sig, old) in previous {
            var o = old
            sigaction(sig, &o, nil)
        }
    }
}
