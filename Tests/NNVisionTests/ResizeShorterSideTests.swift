import XCTest
@testable import NNVision

final class ResizeShorterSideTests: XCTestCase {
    /// docs/FORMATS.md §4.1 examples (width x height).
    func testOutputSizes() {
        func size(_ w: Int, _ h: Int, _ s: Int) -> [Int] {
            let out = ResizeShorterSide.outputSize(width: w, height: h, shorter: s)
            return [out.width, out.height]
        }
        XCTAssertEqual(size(500, 375, 256), [341, 256])
        XCTAssertEqual(size(1024, 683, 256), [383, 256])
        XCTAssertEqual(size(375, 500, 256), [256, 341])
        XCTAssertEqual(size(300, 300, 256), [256, 256])
        XCTAssertEqual(size(17, 9, 40), [75, 40])
    }

    /// An unchanged size is not resampled: Preprocessing only crops it.
    func testUnchangedSizeIsOnlyCropped() throws {
        let image = RGBImage(width: 3, height: 2, pixels: Array(0..<18))
        let preprocessing = try Preprocessing(resize: 2, crop: 2, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
        XCTAssertEqual(preprocessing.croppedImage(image), CenterCrop.apply(image, crop: 2))
    }
}
