import Foundation
import XCTest
import TestSupport
@testable import Report

final class ResultsFileTests: XCTestCase {
    func testWriterAppendsResumesAndCutsATruncatedLine() throws {
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("sub/results.jsonl").path
        let first = ReportSamples.records[0], second = ReportSamples.records[1]
        do {
            let writer = try ResultsWriter(path: path)
            try writer.append(first)
        }
        // A killed writer leaves half a line.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"kind\":\"prune\",\"mod".utf8))
        try handle.close()
        XCTAssertEqual(try ResultsFile.read(path: path), [first], "a truncated last line is ignored")
        let writer = try ResultsWriter(path: path)
        XCTAssertEqual(writer.existingKeys, [first.key])
        try writer.append(second)
        XCTAssertEqual(try ResultsFile.read(path: path), [first, second])
    }

    func testASecondWriterOfTheSameFileIsRefusedUntilTheFirstCloses() throws {
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("results.jsonl").path
        var first: ResultsWriter? = try ResultsWriter(path: path)
        try first?.append(ReportSamples.records[0])
        XCTAssertThrowsError(try ResultsWriter(path: path)) { error in
            XCTAssertEqual(error as? ReportError, .locked(path: path))
            XCTAssertTrue("\(error)".hasPrefix(path + ": another run is writing"), "\(error)")
        }
        first = nil
        let second = try ResultsWriter(path: path)
        XCTAssertEqual(second.existingKeys, [ReportSamples.records[0].key])
    }

    func testMalformedLineNamesFileAndLine() throws {
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("bad.jsonl").path
        try "{\"kind\":\"prune\",\"model\":\"m\",\"method\":\"l1\",\"ratio\":0}\nnot json\n{}\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsFile.read(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path):2: not a result record (invalid JSON)")
        }
    }

    func testMergeKeepsTheLaterRecordInPlace() throws {
        let dir = try Fixtures.temporaryDirectory(for: self)
        var updated = ReportSamples.records[0]
        updated.accuracy = 0.5
        let encoder = JSONEncoder()
        func write(_ records: [ResultRecord], _ name: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            let text = try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let a = try write(Array(ReportSamples.records.prefix(2)), "a.jsonl"), b = try write([updated], "b.jsonl")
        XCTAssertEqual(try ResultsFile.read(paths: [a, b]), [updated, ReportSamples.records[1]])
    }

    func testTheWriterAppendsToTheFileInPlaceNeverReplacingIt() throws {
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("results.jsonl").path
        func inode() throws -> Int { try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int) }
        try ResultsWriter(path: path).append(ReportSamples.records[0])
        let first = try inode()
        try ResultsWriter(path: path).append(ReportSamples.records[1])
        XCTAssertEqual(try inode(), first, "a second run must open the file the first one locked, not a new one")
        XCTAssertEqual(try ResultsFile.read(path: path), Array(ReportSamples.records.prefix(2)))
    }

    func testAFIFOOrALinkToADeviceIsRefusedInOneLine() throws {
        let dir = try Fixtures.temporaryDirectory(for: self)
        let fifo = dir.appendingPathComponent("fifo.jsonl").path, device = dir.appendingPathComponent("full.jsonl").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        try FileManager.default.createSymbolicLink(atPath: device, withDestinationPath: "/dev/full")
        for (path, kind) in [(fifo, "a FIFO (named pipe)"), (device, "a character device")] {
            XCTAssertThrowsError(try ResultsWriter(path: path)) { error in
                XCTAssertEqual(error as? ReportError, .unwritable(path: path, reason: "\(kind), not a regular file", wayOut: .anotherOutput))
                XCTAssertEqual("\(error)", "\(path): cannot write: \(kind), not a regular file; give another path")
            }
            XCTAssertThrowsError(try ResultsFile.read(path: path)) { error in
                XCTAssertEqual("\(error)", "\(path): cannot read: \(kind), not a regular file")
            }
        }
    }

    /// `ulimit -f` in process: a write past it fails with EFBIG (SIGXFSZ ignored, as the CLI does).
    func testAFailedWriteIsOneLineAndLeavesNoHalfRecord() throws {
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("results.jsonl").path
        let writer = try ResultsWriter(path: path)
        try writer.append(ReportSamples.records[0])
        let firstLine = try String(contentsOfFile: path, encoding: .utf8)
        let previous = signal(SIGXFSZ, SIG_IGN)
        defer { signal(SIGXFSZ, previous) }
        let fileSize = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)
        var limit = rlimit()
        XCTAssertEqual(getrlimit(fileSize, &limit), 0)
        var small = limit
        small.rlim_cur = rlim_t(firstLine.utf8.count + 10)
        XCTAssertEqual(setrlimit(fileSize, &small), 0)
        XCTAssertThrowsError(try writer.append(ReportSamples.records[1])) { error in
            XCTAssertEqual("\(error)", "\(path): cannot write: File too large")
        }
        XCTAssertEqual(setrlimit(fileSize, &limit), 0)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), firstLine, "the 10 bytes that fit were cut off again")
        try writer.append(ReportSamples.records[1])
        XCTAssertEqual(try ResultsFile.read(path: path), Array(ReportSamples.records.prefix(2)))
    }

    /// Lines no record can come from: each is an error naming the file and line 2, in one line.
    func testHostileLinesAreOneLineErrorsNamingFileAndLine() throws {
        let dir = try Fixtures.temporaryDirectory(for: self)
        let good = Array((try ReportSamples.records[0].jsonLine() + "\n").utf8)
        func record(_ extra: String) -> [UInt8] { Array("{\"kind\":\"prune\",\"model\":\"m\",\"method\":\"l1\",\"ratio\":0.5\(extra)}".utf8) }
        let lines: [(String, [UInt8], String)] = [
            ("a number past Double", record(",\"accuracy\":1e400"), "invalid JSON"),
            ("an integer past Int", record(",\"bits\":123456789012345678901234567890"), "invalid JSON"),
            ("a fraction for an integer", record(",\"bits\":1.5"), "invalid JSON"),
            ("an integer past Int written as a float", record(",\"bits\":1e30"), "invalid JSON"),
            ("NaN", record(",\"accuracy\":NaN"), "invalid JSON"),
            ("nesting 100,000 deep", record(",\"x\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)), "invalid JSON"),
            ("invalid UTF-8", Array("{\"kind\":\"prune\",\"model\":\"".utf8) + [0xFF, 0xC0, 0x80] + Array("\",\"method\":\"l1\",\"ratio\":0}".utf8), "invalid JSON"),
            ("raw control characters", Array("{\"kind\":\"prune\",\"mo\u{0}del\u{1B}[2J\":1}".utf8), "invalid JSON"),
            ("a NUL and an escape in a key", Array("{\"kind\":\"prune\",\"mo\\u0000del\\u001b[2J\":1}".utf8), "missing 'model'"),
        ]
        for (name, line, reason) in lines {
            let path = dir.appendingPathComponent("results.jsonl").path
            try Data(good + line + [UInt8(ascii: "\n")] + good).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try ResultsFile.read(path: path), name) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(path):2: not a result record ("), "\(name): \(error)")
                XCTAssertTrue("\(error)".contains(reason), "\(name): \(error)")
                XCTAssertFalse("\(error)".contains("\n"), "\(name): \(error)")
            }
        }
    }

    /// Four writers opened at the same instant on a fresh path, 200 times: exactly one owns
    /// the file each time (the others are refused as locked), and it is the file at the path.
    /// (Creating by writing a temporary and renaming it over the path let two own one path.)
    func testWritersRacingOnAFreshPathNeverBothOwnIt() throws {
        let dir = try Fixtures.temporaryDirectory(for: self)
        for round in 0..<200 {
            let path = dir.appendingPathComponent("\(round)/results.jsonl").path
            let outcomes = Outcomes()
            let group = DispatchGroup()
            let start = DispatchSemaphore(value: 0)
            for _ in 0..<4 {
                group.enter()
                Thread.detachNewThread {
                    start.wait()
                    do {
                        let writer = try ResultsWriter(path: path)
                        outcomes.add(writer)
                    } catch {
                        outcomes.add(error)
                    }
                    group.leave()
                }
            }
            for _ in 0..<4 { start.signal() }
            group.wait()
            XCTAssertEqual(outcomes.writers.count, 1, "round \(round): \(outcomes.errors)")
            XCTAssertEqual(outcomes.errors.map { $0 as? ReportError }, Array(repeating: .locked(path: path), count: 4 - outcomes.writers.count))
        }
    }

    /// What the racing writers got, kept open until the round ends.
    private final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var writers: [ResultsWriter] = []
        private(set) var errors: [Error] = []
        func add(_ writer: ResultsWriter) { lock.withLock { writers.append(writer) } }
        func add(_ error: Error) { lock.withLock { errors.append(error) } }
    }
}
