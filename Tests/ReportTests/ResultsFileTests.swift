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
}
