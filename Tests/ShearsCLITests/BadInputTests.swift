import Foundation
import XCTest
import TestSupport

/// Bad input as a new user (or an attacker) would give it, through the CLI: each case exits
/// non-zero without crashing, prints one line on stderr naming the file and the problem,
/// runs nothing from the file and leaves nothing behind (no output, no temporary file).
final class BadInputTests: XCTestCase {
    func testHostileCheckpoints() throws {
        try? FileManager.default.removeItem(atPath: "/tmp/shears-pwned")
        try assertRefused(BadInputCase.maliciousPickles + BadInputCase.deepPickles + BadInputCase.hugeDeclarations + BadInputCase.brokenFiles)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/shears-pwned"), "a pickle ran code")
    }

    func testBadImagesAndFolders() throws {
        try assertRefused(BadInputCase.badImages + BadInputCase.badFolders)
    }

    func testBadOptionsAndUnwritableOutputs() throws {
        try assertRefused(BadInputCase.badOptions + BadInputCase.unwritableOutputs)
    }

    func testTheTableHasAtLeastFortyCases() {
        let groups = [BadInputCase.maliciousPickles, BadInputCase.deepPickles, BadInputCase.hugeDeclarations, BadInputCase.brokenFiles,
                      BadInputCase.badImages, BadInputCase.badFolders, BadInputCase.badOptions, BadInputCase.unwritableOutputs]
        XCTAssertGreaterThanOrEqual(groups.joined().count, 40)
    }

    private func assertRefused(_ cases: [BadInputCase]) throws {
        for badInput in cases {
            let folder = CaseFolder(url: try Fixtures.temporaryDirectory(for: self))
            let arguments = try badInput.arguments(folder)
            let before = folder.listing()
            let result = try CLI.run(arguments, in: folder.url)
            let context = "\(badInput.name): shears \(arguments.joined(separator: " "))\n\(result.stderr)"
            XCTAssertFalse(result.crashed, context)
            XCTAssertNotEqual(result.status, 0, context)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, context)
            for word in badInput.mentions {
                XCTAssertTrue(result.stderr.localizedCaseInsensitiveContains(word), "no '\(word)' in the error of \(context)")
            }
            XCTAssertEqual(folder.listing().subtracting(before).sorted(), [], "left behind by \(context)")
        }
    }
}
