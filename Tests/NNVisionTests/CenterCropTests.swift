import XCTest
@testable import NNVision

final class CenterCropTests: XCTestCase {
    /// docs/FORMATS.md §4.3: Python's round half to even.
    func testOffsetsRoundHalfToEven() {
        XCTAssertEqual(CenterCrop.offset(size: 341, crop: 224), 58)
        XCTAssertEqual(CenterCrop.offset(size: 383, crop: 224), 80)
        XCTAssertEqual(CenterCrop.offset(size: 256, crop: 224), 16)
        XCTAssertEqual(CenterCrop.offset(size: 224, crop: 224), 0)
        XCTAssertEqual(CenterCrop.offset(size: 19, crop: 20), 0)    // pad (20-19)//2 = 0 before
        XCTAssertEqual(CenterCrop.offset(size: 15, crop: 20), -2)   // pad 2 before, 3 after
    }

    /// A 1x2 (w x h) image cropped to 3x3: columns padded 1 before and 1 after, rows 0 before
    /// ((3-2)//2) and 1 after ((3-2+1)//2).
    func testPadsWithZeros() {
        let image = RGBImage(width: 1, height: 2, pixels: [1, 2, 3, 4, 5, 6])
        let cropped = CenterCrop.apply(image, crop: 3)
        XCTAssertEqual(cropped.pixels, [0, 0, 0, 1, 2, 3, 0, 0, 0,
                                        0, 0, 0, 4, 5, 6, 0, 0, 0,
                                        0, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    func testCopiesTheCentre() {
        let image = RGBImage(width: 4, height: 3, pixels: (0..<36).map(UInt8.init))
        // width 4 -> 2: offset round(1.0) = 1; height 3 -> 2: round(0.5) = 0.
        let cropped = CenterCrop.apply(image, crop: 2)
        XCTAssertEqual(cropped.pixels, [3, 4, 5, 6, 7, 8, 15, 16, 17, 18, 19, 20])
    }
}
