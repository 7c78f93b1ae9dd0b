// CheckpointFixtures: the manifest of Tests/Fixtures/checkpoints (written by
// scripts/fixtures/checkpoints.py with torch.save) and a bit-for-bit comparison of a loaded
// state dict against torch's values.

import Foundation
import TestSupport
import XCTest
import NNCore
@testable import NNTorchIO

struct CheckpointManifest: Decodable {
    struct Expected: Decodable {
        let key: String
        let shape: [Int]
        /// torch's dtype name (`float32`, `int64`, ...).
        let dtype: String
        /// `.f32` (floating types, via `t.float()`) or `.i64` (integers and bool, via `t.long()`).
        let file: String
    }
    struct Entry: Decodable {
        let file: String
        /// The key of `sets` this checkpoint loads as.
        let set: String
    }
    /// Ordered expected state dicts.
    let sets: [String: [Expected]]
    let checkpoints: [Entry]
    struct Failure: Decodable {
        let file: String
        /// A fragment of the expected message.
        let message: String
    }
    /// Files that must fail with `NNError.unsupported`.
    let unsupported: [Failure]
    /// Files whose pickles must be refused.
    let refused: [String]
    /// The file the malicious pickles would create.
    let pwnedPath: String

    static func load() throws -> CheckpointManifest {
        try Fixtures.json("checkpoints/manifest.json")
    }

    static func path(_ file: String) -> String { Fixtures.path("checkpoints/\(file)") }
}

/// Asserts `dict` has exactly the expected keys, in order, with torch's shapes, dtypes and bits.
func assertBitIdentical(_ dict: StateDict, _ expected: [CheckpointManifest.Expected], _ label: String,
                        file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(dict.keys, expected.map(\.key), "\(label): keys", file: file, line: line)
    for entry in expected {
        guard let stored = dict[entry.key] else { continue }
        XCTAssertEqual(stored.shape, entry.shape, "\(label): shape of \(entry.key)", file: file, line: line)
        XCTAssertEqual(stored.dtype.rawValue, entry.dtype, "\(label): dtype of \(entry.key)", file: file, line: line)
        switch stored {
        case .float(let tensor, _):
            let want = try Fixtures.float32("checkpoints/\(entry.file)").map(\.bitPattern)
            XCTAssertEqual(tensor.scalars.map(\.bitPattern), want, "\(label): bits of \(entry.key)", file: file, line: line)
        case .integer(let tensor, _):
            let want = try Fixtures.int64("checkpoints/\(entry.file)")
            XCTAssertEqual(tensor.scalars, want, "\(label): values of \(entry.key)", file: file, line: line)
        }
    }
}
