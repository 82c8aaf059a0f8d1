import ArgumentParser
import BootProfiler
import Enumerator
import Glibc

extension PCITime {
    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "capture",
            abstract: "Write a capture of this machine (sysfs PCI files, MCFG, kernel log, /proc/iomem, /proc/cmdline) for later --root runs.",
            discussion: "Read-only. Written to a temporary folder, then renamed. Redacts by default: the kernel command line keeps only the parameters pcitime interprets, the init's arguments and environment are dropped, MAC addresses and serial numbers are masked.")

        @Option(help: ArgumentHelp("The folder to create (its parent must exist; nothing may be at DIR).", valueName: "DIR"), completion: .directory)
        var out: String

        @Option(help: "The line saying what produced this capture (default: kernel release and host).")
        var source: String?

        @Flag(help: "Keep everything: no redaction.")
        var noRedact = false

        func run() throws {
            try pcitime.run {
                let line = source ?? Enumerator.Capture.defaultSource(out: out)
                // Ctrl-C, a terminal closing or a kill: the capture stops at its
                // next file, removes its temporary folder and exits 128 + signal.
                let trap = SignalTrap([SIGINT, SIGTERM, SIGHUP], restart: true)
                // The census's share comes from BootProfiler, which owns it.
                var capture = Enumerator.Capture(source: line, redact: !noRedact, bootTrace: KernelParams.capture)
                capture.stopRequested = { trap.caught }
                try capture.write(to: out)
                try printOut("wrote \(out)\n")
            }
        }
    }
}
