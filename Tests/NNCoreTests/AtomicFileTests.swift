// Tests of AtomicFile and OutputFolder: what a write leaves (the file, nothing else), what
// it refuses before writing, and the stale temporaries it removes.

import Foundation
import XCTest
import TestSupport
@testable import NNCore

final class AtomicFileTests: XCTestCase {
    func testWriteLeavesOnlyTheFileAndCreatesItsFolders() throws {
        let folder = try Fixtures.temporaryDirectory(for: self).path
        try AtomicFile.write([1, 2, 3], to: "\(folder)/a/b/out.bin")
        try AtomicFile.write("replaced", to: "\(folder)/a/b/out.bin")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/a/b/out.bin", encoding: .utf8), "replaced")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/a/b"), ["out.bin"])
        XCTAssertEqual(TemporaryFiles.registered, [])
    }

    func testRefusesFoldersDevicesAndFilesInTheWayBeforeWriting() throws {
        let folder = try Fixtures.temporaryDirectory(for: self).path
        _ = FileManager.default.createFile(atPath: "\(folder)/file", contents: nil)
        mkfifo("\(folder)/fifo", 0o600)
        symlink("/dev/null", "\(folder)/null-link")
        let refused: [(String, String)] = [
            (folder, "Is a directory"), ("\(folder)/fifo", "FIFO"), ("/dev/full", "character device"),
            ("\(folder)/null-link", "character device"), ("\(folder)/file/new/out.pt", "is a file, not a folder"),
            ("", "name a file"), ("\(folder)/dir/", "name a file"),
        ]
        for (path, words) in refused {
            XCTAssertThrowsError(try AtomicFile.write([1], to: path), path) { error in
                XCTAssertTrue("\(error)".contains(words), "\(path): \(error)")
            }
        }
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder)), ["file", "fifo", "null-link"])
    }

    func testFailedWriteRemovesItsTemporaryAndTheFoldersItMade() throws {
        let folder = try Fixtures.temporaryDirectory(for: self).path
        // A name one byte short of NAME_MAX: the final name fits, the temporary's does not.
        let name = String(repeating: "n", count: 254)
        XCTAssertThrowsError(try AtomicFile.write([1], to: "\(folder)/new/deeper/\(name)")) { error in
            XCTAssertTrue("\(error)".contains("File name too long"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
    }

    func testWriteRemovesStaleTemporariesOfItsTarget() throws {
        let folder = try Fixtures.temporaryDirectory(for: self).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        let dead = process.processIdentifier
        for name in [".out.pt.\(dead).tmp", ".other.pt.\(dead).tmp", ".out.pt.\(getpid()).tmp"] {
            _ = FileManager.default.createFile(atPath: "\(folder)/\(name)", contents: Data([0]))
        }
        try AtomicFile.write([1], to: "\(folder)/out.pt")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder)), ["out.pt", ".other.pt.\(dead).tmp"])
    }

    func testMissingListsTheFoldersToMakeOutermostFirst() throws {
        let folder = try Fixtures.temporaryDirectory(for: self).path
        XCTAssertEqual(try OutputFolder.missing(for: "\(folder)/a/b/c.txt"), ["\(folder)/a", "\(folder)/a/b"])
        let made = try OutputFolder.create(for: "\(folder)/a/b/c.txt")
        XCTAssertEqual(made, ["\(folder)/a", "\(folder)/a/b"])
        _ = FileManager.default.createFile(atPath: "\(folder)/a/keep", contents: nil)
        OutputFolder.removeEmpty(made)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/a"), ["keep"])
    }
}
