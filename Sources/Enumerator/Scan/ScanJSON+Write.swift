/// Writes `ScanJSON` with `JSONWriter`: byte for byte its Codable form
/// (`ScanJSON.encoder`, which `ScanJSON.decoder` reads back) and a newline,
/// one function at a time.
extension ScanJSON {
    /// Streams the document to `sink` in pieces of about 64 KiB.
    package func write(to sink: ([UInt8]) throws -> Void) rethrows {
        var w = JSONWriter()
        // Top-level members in sorted order, `functions` streamed in place.
        let before: [(String, JSONValue)] = [
            ("auto_passed_over", .array(autoPassedOver.map { .object([("method", .string($0.method)), ("reason", .string($0.reason))]) })),
            ("brute", .bool(brute)),
            ("empty_probe_reads", .int(emptyProbeReads)),
            ("failures", .array(failures.map { .object([("bdf", .string($0.bdf)), ("message", .string($0.message))]) })),
        ]
        let after: [(String, JSONValue)] = [
            ("method", .string(method)), ("method_summary", .string(methodSummary)), ("passes", .int(passes)),
            ("root", .string(root)), ("schema", .string(schema)),
            ("timer", .object([("source", .string(timer.source)), ("ticks_per_second", .double(timer.ticksPerSecond)),
                               ("overhead_ns", .double(timer.overheadNs)), ("overhead_subtracted", .bool(timer.overheadSubtracted))])),
            ("totals", totals.json),
            ("warnings", .array(warnings.map { .string($0) })),
        ] + (wholeWalk.map { [("whole_walk", $0.json)] } ?? [])
        w.bytes.append(UInt8(ascii: "{"))
        for (key, value) in before {
            w.member(key, indent: 1)
            w.write(value, indent: 1)
            w.bytes.append(UInt8(ascii: ","))
        }
        w.member("functions", indent: 1)
        if functions.isEmpty {
            w.empty("[", "]", 1)
        } else {
            w.bytes.append(UInt8(ascii: "["))
            for (i, f) in functions.enumerated() {
                if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
                w.newline(2)
                w.write(f.json, indent: 2)
                if w.bytes.count > 65536 { try w.flush(sink) }
            }
            w.newline(1)
            w.bytes.append(UInt8(ascii: "]"))
        }
        for (key, value) in after {
            w.bytes.append(UInt8(ascii: ","))
            w.member(key, indent: 1)
            w.write(value, indent: 1)
        }
        w.newline(0)
        w.bytes += Array("}\n".utf8)
        try w.flush(sink)
    }
}

extension ScanJSON.Totals {
    var json: JSONValue {
        .object([("functions", .int(functions)), ("reads", .int(reads)), ("writes", .int(writes)),
                 ("device_reads", .int(deviceReads)), ("empty_probe_reads", .int(emptyProbeReads)), ("latency_ns", latencyNs.json),
                 ("empty_probe_latency_ns", emptyProbeLatencyNs.json)])
    }
}

extension ScanJSON.Latency {
    var json: JSONValue {
        .object([("min", .uint(min)), ("p50", .uint(p50)), ("p90", .uint(p90)), ("p99", .uint(p99)), ("max", .uint(max)), ("samples", .uint(samples))])
    }
}

extension ScanJSON.Function {
    var json: JSONValue {
        var m: [(String, JSONValue)] = [
            ("bdf", .string(bdf)), ("vendor_id", .string(vendorId)), ("device_id", .string(deviceId)), ("class_id", .string(classId)),
            ("revision", .string(revision)), ("header_type", .int(headerType)), ("multifunction", .bool(multifunction)),
            ("bars", .array(bars.map { .object([("index", .int($0.index)), ("type", .string($0.type)), ("address", .string($0.address)),
                                                ("prefetchable", .bool($0.prefetchable))]) })),
            ("interrupt_pin", .int(interruptPin)), ("interrupt_line", .int(interruptLine)),
            ("capabilities", .array(capabilities.map { c in
                var cm: [(String, JSONValue)] = [("id", .string(c.id)), ("offset", .string(c.offset)), ("name", .string(c.name))]
                if let v = c.vectors { cm.append(("vectors", .int(v))) }
                if let v = c.is64Bit { cm.append(("is64_bit", .bool(v))) }
                if let v = c.enabled { cm.append(("enabled", .bool(v))) }
                if let v = c.virtioType { cm.append(("virtio_type", .int(v))) }
                return .object(cm)
            })),
            ("extended_capabilities", .array(extendedCapabilities.map {
                .object([("id", .string($0.id)), ("version", .int($0.version)), ("offset", .string($0.offset)), ("name", .string($0.name))])
            })),
            ("config_size", .int(configSize)), ("reads", .int(reads)), ("writes", .int(writes)),
            ("latency_ns", latencyNs.json), ("warnings", .array(warnings.map { .string($0) })),
        ]
        if let v = vendor { m.append(("vendor", .string(v))) }
        if let v = device { m.append(("device", .string(v))) }
        if let v = `class` { m.append(("class", .string(v))) }
        if let v = driver { m.append(("driver", .string(v))) }
        if let v = driverModule { m.append(("driver_module", .string(v))) }
        if let s = subsystem {
            var sm: [(String, JSONValue)] = [("vendor_id", .string(s.vendorId)), ("device_id", .string(s.deviceId))]
            if let n = s.name { sm.append(("name", .string(n))) }
            m.append(("subsystem", .object(sm)))
        }
        if let b = bridge {
            m.append(("bridge", .object([("primary", .int(Int(b.primary))), ("secondary", .int(Int(b.secondary))), ("subordinate", .int(Int(b.subordinate)))])))
        }
        if let p = pcie {
            var pm: [(String, JSONValue)] = [("version", .int(p.version)), ("port_type", .string(p.portType))]
            if let l = p.link {
                pm.append(("link", .object([("max_speed", .string(l.maxSpeed)), ("max_width", .int(l.maxWidth)),
                                            ("speed", .string(l.speed)), ("width", .int(l.width))])))
            }
            m.append(("pcie", .object(pm)))
        }
        return .object(m)
    }
}
