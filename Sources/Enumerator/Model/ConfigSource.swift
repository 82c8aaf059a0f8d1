/// Where the decoder gets config dwords: through the access layer (counted and
/// timed, each dword read once) or from bytes already in memory (tests, fuzzing).
package protocol ConfigSource {
    /// Bytes of config space that can be read (64 for unprivileged sysfs readers).
    var size: Int { get }
    func dword(_ offset: Int) throws -> UInt32
}

extension ConfigSource {
    func word(_ offset: Int) throws -> UInt16 { UInt16(truncatingIfNeeded: try dword(offset & ~3) >> ((offset & 2) * 8)) }
    func byte(_ offset: Int) throws -> UInt8 { UInt8(truncatingIfNeeded: try dword(offset & ~3) >> ((offset & 3) * 8)) }
}

/// Reads a function through the access layer, one dword access per register,
/// each at most once per pass.
package final class LayerSource: ConfigSource {
    let layer: AccessLayer
    let handle: FunctionHandle
    private var cache: [Int: UInt32] = [:]
    package var size: Int { handle.window.upperBound }

    /// A function whose vendor/device dword `AccessLayer.probe` already read.
    init(_ layer: AccessLayer, probed handle: FunctionHandle, id: UInt32) {
        self.layer = layer
        self.handle = handle
        cache[0] = id
    }

    package func dword(_ offset: Int) throws -> UInt32 {
        if let v = cache[offset] { return v }
        let v = try layer.read(handle, offset: offset, width: .dword)
        cache[offset] = v
        return v
    }
}

/// A config space image: a captured `config` file, or a fuzzer's input.
package struct BytesSource: ConfigSource {
    package let bytes: [UInt8]
    package init(_ bytes: [UInt8]) { self.bytes = bytes }
    package var size: Int { bytes.count & ~3 }
    package func dword(_ offset: Int) throws -> UInt32 {
        guard offset >= 0, offset + 4 <= size else {
            throw PCITimeError.input("config", "read at \(hex(offset, 3)) beyond the \(bytes.count) bytes of config space")
        }
        return le32(bytes, offset)
    }
}
