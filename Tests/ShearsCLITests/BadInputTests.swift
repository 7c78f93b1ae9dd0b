import Foundation
import XCTest
import TestSupport

/// Untrusted files through the CLI: one line on stderr naming the file, a non-zero exit,
/// nothing executed, no output written.
final class BadInputTests: XCTestCase {
    func assertRefused(_ path: String, mentions: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let out = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("out.pkl").path
        let result = try CLI.run(["quantize", path, "-o", out])
        XCTAssertNotEqual(result.status, 0, file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(mentions), result.stderr, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "an output was written", file: file, line: line)
    }

    func testMaliciousPickleIsRefusedAndNothingRuns() throws {
        try? FileManager.default.removeItem(atPath: "/tmp/shears-pwned")
        let evil = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("checkpoints")).filter { $0.hasPrefix("evil") }
        XCTAssertEqual(evil.count, 4)
        for name in evil { try assertRefused(Fixtures.path("checkpoints/\(name)"), mentions: "refusing") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/shears-pwned"))
    }

    func testTruncatedEmptyAndRandomFiles() throws {
        let dir = try Fixtures.temporaryDirectory(for: self)
        let good = try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt"))
        var generator = SystemRandomNumberGenerator()
        let cases: [(String, Data)] = [
            ("truncated.pt", good.prefix(good.count / 2)),
            ("empty.pt", Data()),
            ("random.pt", Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })),
        ]
        for (name, data) in cases {
            let path = dir.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            try assertRefused(path, mentions: name)
        }
    }
}
