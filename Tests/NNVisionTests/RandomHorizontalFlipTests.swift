import XCTest
import TestSupport
@testable import NNCore
@testable import NNVision

final class RandomHorizontalFlipTests: XCTestCase {
    /// `F.hflip` of PIL crops: the same bytes.
    func testFlipIsPILExact() throws {
        for entry in try AugmentationManifest.load().flips {
            let pixels = try Fixtures.bytes("augmentation/" + entry.pixels)
            let flipped = RandomHorizontalFlip.flipped(RGBImage(width: 32, height: 32, pixels: pixels))
            XCTAssertEqual(flipped.pixels, try Fixtures.bytes("augmentation/" + entry.flipped), entry.pixels)
            XCTAssertEqual(RandomHorizontalFlip.flipped(flipped).pixels, pixels, "flipping twice")
        }
    }

    func testOddWidthKeepsTheMiddleColumn() {
        let image = RGBImage(width: 3, height: 2, pixels: Array(0..<18))
        XCTAssertEqual(RandomHorizontalFlip.flipped(image).pixels, [6, 7, 8, 3, 4, 5, 0, 1, 2, 15, 16, 17, 12, 13, 14, 9, 10, 11])
    }

    /// One draw per image; a flip when it is below p: p = 0 never, p = 1 always, 0.5 about half.
    func testProbability() throws {
        let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        let flipped = RandomHorizontalFlip.flipped(image)
        var draws = SplitMix64(seed: 3)
        for (p, expected) in [(Float(0), 0), (1, 1000)] {
            let flip = try RandomHorizontalFlip(p: p)
            XCTAssertEqual((0..<1000).filter { _ in flip.apply(image, using: &draws) == flipped }.count, expected)
        }
        let half = try RandomHorizontalFlip()
        var counted = SplitMix64(seed: 3), replay = SplitMix64(seed: 3)
        let flips = (0..<1000).filter { _ in half.apply(image, using: &counted) == flipped }.count
        XCTAssertEqual(flips, 500, accuracy: 60)
        for _ in 0..<1000 { _ = replay.uniform(0, 1) }
        XCTAssertEqual(counted.next(), replay.next(), "one draw per image")
        XCTAssertThrowsError(try RandomHorizontalFlip(p: 1.5))
        XCTAssertThrowsError(try RandomHorizontalFlip(p: .nan))
    }
}
