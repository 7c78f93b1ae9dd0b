import XCTest
@testable import NNCore

final class StateDictTests: XCTestCase {
    func testKeepsInsertionOrderAndRemoves() {
        var dict = StateDict()
        dict.setTensor("b", Tensor(shape: [2], scalars: [1, 2]))
        dict.setTensor("a", Tensor(shape: [], scalars: [3]))
        dict["c"] = .integer(IntTensor(shape: [], scalars: [7]), .int64)
        XCTAssertEqual(dict.keys, ["b", "a", "c"])
        dict["a"] = nil
        XCTAssertEqual(dict.keys, ["b", "c"])
        XCTAssertEqual(dict.tensor("b")?.scalars, [1, 2])
        XCTAssertNil(dict.tensor("c"))
    }
}
