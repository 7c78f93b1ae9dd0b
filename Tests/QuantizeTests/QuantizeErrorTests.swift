import XCTest
@testable import Quantize

final class QuantizeErrorTests: XCTestCase {
    func testMessageNamesTheBits() {
        XCTAssertEqual(QuantizeError.invalidBits(9).description, "invalid bit width 9: use 2 to 8")
    }
}
