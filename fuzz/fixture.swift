// libFuzzer target: the fixture loader. The input is a small archive that
// becomes a captured tree (as `pcitime capture` writes one) in a temporary
// folder; pcitime then reads it as `--root` does: the sysfs method's listing
// and config files, the walk and decode, the table and JSON, the ECAM
// sources (MCFG, /proc/iomem, dmesg.txt) and the kernel log.
// Built and run by scripts/fuzz; seeds are the real fixtures in this form.
//
// Archive: records of [kind: 1 byte][length: 2 bytes, little endian][bytes].
//   kind % 16:  0-7  config file of function k (one of `functions`)
//               8    sys/firmware/acpi/tables/MCFG
//               9    proc/iomem
//               10   dmesg.txt
//               11   a symbolic link as function (byte 0 % 8)'s config:
//                    to itself (a loop), to its own folder, to nowhere
//               12   function (byte 0 % 8)'s folder with no config file
//               13   a config that is a folder
//               14   an entry of any name in the devices folder
//               15   a config file that cannot be read (mode 000)
import Glibc
import Foundation
@testable import Enumerator
@testable import BootProfiler

let functions = ["0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:1f.0",
                 "0000:00:1f.3", "0000:01:00.0", "0000:02:00.0", "0000:00:03.0"]
let base = (ProcessInfo.processInfo.environment["PCITIME_FUZZ_TMP"] ?? "/tmp") + "/pcitime-fuzz-fixture-\(getpid())"
let names = Names(numeric: true)

func put(_ path: String, _ bytes: ArraySlice<UInt8>) {
    let dir = (path as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let b = Array(UnsafeBufferPointer(start: data, count: size))
    let fm = FileManager.default
    if fm.fileExists(atPath: base) {
        _ = chmodTree(base)
        try? fm.removeItem(atPath: base)
    }
    let devices = base + "/sys/bus/pci/devices"
    // The harness cannot go on without its scratch tree: stop with the reason.
    do { try fm.createDirectory(atPath: devices, withIntermediateDirectories: true) } catch { fatalError("\(devices): \(error)") }
    var i = 0
    while i + 3 <= b.count {
        let kind = Int(b[i] & 15), n = Int(b[i + 1]) | Int(b[i + 2]) << 8
        let body = b[(i + 3)..<min(i + 3 + n, b.count)]
        i += 3 + n
        let which = functions[Int(body.first ?? 0) % 8]
        switch kind {
        case 0...7: put(devices + "/" + functions[kind] + "/config", body)
        case 8: put(base + "/sys/firmware/acpi/tables/MCFG", body)
        case 9: put(base + "/proc/iomem", body)
        case 10: put(base + "/dmesg.txt", body)
        case 11:
            let dir = devices + "/" + which
            try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let target = [dir + "/config", dir, base + "/nowhere"][Int(body.dropFirst().first ?? 0) % 3]
            _ = symlink(target, dir + "/config")
        case 12: try? fm.createDirectory(atPath: devices + "/" + which, withIntermediateDirectories: true)
        case 13: try? fm.createDirectory(atPath: devices + "/" + which + "/config", withIntermediateDirectories: true)
        case 14:
            let name = String(decoding: body.filter { $0 != 0x2f && $0 != 0 }.prefix(64), as: UTF8.self)
            if !name.isEmpty && name != "." && name != ".." { try? fm.createDirectory(atPath: devices + "/" + name, withIntermediateDirectories: true) }
        default:
            put(devices + "/" + which + "/config", body.dropFirst())
            chmod(devices + "/" + which + "/config", 0)
        }
    }
    let options = MethodOptions(root: base)
    if let r = try? Scanner.scan(method: "sysfs", options: options, timer: AccessTimer(source: .clockMonotonic)) {
        _ = ScanTable.render(r, names: names)
        _ = ScanTree.render(r.walk.functions)
        _ = ScanJSON(r, names: names).encoded()
    }
    if let report = try? MCFGReport(options: options) { _ = report.render() }
    _ = try? KernelLog.profile(root: base)
    return 0
}

func chmodTree(_ path: String) -> Bool {
    guard let e = FileManager.default.enumerator(atPath: path) else { return false }
    while let p = e.nextObject() as? String { chmod(path + "/" + p, 0o755) }
    return true
}
