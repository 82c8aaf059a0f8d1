import Foundation
import Testing
@testable import Enumerator

/// Every command's `--json` on every capture (and this machine) against its
/// schema under docs/schema/, with scripts/validate-json (python3-jsonschema).
@Suite struct JSONSchemaTests {
    static let trees = ["firecracker", "qemu-microvm", "qemu-pc", "qemu-q35", "qemu-q35-wide"]

    /// A python3 that has jsonschema, or nil (the tests then say they skipped).
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { p in
        FileContents.bytes(p) != nil && ((try? CLITests.run(p, ["-c", "import jsonschema"]))?.status == 0)
    }

    /// `pcitime ARGS | validate-json SCHEMA`: nil when python3-jsonschema is absent.
    static func validate(_ args: [String], schema: String) throws -> CLITests.Run? {
        guard let python else { return nil }
        let quoted = args.map { "'\($0)'" }.joined(separator: " ")
        let script = "set -o pipefail; '\(CLITests.binary)' \(quoted) | '\(python)' '\(Fixtures.repo)/scripts/validate-json' '\(Fixtures.repo)/docs/schema/\(schema).json'"
        return try CLITests.run("/bin/bash", ["-c", script])
    }

    static func check(_ args: [String], _ schema: String) throws {
        guard let r = try validate(args, schema: schema) else {
            print("skipped: no python3 with jsonschema (Debian: python3-jsonschema); \(args.joined(separator: " ")) not validated")
            return
        }
        #expect(r.status == 0, "pcitime \(args.joined(separator: " ")) against \(schema): \(r.out)\(r.err)")
    }

    @Test(arguments: trees) func everyCommandOnEveryCapture(_ tree: String) throws {
        let root = ["--root", Fixtures.tree(tree)]
        try Self.check(["scan", "--json"] + root, "pcitime-scan-3")
        try Self.check(["scan", "--json", "-n", "--repeat", "2"] + root, "pcitime-scan-3")
        try Self.check(["methods", "--json"] + root, "pcitime-methods-1")
        // QEMU pc has no ECAM: mcfg exits 69. (compare runs on the machine itself only: thisMachine.)
        if tree != "qemu-pc" {
            try Self.check(["mcfg", "--json"] + root, "pcitime-mcfg-1")
        }
    }

    @Test(arguments: ["q35-rescan", "q35-rescan-bridge"]) func traceOfEverySavedTrace(_ name: String) throws {
        try Self.check(["trace", "--from", Fixtures.trace("\(name).trace"), "--json"], "pcitime-trace-2")
        try Self.check(["boot", "--root", Fixtures.tree("qemu-q35"), "--trace", Fixtures.trace("\(name).trace"), "--json"], "pcitime-boot-3")
    }

    @Test(arguments: trees) func bootOfEveryCapture(_ tree: String) throws {
        try Self.check(["boot", "--root", Fixtures.tree(tree), "--json"], "pcitime-boot-3")
    }

    /// The boot census from each saved function and function_graph trace
    /// of every kernel (with the arguments where the kernel records them).
    @Test(arguments: ["5.10", "6.1", "6.12", "7"].flatMap { k in ["microvm", "pc", "q35", "q35-switch", "q35-wide"].map { (k, $0) } })
    func bootCensusOfEveryFtrace(_ t: (kernel: String, topology: String)) throws {
        let dir = Fixtures.repo + "/fixtures/ftrace/\(t.kernel)/\(t.topology)/"
        let trace = FileManager.default.fileExists(atPath: dir + "function/snapshot") ? "snapshot" : "trace"
        for args in FileManager.default.fileExists(atPath: dir + "function-args") ? ["", "-args"] : [""] {
            try Self.check(["boot", "--dmesg", dir + "function\(args)/dmesg.txt", "--ftrace", dir + "function\(args)/\(trace)",
                            "--ftrace", dir + "function_graph\(args)/\(trace)", "--json", "--no-measure"], "pcitime-boot-3")
        }
    }

    @Test func thisMachine() throws {
        try Self.check(["scan", "--json"], "pcitime-scan-3")
        try Self.check(["methods", "--json"], "pcitime-methods-1")
        try Self.check(["mcfg", "--json"], "pcitime-mcfg-1")
        try Self.check(["boot", "--json"], "pcitime-boot-3")
        try Self.check(["compare", "pio", "mmio", "--samples", "20", "--warmup", "2", "--json"], "pcitime-compare-3")
        try Self.check(["compare", "sysfs-base", "sysfs-ext", "--samples", "3", "--warmup", "0", "--accesses", "100", "--json", "--raw-samples"], "pcitime-compare-3")
        try Self.check(["compare", "sysfs", "sysfs-base", "libpci:linux-sysfs", "--samples", "3", "--warmup", "0", "--json"], "pcitime-compare-3")
    }

    /// The validator rejects what the convention forbids: a camelCase key, a
    /// decimal ID, an integer beyond 2^53 (so a passing run means something).
    @Test func rejectsWhatTheConventionForbids() throws {
        guard let python = Self.python else {
            print("skipped: no python3 with jsonschema (Debian: python3-jsonschema)")
            return
        }
        let schema = Fixtures.repo + "/docs/schema/pcitime-methods-1.json"
        for bad in [#"{"schema":"pcitime-methods/1","root":"/","methods":[],"autoPick":1}"#,
                    #"{"schema":"pcitime-methods/1","root":"/","methods":[{"name":"pio","available":false,"reason":"x","exit_code":69,"seed":9007199254740993}]}"#] {
            let r = try CLITests.run("/bin/bash", ["-c", "printf '%s' '\(bad)' | '\(python)' '\(Fixtures.repo)/scripts/validate-json' '\(schema)'"])
            #expect(r.status == 1, "accepted: \(bad)")
        }
        let scan = try CLITests.pcitime("scan", "--json", "--root", Fixtures.tree("firecracker")).out
        let decimal = scan.replacing("\"vendor_id\" : \"8086\"", with: "\"vendor_id\" : \"32902\"")
        #expect(decimal != scan)
        let scratch = Fixtures.scratch()
        defer { Fixtures.remove(scratch) }
        let path = scratch + "/decimal.json"
        try OutputFile.write(decimal, to: path)
        let r = try CLITests.run("/bin/bash", ["-c", "'\(python)' '\(Fixtures.repo)/scripts/validate-json' '\(Fixtures.repo)/docs/schema/pcitime-scan-3.json' < '\(path)'"])
        #expect(r.status == 1 && r.out.contains("vendor_id"))

        // boot/2: a figure as a {value, unit} object, or a unit spelled out in a key.
        let boot = try CLITests.pcitime("boot", "--root", Fixtures.tree("qemu-q35"), "--json").out
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        for (from, to) in [("\"kernel_boot_us\" : ", "\"kernel_boot\" : {\"unit\": \"us\"}, \"x\" : "), ("\"window_us\"", "\"window_microseconds\"")] {
            let bad = boot.replacing(from, with: to)
            #expect(bad != boot, "\(from) not in boot --json")
            try OutputFile.write(bad, to: dir + "/boot.json")
            let b = try CLITests.run("/bin/bash", ["-c", "'\(python)' '\(Fixtures.repo)/scripts/validate-json' '\(Fixtures.repo)/docs/schema/pcitime-boot-2.json' < '\(dir)/boot.json'"])
            #expect(b.status == 1, "accepted: \(to)")
        }
    }
}
