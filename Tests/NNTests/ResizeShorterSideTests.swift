import XCTest
@testable import NN
@testable import NNCore
@testable import NNEngine
@testable import NNONNX
@testable import NNTorchIO
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

    func testUnchangedSizeReturnsTheImage() {
        let image = RGBImage(width: 3, height: 2, pixels: Array(0..<18))
        XCTAssertEqual(ResizeShorterSide.apply(image, shorter: 2), image)
    }
}
