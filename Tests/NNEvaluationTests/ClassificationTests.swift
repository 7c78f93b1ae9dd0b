import XCTest
@testable import NNCore
@testable import NNEvaluation

final class ClassificationTests: XCTestCase {
    func testAccuracyPerClassAndConfusion() {
        var tally = Classification(classCount: 3)
        for (label, prediction) in [(0, 0), (0, 1), (1, 1), (1, 1), (2, 0)] {
            tally.record(label: label, prediction: prediction)
        }
        XCTAssertEqual(tally.images, 5)
        XCTAssertEqual(tally.correct, 3)
        XCTAssertEqual(tally.accuracy, 0.6, accuracy: 1e-12)
        XCTAssertEqual(tally.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
        XCTAssertEqual(tally.perClassAccuracy, [0.5, 1.0, 0.0])
    }

    func testArgmaxTiesGoToLowerIndex() {
        let logits = Tensor(shape: [2, 3], scalars: [1, 3, 3, -1, -2, -1])
        XCTAssertEqual(argmaxRows(logits), [1, 0])
    }

    /// torch.argmax: NaN beats every number (the first NaN wins), +inf beats every finite value,
    /// ties go to the lower index. Expected values as `torch.tensor(rows).argmax(1)` gives them.
    func testArgmaxFollowsTorchWithNaNAndInfinities() {
        let nan = Float.nan, inf = Float.infinity
        let rows: [([Float], Int)] = [
            ([nan, 5, 1, 2], 0),            // NaN first
            ([1, 7, nan, 9], 2),            // NaN in the middle beats a larger number after it
            ([3, 9, 1, nan], 3),            // NaN last
            ([1, nan, 8, nan], 1),          // several NaNs: the first
            ([nan, nan, nan, nan], 0),      // all NaN
            ([1, inf, 2, inf], 1),          // +inf, tied: the first
            ([1, inf, nan, 2], 2),          // NaN beats +inf
            ([-inf, -inf, -inf, -inf], 0),  // all -inf: a tie
            ([-inf, -3, -inf, -2], 3),      // -inf loses to every finite value
            ([-inf, nan, -inf, 0], 1),
            ([0, -0.0, 0, 0], 0),           // 0 == -0: a tie
            ([-Float.greatestFiniteMagnitude, -inf, -1, -1], 2),
        ]
        let logits = Tensor(shape: [rows.count, 4], scalars: rows.flatMap(\.0))
        XCTAssertEqual(argmaxRows(logits), rows.map(\.1))
    }

    func testArgmaxOfOneColumnAndOfNoRows() {
        XCTAssertEqual(argmaxRows(Tensor(shape: [3, 1], scalars: [Float.nan, 1, -Float.infinity])), [0, 0, 0])
        XCTAssertEqual(argmaxRows(Tensor(shape: [0, 5], scalars: [Float]())), [])
    }
}
