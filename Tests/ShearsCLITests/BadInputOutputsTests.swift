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

    /// Writes past `ulimit -f` (512-byte blocks): each case with the limit it runs under.
    static let pastFileLimit: [(blocks: Int, BadInputCase)] = [
        (50, BadInputCase("a blob past ulimit -f", mentions: ["out.pkl", "file too large"]) { _ in ["quantize", CaseFolder.student, "-o", "out.pkl"] }),
        (100, BadInputCase("a pruned model in new folders past ulimit -f", mentions: ["new/dir/out.pt", "file too large"]) { _ in
            ["prune", CaseFolder.student, "--amount", "0.5", "-o", "new/dir/out.pt"]
        }),
        (0, BadInputCase("a predictions CSV past ulimit -f 0", mentions: ["out.csv", "file too large"]) { folder in
            ["predict", CaseFolder.student, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32", "-o", "out.csv"]
        }),
        (0, BadInputCase("a report past ulimit -f 0", mentions: ["plots/", "file too large"]) { folder in
            ["report", try BadInputCase.reportResults(folder), "-o", "plots"]
        }),
    ]

    func testWritesPastTheFileSizeLimitFailInOneLineAndLeaveNothing() throws {
        for (blocks, badInput) in Self.pastFileLimit {
            try assertRefused([badInput], limits: RunLimits.badInput.files(blocks))
        }
    }
}
