// Tests of TemporaryFiles: the registry of live temporaries and the removal of stale ones
// (the signal handler itself is exercised through the CLI in InterruptedOutputTests).

import Foundation
import XCTest
import TestSupport
@testable import NNCore

final class TemporaryFilesTests: XCTestCase {
    /// The pid of a process that has exited and been reaped.
    func deadPid() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    func testParseAcceptsOnlyShearsNames() {
        XCTAssertEqual(TemporaryFiles.parse(".model.pt.4242.tmp")?.stem, "model.pt")
        XCTAssertEqual(TemporaryFiles.parse(".model.pt.4242.tmp")?.pid, 4242)
        XCTAssertEqual(TemporaryFiles.parse("..chart.7.gp.4242.tmp")?.stem, ".chart.7.gp")
        XCTAssertEqual(TemporaryFiles.parse(".accuracy-vs-ratio.17.png")?.ext, "png")
        for name in ["model.pt.4242.tmp", ".model.pt.04242.tmp", ".model.pt.0.tmp", ".model.pt.42a.tmp", "..4242.tmp",
                     ".model.pt.4242.", ".4242.tmp", ".model.pt.99999999999.tmp", ".model.pt.-4.tmp", ".model.pt.٤٢.tmp"] {
            XCTAssertNil(TemporaryFiles.parse(name), name)
        }
    }

    func testRemoveStaleRemovesOnlyDeadProcessesTemporariesOfTheTarget() throws {
        let folder = try Fixtures.temporaryDirectory(for: self).path
        let dead = try deadPid()
        let stale = [".model.pt.\(dead).tmp"]
        let kept = [".model.pt.\(getpid()).tmp", ".model.pt.1.tmp", ".other.pt.\(dead).tmp", ".model.pt.\(dead).png",
                    "model.pt.\(dead).tmp", ".model.pt.0\(dead).tmp", "model.pt"]
        for name in stale + kept { _ = FileManager.default.createFile(atPath: "\(folder)/\(name)", contents: Data([1])) }
        try FileManager.default.createDirectory(atPath: "\(folder)/.dir.pt.\(dead).tmp", withIntermediateDirectories: false)
        symlink("\(folder)/model.pt", "\(folder)/.link.pt.\(dead).tmp")

        TemporaryFiles.removeStale(in: folder, stems: ["model.pt", "dir.pt", "link.pt"], extensions: ["tmp"])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        XCTAssertEqual(left, Set(kept + [".dir.pt.\(dead).tmp", ".link.pt.\(dead).tmp"]), "only regular files of dead pids go")

        TemporaryFiles.removeStale(in: folder, extensions: ["tmp"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/.other.pt.\(dead).tmp"), "any stem when none is named")
        TemporaryFiles.removeStale(in: "\(folder)/missing", extensions: ["tmp"])
    }

    func testRegistrationsAreListedUntilReleased() {
        let first = TemporaryFiles.register("/nonexistent/.a.\(getpid()).tmp")
        let second = TemporaryFiles.register("/nonexistent/.b.\(getpid()).tmp")
        XCTAssertTrue(Set(TemporaryFiles.registered).isSuperset(of: [first.path, second.path]))
        first.release()
        second.remove()
        XCTAssertTrue(Set(TemporaryFiles.registered).isDisjoint(with: [first.path, second.path]))
    }

    func testPastCapacityAndPathMaxTemporariesAreWrittenUnregistered() {
        let long = TemporaryFiles.register("/" + String(repeating: "x", count: TemporaryFiles.slotBytes))
        XCTAssertFalse(TemporaryFiles.registered.contains(long.path))
        long.release()
        let many = (0..<(TemporaryFiles.capacity + 3)).map { TemporaryFiles.register("/nonexistent/.\($0).1.tmp") }
        XCTAssertEqual(TemporaryFiles.registered.count, TemporaryFiles.capacity)
        many.forEach { $0.release() }
        XCTAssertEqual(TemporaryFiles.registered, [])
    }
}
