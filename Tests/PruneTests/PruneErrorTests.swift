import XCTest
@testable import Prune

final class PruneErrorTests: XCTestCase {
    func testMessageNamesTheProblem() {
        XCTAssertEqual(PruneError.invalidAmount("1.5 is above 1").description, "invalid pruning amount: 1.5 is above 1")
    }
}
