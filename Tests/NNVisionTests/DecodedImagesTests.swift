import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNVision

final class DecodedImagesTests: XCTestCase {
    let small = try! Preprocessing(resize: 10, crop: 8, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)

    /// A flat dataset in a temporary folder: the fixture training images plus `bad` files.
    private func datasetWithBadFiles(_ bad: [String: String]) throws -> ImageDataset {
        let root = try Fixtures.temporaryDirectory(for: self)
        let source = Fixtures.path("images/datasets/food11/training")
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: root.path + "/" + name)
        }
        for (name, fixture) in bad {
            try FileManager.default.copyItem(atPath: ImageManifest.path(fixture), toPath: root.path + "/" + name)
        }
        return try ImageDataset(root: root.path)
    }

    func testParallelEqualsSerialAndBatchesMatchSingleImages() throws {
        let dataset = try ImageDataset(root: Fixtures.path("images/datasets/folder"))
        var calls = 0
        let parallel = try DecodedImages(dataset: dataset, preprocessing: small, progress: { done, total in
            calls += 1
            XCTAssertEqual(total, dataset.samples.count)
            XCTAssertLessThanOrEqual(done, total)
        })
        let serial = try DecodedImages(dataset: dataset, preprocessing: small, parallel: false)
        XCTAssertEqual(calls, dataset.samples.count)
        XCTAssertEqual(parallel.images, serial.images)
        XCTAssertEqual(parallel.samples, dataset.samples)
        XCTAssertTrue(parallel.skipped.isEmpty)

        XCTAssertEqual(dataset.samples.count, 8)
        let batches = try parallel.batches(size: 3)
        XCTAssertEqual(batches.map(\.range), [0..<3, 3..<6, 6..<8])
        XCTAssertEqual(batches.flatMap(\.labels), dataset.samples.map(\.label))
        let last = try XCTUnwrap(batches.last)
        XCTAssertEqual(last.images.shape, [2, 3, 8, 8])
        var single = Tensor(shape: [1, 3, 8, 8])
        small.normalization.write(try small.croppedImage(file: dataset.samples[7].path), into: &single, at: 0)
        XCTAssertTrue(last.images.scalars[(3 * 8 * 8)...].elementsEqual(single.scalars), "batch slot differs from the single image")
        XCTAssertThrowsError(try parallel.batches(size: 0))
    }

    /// The crops of every image (count · crop² · 3 bytes) are checked before any file is read.
    func testCropsOverTheBudgetAreRefusedBeforeDecoding() throws {
        let dataset = try ImageDataset(root: Fixtures.path("images/datasets/folder"))
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 8 * 8 * 8 * 3 - 1
        XCTAssertThrowsError(try DecodedImages(dataset: dataset, preprocessing: small)) { error in
            XCTAssertEqual(error as? NNError, .overBudget(path: dataset.directory, what: "the 8x8 RGB crops of 8 images",
                                                          bytes: 8 * 8 * 8 * 3, limit: 8 * 8 * 8 * 3 - 1))
        }
    }

    /// A FIFO named like an image stops the load naming it, or is skipped with --skip-bad; never waited on.
    func testFIFONamedLikeAnImageIsRefusedOrSkipped() throws {
        let root = try Fixtures.temporaryDirectory(for: self).path
        try FileManager.default.copyItem(atPath: ImageManifest.path("rgb422_61x47.jpg"), toPath: root + "/0_0.jpg")
        XCTAssertEqual(mkfifo(root + "/0_1.jpg", 0o600), 0)
        let dataset = try ImageDataset(root: root)
        XCTAssertEqual(dataset.samples.map(\.path), [root + "/0_0.jpg", root + "/0_1.jpg"])
        let refusal = NNError.io(path: root + "/0_1.jpg", reason: "cannot read: a FIFO (named pipe), not a regular file")
        XCTAssertThrowsError(try DecodedImages(dataset: dataset, preprocessing: small)) { XCTAssertEqual($0 as? NNError, refusal) }
        let decoded = try DecodedImages(dataset: dataset, preprocessing: small, skipBad: true)
        XCTAssertEqual(decoded.samples.map(\.path), [root + "/0_0.jpg"])
        XCTAssertEqual(decoded.skipped, [refusal])
    }

    func testLimitTakesTheFirstSamples() throws {
        let dataset = try ImageDataset(root: Fixtures.path("images/datasets/food11"), split: "training")
        let decoded = try DecodedImages(dataset: dataset, preprocessing: small, limit: 2)
        XCTAssertEqual(decoded.samples, Array(dataset.samples.prefix(2)))
    }

    /// By default the first bad file (in listing order) stops the load, named in the message.
    func testBadFileFailsNamingIt() throws {
        let dataset = try datasetWithBadFiles(["3_0.jpg": "bad_truncated.jpg", "5_0.jpg": "bad_empty.jpg"])
        let truncated = try XCTUnwrap(dataset.samples.first { $0.path.hasSuffix("/3_0.jpg") }).path
        XCTAssertThrowsError(try DecodedImages(dataset: dataset, preprocessing: small)) { error in
            XCTAssertTrue("\(error)".hasPrefix(truncated + ": bad image: image file is truncated"), "\(error)")
        }
    }

    func testSkipBadSkipsAndListsThem() throws {
        let bad = ["3_0.jpg": "bad_truncated.jpg", "4_0.jpg": "bad_text.jpg", "5_0.jpg": "bad_empty.jpg", "6_0.jpg": "bad_png.jpg"]
        let dataset = try datasetWithBadFiles(bad)
        let decoded = try DecodedImages(dataset: dataset, preprocessing: small, skipBad: true)
        XCTAssertEqual(decoded.count, dataset.samples.count - bad.count)
        XCTAssertEqual(decoded.samples.map { ($0.path as NSString).lastPathComponent },
                       ["0_0.jpg", "0_1.jpg", "10_2.jpg", "1_0.jpg", "2_0.jpg"])
        let skippedPaths: [String] = decoded.skipped.map {
            guard case .badImage(let path, _) = $0 else { return "unexpected \($0)" }
            return (path as NSString).lastPathComponent
        }
        XCTAssertEqual(skippedPaths, ["3_0.jpg", "4_0.jpg", "5_0.jpg", "6_0.jpg"])
    }
}
