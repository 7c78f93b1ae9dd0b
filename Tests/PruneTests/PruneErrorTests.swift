import XCTest
@testable import Prune

final class PruneErrorTests: XCTestCase {
    func testMessageNamesTheProblem() {
        XCTAssertEqual(PruneError.invalidAmount("1.5 is above 1").description, "invalid pruning amount: 1.5 is above 1")
        XCTAssertEqual(PruneError.shapeMismatch("w: mask [2] for weight [4]").description, "shape mismatch: w: mask [2] for weight [4]")
        XCTAssertEqual(PruneError.unsupportedGraph("conv 'c' has no 4-D weight").description, "unsupported graph: conv 'c' has no 4-D weight")
    }
}
