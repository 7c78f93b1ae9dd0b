// Tests for TorchTopK: index sets torch 2.x's CPU topk returned for these inputs (ties
// included; copied from the real torch, see scripts/fixtures/prune.py for the larger cases).

@testable import Prune
import XCTest

final class TorchTopKTests: XCTestCase {
    func testTiesBrokenAsTorch() {
        let t: [Float] = [2, 1, 1, 3, 1, 2, 1, 1, 0, 1, 1, 2]
        // nth_element path (k · 64 > n): neither lowest nor highest indices among the 1s.
        XCTAssertEqual(TorchTopK.indices(t, k: 5, largest: false), [1, 6, 7, 8, 9])
        XCTAssertEqual(TorchTopK.indices(t, k: 6, largest: true), [0, 3, 5, 6, 10, 11])
        // partial_sort path (k · 64 <= n).
        XCTAssertEqual(TorchTopK.indices([Float](repeating: 1, count: 200), k: 3, largest: false), [0, 1, 2])
        XCTAssertEqual(TorchTopK.indices(t, k: 0, largest: false), [])
    }
}
