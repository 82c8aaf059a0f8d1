/// Paths as text: joining under a root and splitting off the last name.
extension String {
    /// `root` joined with a path relative to it; "/" + "proc/iomem" = "/proc/iomem".
    func appendingPath(_ relative: String) -> String {
        hasSuffix("/") ? self + relative : self + "/" + relative
    }
}

extension StringProtocol {
    /// The folder holding a path's last component ("/" for "/x", nil for a
    /// bare name) and that component.
    var folderAndName: (folder: String?, name: String) {
        guard let slash = lastIndex(of: "/") else { return (nil, String(self)) }
        return (slash == startIndex ? "/" : String(self[..<slash]), String(self[index(after: slash)...]))
    }
}
