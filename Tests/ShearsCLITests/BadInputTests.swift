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

}

extension XCTestCase {
    /// Runs each case through the CLI under `limits` (`ulimit -v`, a time limit; by default
    /// `RunLimits.badInput`)
    /// and checks what every refusal must be: exit 1, no signal, no time-out, one stderr line
    /// naming what the case `mentions`, no control character on stderr, nothing left behind
    /// in the case's folder, and the folder's marker file (which hostile payloads `touch`)
    /// never created.
    func assertRefused(_ cases: [BadInputCase], limits: RunLimits = .badInput, file: StaticString = #filePath, line: UInt = #line) throws {
        for badInput in cases {
            let folder = CaseFolder(url: try Fixtures.temporaryDirectory(for: self))
            let arguments = try badInput.arguments(folder)
            let before = folder.listing()
            let result = try CLI.run(arguments, in: folder.url, limits: limits)
            let context = "\(badInput.name): shears \(arguments.joined(separator: " ").prefix(300))\n\(result.stderr.prefix(2000))"
            XCTAssertFalse(result.crashed, context, file: file, line: line)
            XCTAssertFalse(result.timedOut, "timed out: \(context)", file: file, line: line)
            XCTAssertEqual(result.status, 1, context, file: file, line: line)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, context, file: file, line: line)
            XCTAssertFalse(result.stderr.dropLast().unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
                           "a control character on stderr: \(context)", file: file, line: line)
            for word in badInput.mentions {
                XCTAssertTrue(result.stderr.localizedCaseInsensitiveContains(word), "no '\(word)' in the error of \(context)", file: file, line: line)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.marker), "a command ran: \(context)", file: file, line: line)
            XCTAssertEqual(folder.listing().subtracting(before).sorted(), [], "left behind by \(context)", file: file, line: line)
        }
    }
}
