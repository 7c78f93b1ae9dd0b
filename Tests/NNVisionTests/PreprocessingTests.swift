import XCTest
import TestSupport
@testable import NNCore
@testable import NNVision

final class PreprocessingTests: XCTestCase {
    /// torchvision `Resize(R) + CenterCrop(C) + ToTensor() + Normalize(ImageNet)` on every
    /// fixture, compared bit for bit (0 tolerance), including Resize(256) + CenterCrop(224).
    func testBitIdenticalToTorchvision() throws {
        let manifest = try ImageManifest.load()
        XCTAssertEqual(Preprocessing.food11.mean, manifest.mean.map { Float($0) })
        XCTAssertEqual(Preprocessing.food11.std, manifest.std.map { Float($0) })
        var pairs = Set<[Int]>()
        for entry in manifest.images {
            let decoded = try JPEGDecoder.decode(file: ImageManifest.path(entry.file))
            for transform in entry.transforms {
                pairs.insert([transform.resize, transform.crop])
                let preprocessing = try Preprocessing(resize: transform.resize, crop: transform.crop,
                                                      mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
                let crop = preprocessing.croppedImage(decoded)
                XCTAssertEqual([crop.width, crop.height], [transform.crop, transform.crop])
                var batch = Tensor(shape: [2, 3, transform.crop, transform.crop], repeating: .nan)
                preprocessing.normalization.write(crop, into: &batch, at: 1)
                let size = 3 * transform.crop * transform.crop
                let actual = Array(batch.scalars[size...])
                let expected = try Fixtures.float32("images/" + transform.tensor)
                XCTAssertEqual(expected.count, size)
                let differing = zip(actual, expected).filter { $0.bitPattern != $1.bitPattern }.count
                let worst = maxAbsoluteDifference(actual, expected)
                XCTAssertEqual(differing, 0, "\(entry.file) R\(transform.resize) C\(transform.crop): \(differing) values differ, max |diff| \(worst.value) at \(worst.index)")
                XCTAssertTrue(batch.scalars[..<size].allSatisfy(\.isNaN), "wrote outside its slot")
            }
        }
        XCTAssertTrue(pairs.contains([256, 224]))
        XCTAssertTrue(pairs.contains([15, 20]), "a crop larger than the resized image (zero padding)")
    }

    /// torchvision `Resize(R) + CenterCrop(C)` of tall images, where Pillow 13 resizes
    /// vertically first: the same bytes, computing only the kept pixels.
    func testTallImagesMatchPillow13() throws {
        for pipeline in try AugmentationManifest.load().pipelines {
            let image = try JPEGDecoder.decode(file: ImageManifest.path(pipeline.image))
            let box = pipeline.box
            let tall = PILResize.copy(image, columns: box[1] ..< box[1] + box[3], rows: box[0] ..< box[0] + box[2])
            let preprocessing = try Preprocessing(resize: pipeline.resize, crop: pipeline.crop, mean: [0, 0, 0], std: [1, 1, 1])
            let size = ResizeShorterSide.outputSize(width: tall.width, height: tall.height, shorter: pipeline.resize)
            XCTAssertTrue(PILResize.verticalFirst(from: (tall.width, tall.height), to: size))
            XCTAssertEqual(preprocessing.croppedImage(tall).pixels, try Fixtures.bytes("augmentation/" + pipeline.pixels), pipeline.pixels)
        }
    }

    func testCroppedImageFromFileDecodesFirst() throws {
        let path = ImageManifest.path("rgb422_61x47.jpg")
        let preprocessing = try Preprocessing(resize: 20, crop: 16, mean: [0, 0, 0], std: [1, 1, 1])
        XCTAssertEqual(try preprocessing.croppedImage(file: path),
                       preprocessing.croppedImage(try JPEGDecoder.decode(file: path)))
    }

    /// The resize's buffers: Pillow's coefficients per resized axis, the horizontal pass, the crop.
    func testResizeBytes() throws {
        let preprocessing = try Preprocessing(resize: 256, crop: 224, mean: [0, 0, 0], std: [1, 1, 1])
        // 512x384 -> 341x256: coefficients 341·(16 + 4·5) + 256·(16 + 4·5), pass 384·224·3, crop 224²·3 + 224·12.
        XCTAssertEqual(preprocessing.resizeBytes(width: 512, height: 384), 341 * 36 + 256 * 36 + 384 * 224 * 3 + 224 * 224 * 3 + 224 * 12)
        // An unchanged size needs no coefficients.
        XCTAssertEqual(preprocessing.resizeBytes(width: 256, height: 256), 256 * 224 * 3 + 224 * 224 * 3 + 224 * 12)
        // 60x150 -> 20x50 resizes vertically first: coefficients 20·(16 + 4·7) + 50·(16 + 4·7), pass 60·16·3.
        let tall = try Preprocessing(resize: 20, crop: 16, mean: [0, 0, 0], std: [1, 1, 1])
        XCTAssertEqual(tall.resizeBytes(width: 60, height: 150), 20 * 44 + 50 * 44 + 60 * 16 * 3 + 16 * 16 * 3 + 16 * 12)
        // A 65535x2 strip resized to a shorter side of 65,535: 2.1e9 columns of coefficients.
        let huge = try Preprocessing(resize: 65_535, crop: 16, mean: [0, 0, 0], std: [1, 1, 1])
        XCTAssertGreaterThan(try XCTUnwrap(huge.resizeBytes(width: 65_535, height: 2)), 1 << 35)
    }

    /// `croppedImage(file:)` refuses an image whose resize would not fit the memory budget,
    /// naming the file, before resizing.
    func testResizeOverTheBudgetIsRefused() throws {
        let path = ImageManifest.path("rgb422_61x47.jpg")
        let preprocessing = try Preprocessing(resize: 60_000, crop: 16, mean: [0, 0, 0], std: [1, 1, 1])
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 1 << 20
        XCTAssertThrowsError(try preprocessing.croppedImage(file: path)) { error in
            guard case .overBudget(let file, let what, _, _)? = error as? NNError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, path)
            XCTAssertEqual(what, "resizing its 61x47 pixels to a shorter side of 60000")
        }
    }

    func testRejectsUnusableSettings() {
        let mean: [Float] = [0.5, 0.5, 0.5]
        XCTAssertThrowsError(try Preprocessing(resize: 0, crop: 1, mean: mean, std: mean)) {
            XCTAssertEqual("\($0)", "invalid resize: must be between 1 and 65535, got 0")
        }
        XCTAssertThrowsError(try Preprocessing(resize: 1, crop: 0, mean: mean, std: mean))
        XCTAssertThrowsError(try Preprocessing(resize: 256, crop: 100_000, mean: mean, std: mean)) {
            XCTAssertEqual("\($0)", "invalid crop: must be between 1 and 65535, got 100000")
        }
        XCTAssertThrowsError(try Preprocessing(resize: Int.max, crop: 1, mean: mean, std: mean))
        XCTAssertNoThrow(try Preprocessing(resize: 65_535, crop: 65_535, mean: mean, std: mean))
        XCTAssertThrowsError(try Preprocessing(resize: 1, crop: 1, mean: [0.5], std: mean))
        XCTAssertThrowsError(try Preprocessing(resize: 1, crop: 1, mean: mean, std: [1, 0, 1]))
    }
}
