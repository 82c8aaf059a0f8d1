#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Enumerator

/// A captured tree is read only inside itself, through openat2 and through
/// the component walk alike: links between devices work, links that climb
/// or jump out are taken inside the tree, and what is read is never the
/// host's file. The host file used is /etc/passwd, which every user can
/// read, so a resolution that escaped would succeed and the test would see
/// its bytes.
@Suite struct MachineRootTests {
    static let modes: [MachineRoot.Resolution] = [.automatic, .componentWalk]
    static let host = "/etc/passwd"

    /// A tree laid out as a live sysfs: devices/BDF are relative links into
    /// sys/devices/pci0000:00, and one device's files link out of the tree.
    static func tree() -> String {
        let dir = Fixtures.scratch()
        let real = dir + "/sys/devices/pci0000:00"
        for d in [real + "/0000:00:00.0", real + "/0000:00:01.0", real + "/0000:00:02.0", dir + "/sys/bus/pci/devices", dir + "/etc"] {
            #expect(Subprocess.output(["/bin/mkdir", "-p", d]) != nil)
        }
        for bdf in ["0000:00:00.0", "0000:00:01.0", "0000:00:02.0"] {
            #expect(symlink("../../../devices/pci0000:00/" + bdf, dir + "/sys/bus/pci/devices/" + bdf) == 0)
        }
        OutputMatrixTests.put("own config\n", real + "/0000:00:00.0/config", mode: 0o644)
        #expect(symlink(host, real + "/0000:00:01.0/config") == 0)                                  // absolute: out
        #expect(symlink("../../../../../../../../../../etc/passwd", real + "/0000:00:02.0/config") == 0)  // climbs out
        #expect(symlink("/sys/devices/pci0000:00/0000:00:00.0/config", real + "/0000:00:02.0/irq") == 0)  // absolute, inside
        #expect(symlink("config", real + "/0000:00:00.0/driver") == 0)
        return dir
    }

    static func read(_ root: MachineRoot, _ relative: String) throws -> String? {
        try root.bytes(relative, limit: 4096, what: "a test file").map { String(decoding: $0, as: UTF8.self) }
    }

    @Test(arguments: modes)
    func linksBetweenDevicesWork(_ mode: MachineRoot.Resolution) throws {
        let dir = Self.tree()
        defer { Fixtures.remove(dir) }
        let root = MachineRoot(dir, resolution: mode)
        #expect(try Self.read(root, "sys/bus/pci/devices/0000:00:00.0/config") == "own config\n")
        // An absolute link is the tree's own path, as under chroot.
        #expect(try Self.read(root, "sys/bus/pci/devices/0000:00:02.0/irq") == "own config\n")
        #expect(root.names(inDirectory: MachineRoot.devices)?.sorted() == ["0000:00:00.0", "0000:00:01.0", "0000:00:02.0"])
        #expect(root.kind("sys/bus/pci/devices/0000:00:00.0") == .directory)
        #expect(root.linkName("sys/bus/pci/devices/0000:00:00.0/driver") == "config")
        // ".." of a directory reached through a link is its real parent.
        #expect(try Self.read(root, "sys/bus/pci/devices/0000:00:01.0/../0000:00:00.0/config") == "own config\n")
    }

    @Test(arguments: modes)
    func linksOutOfTheTreeAreRefused(_ mode: MachineRoot.Resolution) throws {
        let dir = Self.tree()
        defer { Fixtures.remove(dir) }
        let root = MachineRoot(dir, resolution: mode)
        for (bdf, target) in [("0000:00:01.0", Self.host), ("0000:00:02.0", "../../../../../../../../../../etc/passwd")] {
            let file = "sys/bus/pci/devices/\(bdf)/config"
            #expect(throws: PCITimeError.input(root.path(file), "a link leads to \(target), outside the captured tree: refused (a capture is read only inside itself)")) {
                try Self.read(root, file)
            }
        }
        // A "passwd" inside the tree is what such a link reads: never the host's.
        OutputMatrixTests.put("the tree's own\n", dir + "/etc/passwd", mode: 0o644)
        #expect(try Self.read(root, "sys/bus/pci/devices/0000:00:01.0/config") == "the tree's own\n")
        #expect(try Self.read(root, "sys/bus/pci/devices/0000:00:02.0/config") == "the tree's own\n")
        // ".." above the root stays at the root.
        #expect(try Self.read(root, "../../../../etc/passwd") == "the tree's own\n")
    }

    /// The sysfs method on such a tree: the escaping config files fail with
    /// the link named, nothing of /etc/passwd is decoded.
    @Test func aScanNeverReadsOutsideTheTree() throws {
        let dir = Self.tree()
        defer { Fixtures.remove(dir) }
        let real = dir + "/sys/devices/pci0000:00"
        unlink(real + "/0000:00:00.0/config")
        OutputMatrixTests.put("", real + "/0000:00:00.0/config", mode: 0o644)
        _ = Subprocess.output(["/bin/cp", Fixtures.tree("firecracker") + "/sys/bus/pci/devices/0000:00:00.0/config", real + "/0000:00:00.0/config"])
        let r = try CLITests.pcitime("scan", "--root", dir, "-n")
        #expect(r.status == 1)
        #expect(!r.out.contains("6f72") && !r.out.contains("726f"))
        let devices = dir + "/sys/bus/pci/devices"
        #expect(r.err.split(separator: "\n") == [
            "pcitime: error: 00:01.0: \(devices)/0000:00:01.0/config: a link leads to /etc/passwd, outside the captured tree: refused (a capture is read only inside itself)",
            "pcitime: error: 00:02.0: \(devices)/0000:00:02.0/config: a link leads to ../../../../../../../../../../etc/passwd, outside the captured tree: refused (a capture is read only inside itself)",
        ])
        // libpci opens files itself: a tree with a link out is refused before it runs.
        let libpci = try CLITests.pcitime("scan", "--root", dir, "--method", "libpci:linux-sysfs")
        #expect(libpci.status == 65)
        #expect(libpci.err.hasPrefix("pcitime: \(dir)/sys/bus/pci/devices/0000:00:01.0/config: a link leads to /etc/passwd, outside the captured tree: refused (libpci"))
    }

    /// Files are read with a bound, and only regular files are read.
    @Test func boundsAndKinds() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        OutputMatrixTests.put(String(repeating: "x", count: 5000), dir + "/big", mode: 0o644)
        #expect(mkfifo(dir + "/fifo", 0o644) == 0)
        let root = MachineRoot(dir)
        #expect(throws: PCITimeError.input(dir + "/big", "more than 4096 bytes: too large for a test file")) { try Self.read(root, "big") }
        #expect(throws: PCITimeError.input(dir + "/fifo", "not a regular file: a FIFO")) { try Self.read(root, "fifo") }
        #expect(try Self.read(root, "absent") == nil)
        #expect(throws: PCITimeError.missing(dir + "/absent", "no such file")) { try root.open("absent") }
        #expect(MachineRoot("/a/tree/").path == "/a/tree" && MachineRoot("/").isLive && !MachineRoot("/a").isLive)
    }
}
