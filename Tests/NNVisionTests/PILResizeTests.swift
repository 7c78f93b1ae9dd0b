import XCTest
import TestSupport
@testable import NNVision

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

    /// Pillow 13 runs the vertical pass first when the height shrinks by more than twice the
    /// width (`verticalFirst`): its results, bit for bit, and the rule itself.
    func testVerticalPassFirstAsPillow13() throws {
        for resize in try AugmentationManifest.load().resizes {
            let source = try JPEGDecoder.decode(file: ImageManifest.path(resize.file))
            XCTAssertTrue(PILResize.verticalFirst(from: (source.width, source.height), to: (resize.width, resize.height)))
            let expected = try Fixtures.bytes("augmentation/" + resize.pixels)
            XCTAssertEqual(PILResize.resize(source, width: resize.width, height: resize.height).pixels, expected,
                           "\(resize.file) -> \(resize.width)x\(resize.height)")
        }
        XCTAssertFalse(PILResize.verticalFirst(from: (61, 47), to: (23, 19)), "Δh 28 <= 2 · Δw 38")
        XCTAssertTrue(PILResize.verticalFirst(from: (61, 47), to: (50, 10)), "Δh 37 > 2 · Δw 22")
        XCTAssertTrue(PILResize.verticalFirst(from: (10, 40), to: (20, 39)), "a widening width counts as negative")
        XCTAssertFalse(PILResize.verticalFirst(from: (10, 40), to: (20, 40)), "no vertical shrink")
    }

    func testSameSizeIsACopy() {
        let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(PILResize.resize(image, width: 2, height: 1), image)
    }

    /// A region computed alone equals that region of the full resize, for every pass combination.
    func testRegionEqualsTheSameRegionOfTheFullResize() throws {
        let source = try JPEGDecoder.decode(file: ImageManifest.path("rgb422_61x47.jpg"))
        var generator = SeededGenerator(state: 7)
        for (width, height) in [(23, 19), (30, 47), (61, 100), (61, 47), (128, 20), (50, 10), (70, 5)] {
            let full = PILResize.resize(source, width: width, height: height)
            for _ in 0..<5 {
                let x0 = Int.random(in: 0..<width, using: &generator), x1 = Int.random(in: x0 + 1...width, using: &generator)
                let y0 = Int.random(in: 0..<height, using: &generator), y1 = Int.random(in: y0 + 1...height, using: &generator)
                let region = PILResize.resize(source, width: width, height: height, columns: x0..<x1, rows: y0..<y1)
                XCTAssertEqual(region, PILResize.copy(full, columns: x0..<x1, rows: y0..<y1), "\(width)x\(height) [\(x0)..<\(x1), \(y0)..<\(y1)]")
            }
        }
    }
}

/// A linear congruential generator: seeded, reproducible.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state ^ (state >> 29)
    }
}

