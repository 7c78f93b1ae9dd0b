import XCTest

final class VersionCommandTests: XCTestCase {
    func testPrintsVersion() throws {
        let result = try CLI.run(["version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.hasPrefix("shears "))
    }
}
