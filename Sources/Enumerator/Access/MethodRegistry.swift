import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// The settings methods are opened with (the CLI's shared options).
package struct MethodOptions: Sendable {
    /// "/" for this machine, or a captured tree.
    package var root: String
    /// The table given with `--mcfg`, read once where the options are built
    /// (`-` and a FIFO have nothing left for a second read), and its file.
    package var mcfg: (file: String, table: MCFG)?
    package var ecamOverride: [ECAMWindow]
    /// libpci parameters (`dump.name`, `sysfs.path`...).
    package var libpciParameters: [String: String]

    package init(root: String = "/", mcfg: (file: String, table: MCFG)? = nil, ecamOverride: [ECAMWindow] = [], libpciParameters: [String: String] = [:]) {
        self.root = root
        self.mcfg = mcfg
        self.ecamOverride = ecamOverride
        self.libpciParameters = libpciParameters
    }

    /// The machine the root names, which owns its layout and reads inside it.
    package var tree: MachineRoot { MachineRoot(root) }
    package var isLive: Bool { tree.isLive }
}

/// The registry: every method by name, and `auto`'s probe order in one place.
package enum Methods {
    /// `auto` tries the most direct first: ECAM is one exit per access (none
    /// when mapped read-only), type 1 is two, sysfs adds the kernel's path.
    package static let autoOrder = ["ecam", "pio", "sysfs"]
    package static let aliases = ["mmio": "ecam", "conf1": "pio"]
    /// Every method this build of libpci has compiled in, by its own names.
    package static var libpciMethods: [String] {
        (0..<Int(PCI_ACCESS_MAX.rawValue)).compactMap { i in
            guard let name = pci_get_method_name(Int32(i)), name.pointee != 0 else { return nil }
            let s = String(cString: name)
            return s == "auto" ? nil : s
        }
    }

    package static func canonical(_ name: String) -> String { aliases[name] ?? name }

    static func unknown(_ requested: String) -> PCITimeError {
        .usage("unknown method '\(requested)': use auto, ecam (mmio), pio (conf1), sysfs, sysfs-base, sysfs-ext or libpci:NAME (\(libpciMethods.joined(separator: ", ")))")
    }

    /// Every name `open` takes, aliases included: what shell completion
    /// offers, and what `open` knows (a typo is a usage error, 64, from every
    /// command; a known method that cannot work here is 69).
    package static var allNames: [String] {
        autoOrder + aliases.keys.sorted() + ["sysfs-base", "sysfs-ext"] + libpciMethods.map { "libpci:" + $0 }
    }

    /// Opens a method by name (aliases and `libpci:NAME` included).
    package static func open(_ requested: String, options: MethodOptions) throws -> ConfigAccess {
        let name = canonical(requested)
        if !options.isLive && ["ecam", "pio"].contains(name) {
            throw PCITimeError.usage("--method \(requested) reaches hardware and cannot read a captured tree; use --method sysfs with --root")
        }
        switch name {
        case "sysfs":
            return try SysfsAccess(root: options.root)
        case "sysfs-base":
            return try SysfsAccess(root: options.root, name: "sysfs-base", window: 0..<256)
        case "sysfs-ext":
            return try SysfsAccess(root: options.root, name: "sysfs-ext", window: 256..<4096)
        case "ecam":
            let discovery = try ECAMDiscovery.discover(root: options.root, given: options.mcfg, override: options.ecamOverride)
            return try ECAMAccess(discovery: discovery)
        case "pio":
            return try PortIOAccess()
        default:
            guard allNames.contains(name) else { throw unknown(requested) }
            let method = String(name.dropFirst(7))
            var parameters = options.libpciParameters
            if !options.isLive && method == "linux-sysfs" && parameters["sysfs.path"] == nil {
                let tree = options.tree
                try tree.check()
                // libpci opens the tree's files itself, out of MachineRoot's
                // reach: a tree it reads must hold no link that leads out.
                if let (path, target) = tree.firstLinkLeaving(MachineRoot.pciBus, depth: 3) {
                    throw PCITimeError.input(path, "a link leads to \(target), outside the captured tree: refused (libpci reads the tree itself and cannot be kept inside it; --method sysfs reads it inside)")
                }
                parameters["sysfs.path"] = tree.path(MachineRoot.pciBus)
            }
            if method == "dump" {
                guard let file = parameters["dump.name"] else {
                    throw PCITimeError.usage("--method libpci:dump needs a dump file (lspci -x output): --libpci-param dump.name=FILE")
                }
                // libpci reads it line by line to its end: a regular file, named as every input is.
                switch FileContents.kind(file) {
                case nil: throw PCITimeError.missing(file, "no such file (given with --libpci-param dump.name)")
                case .directory?: throw PCITimeError.input(file, "is a directory, not a dump (lspci -x output)")
                case .other?: throw PCITimeError.input(file, "not a regular file: libpci reads a dump to its end, which a FIFO or a device may never reach")
                case .regular?: break
                }
            }
            do {
                return try LibPCIAccess(method: method, parameters: parameters)
            } catch PCITimeError.unavailable(let what, let why) where method.hasPrefix("intel-conf") {
                // libpci blames permissions for any ioperm failure; say what it was.
                let e = pcitime_ioperm(0xCF8, 8, 1)
                if e == 0 { _ = pcitime_ioperm(0xCF8, 8, 0) }
                throw PCITimeError.unavailable(what, e == ENOSYS ? why + " (here ioperm fails with ENOSYS: the kernel has no CONFIG_X86_IOPL_IOPERM)" : why)
            }
        }
    }

    /// What `auto` picked and why each method before it was passed over.
    package struct AutoChoice {
        package var access: ConfigAccess
        package var passedOver: [(name: String, reason: String)]
    }

    /// A file the user named (`--mcfg`) that is not what it should be is
    /// their mistake, the same from every command: thrown, not a method that
    /// does not work here. A table that does not parse stops the run where
    /// the options are built; this is what only opening ecam finds (a window
    /// over System RAM).
    static func isUsersMistake(_ error: Error, _ options: MethodOptions) -> Bool {
        guard options.mcfg != nil, let e = error as? PCITimeError else { return false }
        switch e {
        case .input, .missing: return true
        default: return false
        }
    }

    package static func auto(options: MethodOptions) throws -> AutoChoice {
        var passed: [(String, String)] = []
        let order = options.isLive ? autoOrder : ["sysfs"]
        if !options.isLive {
            passed = [("ecam", "--root reads a captured tree"), ("pio", "--root reads a captured tree")]
        }
        var lastError: Error?
        for name in order {
            do {
                return AutoChoice(access: try open(name, options: options), passedOver: passed)
            } catch {
                if isUsersMistake(error, options) { throw error }
                passed.append((name, "\(error)"))
                lastError = error
            }
        }
        throw lastError ?? PCITimeError.unavailable("auto", "no method works here")
    }

    /// Every method and whether it works here, for `pcitime methods`.
    package static func survey(options: MethodOptions) throws -> [(name: String, result: Result<String, PCITimeError>)] {
        let names = autoOrder + libpciMethods.map { "libpci:" + $0 }
        return try names.map { name in
            do {
                let access = try open(name, options: options)
                return (name, .success(access.summary))
            } catch let e as PCITimeError {
                if isUsersMistake(e, options) { throw e }
                return (name, .failure(e))
            } catch {
                return (name, .failure(.unavailable(name, "\(error)")))
            }
        }
    }
}
