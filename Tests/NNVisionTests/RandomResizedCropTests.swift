import XCTest
import TestSupport
@testable import NNCore
@testable import NNVision

final class RandomResizedCropTests: XCTestCase {
    /// torchvision's get_params, run for real with its draws recorded: replaying the same draws
    /// gives the same box (exactly), and asks for the same draws with the same float32 bounds
    /// (the log-ratio bounds included), accepted attempts and fallbacks alike.
    func testBoxesMatchTorchvisionGetParams() throws {
        let manifest = try AugmentationManifest.load()
        var fallbacks = 0
        for (n, entry) in manifest.boxes.enumerated() {
            let crop = try RandomResizedCrop(size: 32, scale: entry.scale[0]...entry.scale[1], ratio: entry.ratio[0]...entry.ratio[1])
            let context = "case \(n): \(entry.width)x\(entry.height) scale \(entry.scale) ratio \(entry.ratio)"
            var draws = ReplayedDraws(entry.draws, context: context)
            XCTAssertEqual(crop.box(width: entry.width, height: entry.height, using: &draws), RandomResizedCrop.Box(entry.box), context)
            XCTAssertEqual(draws.next, entry.draws.count, "\(context): used \(draws.next) of torch's \(entry.draws.count) draws")
            if entry.draws.count == 20 { fallbacks += 1 }
        }
        XCTAssertGreaterThanOrEqual(fallbacks, 4, "the fixture covers the fallback")
    }

    /// `F.resized_crop(img, i, j, h, w, [s, s])` with PIL: the same bytes (0 tolerance), for
    /// downscales, upscales, a 1-pixel box and a box already of the output size.
    func testResizedCropIsPILExact() throws {
        let manifest = try AugmentationManifest.load()
        for entry in manifest.crops {
            let image = try JPEGDecoder.decode(file: ImageManifest.path(entry.image))
            let crop = RandomResizedCrop.resizedCrop(image, RandomResizedCrop.Box(entry.box), size: entry.size)
            XCTAssertEqual([crop.width, crop.height], [entry.size, entry.size])
            let expected = try Fixtures.bytes("augmentation/" + entry.pixels)
            XCTAssertEqual(crop.pixels, expected, "\(entry.image) box \(entry.box) size \(entry.size): \(zip(crop.pixels, expected).filter { $0 != $1 }.count) bytes differ")
        }
    }

    /// resized_crop + hflip + ToTensor + Normalize(ImageNet), the whole training transform on a
    /// fixed box and flip: torchvision's float32 tensor bit for bit.
    func testTrainingTransformMatchesTorchvision() throws {
        let train = try AugmentationManifest.load().train
        let image = try JPEGDecoder.decode(file: ImageManifest.path(train.image))
        let flipped = RandomHorizontalFlip.flipped(RandomResizedCrop.resizedCrop(image, RandomResizedCrop.Box(train.box), size: train.size))
        var batch = Tensor(shape: [1, 3, train.size, train.size])
        Normalization(mean: train.mean.map { Float($0) }, std: train.std.map { Float($0) }).write(flipped, into: &batch, at: 0)
        let expected = try Fixtures.float32("augmentation/" + train.tensor)
        XCTAssertEqual(batch.scalars.map(\.bitPattern), expected.map(\.bitPattern))
    }

    /// On SplitMix64's draws: every box lies inside the image, the same seed gives the same
    /// boxes, and areas and aspect ratios spread over the ranges asked for.
    func testSeededBoxesStayInsideTheImage() throws {
        let crop = try RandomResizedCrop(size: 8)
        for (width, height) in [(61, 47), (28, 28), (1, 1), (3, 400), (400, 3), (512, 384)] {
            var first = SplitMix64(seed: 7), second = SplitMix64(seed: 7)
            var fractions: [Double] = []
            for _ in 0..<500 {
                let box = crop.box(width: width, height: height, using: &first)
                XCTAssertEqual(box, crop.box(width: width, height: height, using: &second))
                XCTAssertTrue(box.top >= 0 && box.left >= 0 && box.height >= 1 && box.width >= 1
                              && box.top + box.height <= height && box.left + box.width <= width, "\(box) in \(width)x\(height)")
                fractions.append(Double(box.width * box.height) / Double(width * height))
            }
            if width == 512 {
                // torchvision's get_params over 20,000 torch draws: mean area fraction 0.435 (large
                // boxes of an extreme aspect do not fit and are drawn again), min 0.08, max 0.995.
                XCTAssertEqual(fractions.reduce(0, +) / Double(fractions.count), 0.435, accuracy: 0.03)
                XCTAssertLessThan(fractions.min() ?? 1, 0.1)
                XCTAssertGreaterThan(fractions.max() ?? 0, 0.9)
            }
        }
    }

    /// The fallback for an image far outside the ratio range keeps at least one pixel
    /// (torchvision's would be empty, which PIL cannot resize).
    func testFallbackBoxIsNeverEmpty() throws {
        let crop = try RandomResizedCrop(size: 4, scale: 2...3, ratio: 3...4)
        var draws = SplitMix64(seed: 1)
        XCTAssertEqual(crop.box(width: 1, height: 300, using: &draws), RandomResizedCrop.Box(top: 149, left: 0, height: 1, width: 1))
        let wide = try RandomResizedCrop(size: 4, scale: 2...3, ratio: 0.001...0.002)
        XCTAssertEqual(wide.box(width: 300, height: 1, using: &draws), RandomResizedCrop.Box(top: 0, left: 149, height: 1, width: 1))
        var image = RGBImage(width: 1, height: 300)
        image.pixels[0] = 9
        XCTAssertEqual(crop.apply(image, using: &draws).pixels.count, 4 * 4 * 3)
    }

    func testRejectsUnusableSettings() {
        XCTAssertThrowsError(try RandomResizedCrop(size: 0)) { XCTAssertEqual("\($0)", "invalid crop size: must be between 1 and 65535, got 0") }
        XCTAssertThrowsError(try RandomResizedCrop(size: 8, scale: -1...1))
        XCTAssertThrowsError(try RandomResizedCrop(size: 8, scale: 0...Double.infinity))
        XCTAssertThrowsError(try RandomResizedCrop(size: 8, ratio: 0...1))
        XCTAssertThrowsError(try RandomResizedCrop(size: 8, ratio: 1e-300...1))
        XCTAssertThrowsError(try RandomResizedCrop(size: 8, ratio: 1...1e300))
        XCTAssertNoThrow(try RandomResizedCrop(size: 8, scale: 0...0, ratio: 1...1))
    }
}
