// BadInputOutputsTests: failed runs leave no output, unwritable outputs are refused, and a
// write that fails part-way (past `ulimit -f`: EFBIG) is one line naming the file, with
// the temporary and the folders the run made removed.

import Foundation
import XCTest
import TestSupport

final class BadInputOutputsTests: XCTestCase {
    func testFailingRunsLeaveNoOutput() throws {
        try assertRefused(BadInputCase.outputsOfFailingRuns)
    }

    func testUnwritableOutputsAreRefused() throws {
        try assertRefused(BadInputCase.failingWrites)
    }

    /// `ulimit -f` in 512-byte blocks, then the arguments: each write goes past the limit.
    static let pastFileLimit: [(name: String, blocks: Int, mentions: [String], arguments: (CaseFolder) throws -> [String])] = [
        ("a blob past ulimit -f", 50, ["out.pkl", "file too large"], { _ in ["quantize", CaseFolder.student, "-o", "out.pkl"] }),
        ("a pruned model in new folders past ulimit -f", 100, ["new/dir/out.pt", "file too large"], { _ in
            ["prune", CaseFolder.student, "--amount", "0.5", "-o", "new/dir/out.pt"]
        }),
        ("a predictions CSV past ulimit -f 0", 0, ["out.csv", "file too large"], { folder in
            ["predict", CaseFolder.student, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32", "-o", "out.csv"]
        }),
        ("a report past ulimit -f 0", 0, ["plots/", "file too large"], { folder in
            ["report", try BadInputCase.reportResults(folder), "-o", "plots"]
        }),
    ]

    func testWritesPastTheFileSizeLimitFailInOneLineAndLeaveNothing() throws {
        for (name, blocks, mentions, arguments) in Self.pastFileLimit {
            let folder = CaseFolder(url: try Fixtures.temporaryDirectory(for: self))
            let args = try arguments(folder)
            let before = folder.listing()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -f \(blocks) && exec \"$0\" \"$@\"", CLI.executable.path] + args
            process.currentDirectoryURL = folder.url
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let context = "\(name): \(stderr)"
            XCTAssertEqual(process.terminationReason, .exit, "killed by a signal (SIGXFSZ not ignored?): \(context)")
            XCTAssertEqual(process.terminationStatus, 1, context)
            XCTAssertEqual(stderr.split(separator: "\n").count, 1, context)
            for word in mentions { XCTAssertTrue(stderr.localizedCaseInsensitiveContains(word), "no '\(word)' in \(context)") }
            XCTAssertEqual(folder.listing().subtracting(before).sorted(), [], "left behind by \(context)")
        }
    }
}
