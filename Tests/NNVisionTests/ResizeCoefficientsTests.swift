import XCTest
@testable import NNVision

final class ResizeCoefficientsTests: XCTestCase {
    /// docs/FORMATS.md §4.2: 500 -> 341 and 100 -> 256, as Pillow computes them.
    func testPillowCoefficientExamples() {
        let down = ResizeCoefficients(inputSize: 500, outputSize: 341)
        XCTAssertEqual(down.first[0], 0)
        XCTAssertEqual(Array(down.weights[0..<down.count[0]]), [2676335, 1517969])
        XCTAssertEqual(down.first[1], 1)
        XCTAssertEqual(Array(down.weights[down.taps..<down.taps + down.count[1]]), [1532929, 2330169, 331206])

        let up = ResizeCoefficients(inputSize: 100, outputSize: 256)
        XCTAssertEqual(up.first[0], 0)
        XCTAssertEqual(Array(up.weights[0..<up.count[0]]), [4194304])
        XCTAssertEqual(Array(up.weights[up.taps..<up.taps + up.count[1]]), [3833856, 360448])
    }

    func testClip8RoundsAndClamps() {
        XCTAssertEqual(ResizeCoefficients.clip8(ResizeCoefficients.half + 200 << 22), 200)
        XCTAssertEqual(ResizeCoefficients.clip8(-(1 << 22)), 0)
        XCTAssertEqual(ResizeCoefficients.clip8(300 << 22), 255)
    }
}
