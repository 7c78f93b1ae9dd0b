import XCTest
@testable import Report

final class ReportErrorTests: XCTestCase {
    func testMessageNamesFileAndLine() {
        XCTAssertEqual(ReportError.malformedRecord(path: "r.jsonl", line: 3, reason: "not JSON").description, "r.jsonl:3: not JSON")
    }
}
