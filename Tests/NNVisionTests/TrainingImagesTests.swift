import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNVision

final class TrainingImagesTests: XCTestCase {
    let small = try! Preprocessing(resize: 10, crop: 8, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
    var food11: ImageDataset { get throws { try ImageDataset(root: Fixtures.path("images/datasets/food11"), split: "training") } }

    /// none and flip keep DecodedImages' crops; crop-flip keeps the images as decoded.
    func testWhatIsKept() throws {
        let dataset = try food11
        let decoded = try DecodedImages(dataset: dataset, preprocessing: small)
        for augmentation in [Augmentation.none, .flip] {
            let images = try TrainingImages(dataset: dataset, preprocessing: small, augmentation: augmentation)
            XCTAssertEqual(images.sources, decoded.images)
            XCTAssertEqual(images.samples, dataset.samples)
            XCTAssertEqual(images.labels, dataset.samples.compactMap(\.label))
        }
        let whole = try TrainingImages(dataset: dataset, preprocessing: small, augmentation: .cropFlip, parallel: false)
        XCTAssertEqual(whole.sources, try dataset.samples.map { try JPEGDecoder.decode(file: $0.path) })
        XCTAssertEqual(whole.labels, [0, 0, 10, 1, 2])
    }

    /// Each augmentation's draws: none takes none; flip one (the flip); crop-flip the crop's,
    /// then the flip's. Every view is crop x crop.
    func testImageDrawsAsDocumented() throws {
        let dataset = try food11
        for augmentation in Augmentation.allCases {
            let images = try TrainingImages(dataset: dataset, preprocessing: small, augmentation: augmentation)
            for index in 0..<images.count {
                var draws = SplitMix64(seed: UInt64(index)), replay = SplitMix64(seed: UInt64(index))
                let view = images.image(index, using: &draws)
                XCTAssertEqual([view.width, view.height], [8, 8])
                let source = images.sources[index]
                switch augmentation {
                case .none:
                    XCTAssertEqual(view, source)
                case .flip:
                    XCTAssertEqual(view, replay.uniform(0, 1) < 0.5 ? RandomHorizontalFlip.flipped(source) : source)
                case .cropFlip:
                    let box = images.resizedCrop.box(width: source.width, height: source.height, using: &replay)
                    let crop = RandomResizedCrop.resizedCrop(source, box, size: 8)
                    XCTAssertEqual(view, replay.uniform(0, 1) < 0.5 ? RandomHorizontalFlip.flipped(crop) : crop)
                }
                XCTAssertEqual(draws.next(), replay.next(), "\(augmentation) took other draws")
            }
        }
    }

    /// The bundled example's training split: 3000 labelled images, 300 of each class, which
    /// train at the example's 32x32 with every augmentation.
    func testBundledTrainingSplit() throws {
        let dataset = try ImageDataset(root: Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path, split: "training")
        XCTAssertEqual(dataset.samples.count, 3000)
        XCTAssertEqual(Dictionary(grouping: dataset.samples.compactMap(\.label), by: { $0 }).mapValues(\.count), Dictionary(uniqueKeysWithValues: (0..<10).map { ($0, 300) }))
        let fashion = try Preprocessing(resize: 36, crop: 32, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
        for augmentation in Augmentation.allCases {
            let images = try TrainingImages(dataset: dataset, preprocessing: fashion, augmentation: augmentation, limit: 40)
            let batch = try XCTUnwrap(try images.batches(epoch: 0, size: 16, seed: 1).last)
            XCTAssertEqual(batch.images.shape, [8, 3, 32, 32])
            XCTAssertTrue(batch.images.scalars.allSatisfy(\.isFinite))
        }
    }

    /// Training needs labels: an unlabelled file is refused by name before decoding.
    func testUnlabelledImagesAreRefused() throws {
        let dataset = try ImageDataset(root: Fixtures.path("images/datasets/food11"), split: "evaluation")
        XCTAssertThrowsError(try TrainingImages(dataset: dataset, preprocessing: small, augmentation: .none)) { error in
            guard case .badDataset(let path, let reason, _)? = error as? NNError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, dataset.samples[0].path)
            XCTAssertTrue(reason.hasPrefix("has no label"), reason)
        }
        XCTAssertThrowsError(try TrainingImages(dataset: try food11, preprocessing: small, augmentation: .flip, limit: 0)) {
            XCTAssertTrue("\($0)".hasSuffix("no images to train on"), "\($0)")
        }
    }

    /// Bad files are skipped when asked (as DecodedImages does), for crop-flip as well; a
    /// list with nothing left is refused.
    func testBadFilesAreSkippedOrStopTheLoad() throws {
        let root = try Fixtures.temporaryDirectory(for: self)
        try FileManager.default.copyItem(atPath: ImageManifest.path("bad_text.jpg"), toPath: root.path + "/3_0.jpg")
        try FileManager.default.copyItem(atPath: ImageManifest.path("rgb420_17x9.jpg"), toPath: root.path + "/4_0.jpg")
        let dataset = try ImageDataset(root: root.path)
        for augmentation in Augmentation.allCases {
            XCTAssertThrowsError(try TrainingImages(dataset: dataset, preprocessing: small, augmentation: augmentation)) {
                guard case .badImage(let path, _)? = $0 as? NNError else { return XCTFail("\($0)") }
                XCTAssertEqual(path, dataset.samples[0].path)
            }
            let images = try TrainingImages(dataset: dataset, preprocessing: small, augmentation: augmentation, skipBad: true)
            XCTAssertEqual(images.labels, [4])
            XCTAssertEqual(images.skipped.count, 1)
            XCTAssertThrowsError(try TrainingImages(dataset: dataset, preprocessing: small, augmentation: augmentation, limit: 1, skipBad: true)) {
                XCTAssertTrue("\($0)".hasSuffix("no image decoded (all 1 were skipped)"), "\($0)")
            }
        }
    }

    /// crop-flip's whole images are summed as they decode: past the budget the load stops,
    /// naming the folder.
    func testWholeImagesOverTheBudgetAreRefused() throws {
        let dataset = try food11
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        // Each image fits (the decoder's own check: 7 bytes a pixel, 1,344 for the largest),
        // the five together (2,319 bytes) do not; the first four (1,959) do.
        MemoryBudget.limit = 2000
        for parallel in [false, true] {
            XCTAssertThrowsError(try TrainingImages(dataset: dataset, preprocessing: small, augmentation: .cropFlip, skipBad: true, parallel: parallel)) { error in
                guard case .overBudget(let path, let what, _, _)? = error as? NNError else { return XCTFail("\(error)") }
                XCTAssertEqual(path, dataset.directory)
                XCTAssertEqual(what, "the decoded images of 5 files (crop-flip keeps them whole)")
            }
        }
        XCTAssertEqual(try TrainingImages(dataset: dataset, preprocessing: small, augmentation: .cropFlip, limit: 4).count, 4)
    }
}
