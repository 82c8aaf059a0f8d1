import Enumerator

/// The text forms of the kernel log the profiler reads.
package enum LogFormat: String, Codable, Sendable, CaseIterable {
    case dmesg = "dmesg"                                   // [    0.173205] msg
    case dmesgDecoded = "dmesg -x"                         // kern  :info  : [    0.173205] msg
    case dmesgRaw = "dmesg -r"                             // <6>[    0.173205] msg
    case kmsg = "/dev/kmsg"                                // 6,339,173205,-;msg
    case journal = "journalctl -k -o short-monotonic"      // [    0.173205] host kernel: msg
}

/// One decoded line: its timestamp in microseconds since boot (nil when the
/// line has none) and the message after every prefix.
struct LogRecord {
    enum Kind { case timed, untimed, continuation, meta }
    var kind: Kind
    var time: UInt64
    var message: ByteLine
    var format: LogFormat?

    /// Decodes any supported form; `previousWasKmsg` lets `/dev/kmsg`
    /// dictionary lines (` SUBSYSTEM=pci`) be told from indented text, and
    /// `allowJournal` is cleared once a log's first line shows it is not
    /// journalctl output (so a message starting `word kernel: ` stays whole).
    static func decode(_ raw: ByteLine, previousWasKmsg: Bool, allowJournal: Bool = true) -> LogRecord {
        var line = raw
        guard !line.isEmpty else { return LogRecord(kind: .meta, time: 0, message: line, format: nil) }
        let c0 = line[0]
        if c0 == 0x20 || c0 == 0x09 {
            return LogRecord(kind: previousWasKmsg ? .continuation : .untimed, time: 0, message: line.trimmingLeadingBlanks(), format: nil)
        }
        if c0 >= 0x30 && c0 <= 0x39, let r = decodeKmsg(line) { return r }
        if line.hasPrefix("-- ") { return LogRecord(kind: .meta, time: 0, message: line, format: .journal) }
        var format = LogFormat.dmesg
        if c0 == 0x3C, let close = line.firstIndex(of: 0x3E), close <= 5 {        // <6>
            line = line.dropFirst(close + 1)
            format = .dmesgRaw
        } else if c0 >= 0x61 && c0 <= 0x7A, let rest = stripFacilityLevel(line) { // kern  :info  :
            line = rest
            format = .dmesgDecoded
        }
        guard let (time, after) = timestamp(line) else {
            return LogRecord(kind: .untimed, time: 0, message: line, format: nil)
        }
        var message = line.dropFirst(after)
        message = skipCaller(message)
        if format == .dmesg, allowJournal, let rest = stripJournalHost(message) {
            message = rest
            format = .journal
        }
        return LogRecord(kind: .timed, time: time, message: message, format: format)
    }

    /// `PRI,SEQ,USEC,FLAGS[,caller];message` as /dev/kmsg hands out records.
    static func decodeKmsg(_ line: ByteLine) -> LogRecord? {
        guard let semi = line.firstIndex(of: 0x3B), semi < 80 else { return nil }
        guard let c1 = line.firstIndex(of: 0x2C), c1 < semi,
              let c2 = line.firstIndex(of: 0x2C, from: c1 + 1), c2 < semi,
              let (usec, end) = line.decimalValue(at: c2 + 1), end < semi, line[end] == 0x2C
        else { return nil }
        return LogRecord(kind: .timed, time: usec, message: line.dropFirst(semi + 1), format: .kmsg)
    }

    /// `kern  :info  : ` (letters, blanks, colon, twice, then a blank).
    static func stripFacilityLevel(_ line: ByteLine) -> ByteLine? {
        var i = 0
        for _ in 0..<2 {
            let start = i
            while i < line.count && line[i] >= 0x61 && line[i] <= 0x7A { i += 1 }
            guard i > start else { return nil }
            while i < line.count && line[i] == 0x20 { i += 1 }
            guard i < line.count && line[i] == 0x3A else { return nil }
            i += 1
        }
        guard i < line.count && line[i] == 0x20 else { return nil }
        return line.dropFirst(i + 1)
    }

    /// `[    0.173205]` or `[12345.123456]`; returns microseconds and the
    /// index after `] `.
    static func timestamp(_ line: ByteLine) -> (UInt64, Int)? {
        guard line.count >= 4, line[0] == 0x5B else { return nil }
        var i = 1
        while i < line.count && line[i] == 0x20 { i += 1 }
        guard let (seconds, dot) = line.decimalValue(at: i), dot < line.count, line[dot] == 0x2E,
              let (fraction, close) = line.decimalValue(at: dot + 1), close < line.count, line[close] == 0x5D,
              seconds < 1 << 32  // 136 years: beyond is garbage, and sums of times never overflow
        else { return nil }
        var micros = fraction
        var digits = close - dot - 1
        while digits < 6 { micros *= 10; digits += 1 }
        while digits > 6 { micros /= 10; digits -= 1 }
        var after = close + 1
        if after < line.count && line[after] == 0x20 { after += 1 }
        return (seconds * 1_000_000 + micros, after)
    }

    /// CONFIG_PRINTK_CALLER adds `[    T1] ` or `[  C0] ` after the time.
    static func skipCaller(_ m: ByteLine) -> ByteLine {
        guard m.count > 3, m[0] == 0x5B else { return m }
        var i = 1
        while i < m.count && m[i] == 0x20 { i += 1 }
        guard i < m.count, m[i] == 0x54 || m[i] == 0x43,
              let (_, close) = m.decimalValue(at: i + 1), close < m.count, m[close] == 0x5D else { return m }
        var after = close + 1
        if after < m.count && m[after] == 0x20 { after += 1 }
        return m.dropFirst(after)
    }

    /// journalctl's `HOST kernel: ` between the time and the message.
    static func stripJournalHost(_ m: ByteLine) -> ByteLine? {
        guard let space = m.firstIndex(of: 0x20), space > 0, space < 65 else { return nil }
        let rest = m.dropFirst(space + 1)
        return rest.hasPrefix("kernel: ") ? rest.dropFirst(8) : nil
    }
}
