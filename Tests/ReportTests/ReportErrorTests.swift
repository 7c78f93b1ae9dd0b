// ReportErrorTests: Report's way outs are WayOut values, worded for a program in the
// description (no CLI flag) and by the caller's words through `message(wording:)`.

import XCTest
import NNCore
@testable import Report

final class ReportErrorTests: XCTestCase {
    func testALockedResultsFileOffersAnotherOutput() {
        let error = ReportError.locked(path: "out/results.jsonl")
        XCTAssertEqual(error.wayOut, .anotherOutput)
        XCTAssertEqual(error.description, "out/results.jsonl: another run is writing this results file (it holds its lock); give another path, or wait for it to finish")
        XCTAssertEqual(error.message { _ in "w" }, "out/results.jsonl: another run is writing this results file (it holds its lock); w, or wait for it to finish")
    }

    func testAnUnwritableFileCarriesItsWayOutWhereItHasOne() {
        let error = ReportError.unwritable(path: "r.jsonl", reason: "a FIFO (named pipe), not a regular file", wayOut: .anotherOutput)
        XCTAssertEqual(error.message { _ in "w" }, "r.jsonl: cannot write: a FIFO (named pipe), not a regular file; w")
        XCTAssertFalse(error.description.contains("--"), error.description)
        XCTAssertEqual(ReportError.unwritable(path: "p", reason: "r").message { _ in "w" }, "p: cannot write: r")
        XCTAssertNil(ReportError.malformedRecord(path: "p", line: 3, reason: "r").wayOut)
    }
}
