// Fixtures: where committed test fixtures live and how to read their raw arrays.
// Fixtures are written by the scripts in scripts/fixtures/ with the real PyTorch;
// arrays are raw little-endian files (.f32 float32, .i64 int64, .u8 bytes) whose
// shapes sit in a JSON manifest beside them.

import Foundation
import XCTest

public enum Fixtures {
    /// `Tests/Fixtures` in the repository.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The repository root.
    public static let repositoryRoot: URL = root.deletingLastPathComponent().deletingLastPathComponent()

    /// Absolute path of `relative` under `Tests/Fixtures`.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The bytes of a fixture file; fails the test (and throws) when it is missing.
    public static func bytes(_ relative: String) throws -> [UInt8] {
        let url = root.appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FixtureError.missing(url.path)
        }
        return [UInt8](data)
    }

    /// A raw little-endian float32 array.
    public static func float32(_ relative: String) throws -> [Float] {
        let raw = try bytes(relative)
        return stride(from: 0, to: raw.count - 3, by: 4).map { i in
            Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24)
        }
    }

    /// A raw little-endian int64 array.
    public static func int64(_ relative: String) throws -> [Int64] {
        let raw = try bytes(relative)
        return stride(from: 0, to: raw.count - 7, by: 8).map { i in
            (0..<8).reduce(Int64(0)) { $0 | Int64(raw[i + $1]) << Int64(8 * $1) }
        }
    }

    /// A JSON fixture decoded as `T`.
    public static func json<T: Decodable>(_ relative: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(try bytes(relative)))
    }

    /// A fresh, empty temporary directory for one test; removed at the end of the test.
    public static func temporaryDirectory(for testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("shears-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

public enum FixtureError: Error, CustomStringConvertible {
    case missing(String)
    public var description: String {
        switch self {
        case .missing(let path): return "fixture missing: \(path) (run scripts/make-fixtures)"
        }
    }
}
