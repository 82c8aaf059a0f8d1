//===----------------------------------------------------------------------===//
//
// This source file is part of the Swift Argument Parser open source project
//
// Copyright (c) 2025 Apple Inc. and the Swift project authors
// Licensed under Apache License v2.0 with Runtime Library Exception
//
// See https://swift.org/LICENSE.txt for license information
//
//===----------------------------------------------------------------------===//

// pcitime patch (see PATCHES.md): this copy imports no Foundation. Upstream
// links FoundationEssentials here for `LocalizedError` and `JSONEncoder`, and
// with them TimeZone, Calendar and the regex engine: about 6 MB of a static
// binary and a third of the protocol conformance records that every
// `as?` cast at start-up searches.

extension Error {
  func describe() -> String {
    String(describing: self)
  }
}

/// Writes `--experimental-dump-help`'s document. The root command supplies
/// the JSON encoder (pretty-printed, keys sorted, as upstream writes it).
public protocol ToolInfoJSONEncoding {
  static func toolInfoJSON<T: Encodable>(_ value: T) -> String
}
