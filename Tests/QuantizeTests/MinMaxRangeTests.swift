import XCTest
@testable import Quantize

/// Tests MinMaxRange.swift: the float32 arithmetic on hand-checked values
/// (the numpy fixtures are in QuantizerTests).
final class MinMaxRangeTests: XCTestCase {
    func testRangeOfValues() {
        XCTAssertEqual(MinMaxRange(of: [0.5, -2, 3, 1][...]), MinMaxRange(min: -2, max: 3))
    }

    func testCodesRoundHalfToEvenAndCoverTheEnds() {
        // (w - 0) / 4 * 3 = 0, 0.75, 1.5 (tie → 2), 2.25, 3 with 2 bits
        var codes = [UInt8]()
        MinMaxRange(min: 0, max: 4).appendCodes(of: [0, 1, 2, 3, 4][...], levels: 3, to: &codes)
        XCTAssertEqual(codes, [0, 1, 2, 2, 3])
        // (w - 0) / 6 * 3 = 0.5 (tie → 0) and 2.5 (tie → 2)
        codes = []
        MinMaxRange(min: 0, max: 6).appendCodes(of: [1, 5, 0, 6][...], levels: 3, to: &codes)
        XCTAssertEqual(codes, [0, 2, 0, 3])
    }

    func testDequantizeIsQOverLevelsTimesRangePlusMin() {
        var values = [Float]()
        MinMaxRange(min: -1, max: 2).appendValues(of: [0, 1, 2, 3][...], levels: 3, to: &values)
        XCTAssertEqual(values, [-1, 0, 1, 2])
    }

    func testConstantRangeGivesZeroCodesAndExactlyMin() {
        for constant: Float in [0.375, -0.0, -7.25e-30] {
            let range = MinMaxRange(of: [constant, constant, constant][...])
            var codes = [UInt8]()
            range.appendCodes(of: [constant, constant, constant][...], levels: 255, to: &codes)
            XCTAssertEqual(codes, [0, 0, 0])
            var values = [Float]()
            range.appendValues(of: codes[...], levels: 255, to: &values)
            XCTAssertEqual(values.map(\.bitPattern), Array(repeating: constant.bitPattern, count: 3))
        }
    }

    func testLevels() {
        XCTAssertEqual((2...8).map { MinMaxRange.levels(bits: $0) }, [3, 7, 15, 31, 63, 127, 255])
    }
}
