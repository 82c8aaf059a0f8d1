import Enumerator

/// initcall_debug's "calling" and "initcall ... returned" pairs.
extension BootProfileBuilder {
    /// `NAME+0x0/0x1b0 [module] @ 1`
    static func symbol(_ s: ByteLine) -> (name: String, module: String?)? {
        guard let plus = s.firstIndex(of: 0x2B), plus > 0 else { return nil }
        let name = s.prefix(plus).string
        var module: String?
        if let open = s.firstIndex(of: 0x5B, from: plus), let close = s.firstIndex(of: 0x5D, from: open),
           s.firstIndex(of: 0x20, from: plus).map({ $0 + 1 == open }) ?? false {
            module = s.dropFirst(open + 1).prefix(close - open - 1).string
        }
        return (name, module)
    }

    mutating func callingLine(_ t: UInt64, _ s: ByteLine) {
        guard let (name, _) = Self.symbol(s) else { return }
        if pendingCalls.count < InitcallLimits.pending { pendingCalls[name] = t }
    }

    mutating func initcallLine(_ t: UInt64, _ s: ByteLine) {
        guard let (name, module) = Self.symbol(s), let ret = s.firstRange(of: " returned "),
              let after = s.firstRange(of: " after ", from: ret),
              let (usecs, end) = s.decimalValue(at: after + 7), s.dropFirst(end).hasPrefix(" usecs"),
              usecs < 1 << 40 else { return }  // 12 days: beyond is garbage, and sums never overflow
        var result = 0
        let rs = s.dropFirst(ret + 10)
        if let (v, _) = rs.decimalValue(at: rs.hasPrefix("-") ? 1 : 0) { result = rs.hasPrefix("-") ? -Int(clamping: v) : Int(clamping: v) }
        let start = pendingCalls.removeValue(forKey: name)
        if start == nil { profile.initcalls.unpaired += 1 }
        let call = Initcall(name: name, module: module, start: start, end: t, microseconds: usecs, result: result)
        profile.initcalls.count += 1
        profile.initcalls.totalMicroseconds += usecs
        if Self.isPCIRelated(name) && profile.initcalls.pci.count < InitcallLimits.pci { profile.initcalls.pci.append(call) }
        var longest = profile.initcalls.longest
        if longest.count < InitcallLimits.longest || call.duration > longest[longest.count - 1].duration {
            longest.append(call)
            longest.sort { $0.duration > $1.duration }
            if longest.count > InitcallLimits.longest { longest.removeLast() }
            profile.initcalls.longest = longest
        }
    }

    /// Bytes, case-insensitive (ASCII): Foundation's `lowercased()` and
    /// `contains` here cost three quarters of parsing an initcall_debug log.
    static func isPCIRelated(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { n in pciWords.contains { containsLowercased(n, $0) } }
    }

    static let pciWords: [[UInt8]] = ["pci", "virtio", "nvme", "e1000", "ahci", "xhci", "acpi_init"].map { Array($0.utf8) }

    /// Whether `word` (lowercase ASCII) occurs in `text` with ASCII letters folded to lowercase.
    static func containsLowercased(_ text: UnsafeBufferPointer<UInt8>, _ word: [UInt8]) -> Bool {
        guard word.count <= text.count else { return false }
        for start in 0...(text.count - word.count) {
            var j = 0
            while j < word.count {
                var c = text[start + j]
                if c >= 0x41 && c <= 0x5A { c |= 0x20 }
                if c != word[j] { break }
                j += 1
            }
            if j == word.count { return true }
        }
        return false
    }
}
