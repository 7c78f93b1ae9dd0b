import XCTest
@testable import NN
import TestSupport

final class PILResizeTests: XCTestCase {
    /// `Image.resize((w, h), BILINEAR)` from PIL: width only, height only, and both (down).
    func testMatchesPillowIncludingOnePassResizes() throws {
        for resize in try ImageManifest.load().resizes {
            let source = try JPEGDecoder.decode(file: ImageManifest.path(resize.file))
            let result = PILResize.resize(source, width: resize.width, height: resize.height)
            let expected = try Fixtures.bytes("images/" + resize.pixels)
            XCTAssertEqual(result, RGBImage(width: resize.width, height: resize.height, pixels: expected),
                           "\(resize.file) -> \(resize.width)x\(resize.height)")
        }
    }

    func testSameSizeIsACopy() {
        let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(PILResize.resize(image, width: 2, height: 1), image)
    }
}
