import XCTest
@testable import NN

/// `inBoundsOutputs` against a brute-force scan of every output position.
final class InBoundsOutputsTests: XCTestCase {
    func testEqualsTheOutputsThatReadInsideTheInput() {
        for inputSize in 1...9 {
            for stride in 1...3 {
                for padding in 0...3 {
                    for offset in 0...6 {
                        let outputs = max(0, (inputSize + 2 * padding - offset - 1) / stride + 1)
                        let expected = (0..<outputs).filter { o in
                            let index = o * stride - padding + offset
                            return index >= 0 && index < inputSize
                        }
                        let range = inBoundsOutputs(outputs, inputSize: inputSize, stride: stride, padding: padding, offset: offset)
                        XCTAssertEqual(Array(range), expected, "size \(inputSize) stride \(stride) padding \(padding) offset \(offset)")
                    }
                }
            }
        }
    }
}
