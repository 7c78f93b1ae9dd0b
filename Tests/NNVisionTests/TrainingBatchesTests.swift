import XCTest
import TestSupport
@testable import NNCore
@testable import NNVision

final class TrainingBatchesTests: XCTestCase {
    /// `shears eval`'s settings on the bundled example.
    let fashion = try! Preprocessing(resize: 36, crop: 32, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
    let small = try! Preprocessing(resize: 10, crop: 8, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)

    /// Without shuffling or augmentation, every epoch's batches are `shears eval`'s: the same
    /// float32 tensors bit for bit, the same labels, in listing order, for several batch sizes.
    func testNoShuffleNoAugmentationFeedsWhatEvalFeeds() throws {
        let dataset = try ImageDataset(root: Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path, split: "validation")
        let decoded = try DecodedImages(dataset: dataset, preprocessing: fashion, limit: 150)
        let images = try TrainingImages(dataset: dataset, preprocessing: fashion, augmentation: .none, limit: 150)
        for size in [1, 32, 64, 150, 200] {
            let evaluation = try decoded.batches(size: size)
            for epoch in [0, 3] {
                let training = try images.batches(epoch: epoch, size: size, shuffle: false, seed: 42)
                XCTAssertEqual(training.count, evaluation.count)
                for (train, eval) in zip(training, evaluation) {
                    XCTAssertEqual(train.images.shape, eval.images.shape)
                    XCTAssertEqual(train.images.scalars.map(\.bitPattern), eval.images.scalars.map(\.bitPattern), "batch size \(size), images \(eval.range)")
                    XCTAssertEqual(train.labels.map(Optional.some), eval.labels)
                    XCTAssertEqual(train.indices, Array(eval.range))
                }
            }
        }
    }

    /// Batches of `size` over the epoch's order, the last smaller (drop_last=False); the
    /// shuffled order is a permutation, the same for the same (seed, epoch), another for
    /// another epoch or seed.
    func testOrderAndBatchSizes() throws {
        let dataset = try ImageDataset(root: Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path, split: "validation")
        let images = try TrainingImages(dataset: dataset, preprocessing: small, augmentation: .none, limit: 100)
        let epoch = try images.batches(epoch: 2, size: 32, seed: 9)
        XCTAssertEqual(epoch.map(\.indices.count), [32, 32, 32, 4])
        XCTAssertEqual(epoch.flatMap(\.indices), epoch.order)
        XCTAssertEqual(epoch.order.sorted(), Array(0..<100))
        XCTAssertEqual(epoch.last?.images.shape, [4, 3, 8, 8])
        XCTAssertEqual(epoch.flatMap(\.labels), epoch.order.map { images.labels[$0] })
        XCTAssertEqual(try images.batches(epoch: 2, size: 7, seed: 9).order, epoch.order, "the order does not depend on the batch size")
        XCTAssertNotEqual(try images.batches(epoch: 3, size: 32, seed: 9).order, epoch.order)
        XCTAssertNotEqual(try images.batches(epoch: 2, size: 32, seed: 10).order, epoch.order)
        XCTAssertNotEqual(epoch.order, Array(0..<100))
        // Durstenfeld's shuffle from generator(seed, [0, epoch]), as documented.
        var generator = TrainingBatches.generator(9, [0, 2])
        var expected = Array(0..<100)
        for i in stride(from: 99, to: 0, by: -1) { expected.swapAt(i, generator.integer(below: i + 1)) }
        XCTAssertEqual(epoch.order, expected)
        XCTAssertEqual(try images.batches(epoch: 0, size: .max).map(\.indices.count), [100], "one batch, no overflow")
        XCTAssertThrowsError(try images.batches(epoch: 0, size: 0))
        XCTAssertThrowsError(try images.batches(epoch: -1, size: 4))
    }

    /// Each image's augmentation depends only on (seed, epoch, image): the same whatever the
    /// batch size, the order and whether crop-flip's batch is built in parallel; it changes
    /// with the epoch.
    func testAugmentationDrawsArePerImageAndEpoch() throws {
        let dataset = try ImageDataset(root: Fixtures.path("images/datasets/food11"), split: "training")
        for augmentation in [Augmentation.flip, .cropFlip] {
            let images = try TrainingImages(dataset: dataset, preprocessing: small, augmentation: augmentation)
            var views: [[Int: [UInt32]]] = []
            for (size, shuffle) in [(1, false), (2, true), (5, true)] {
                var byImage: [Int: [UInt32]] = [:]
                for batch in try images.batches(epoch: 1, size: size, shuffle: shuffle, seed: 5) {
                    for (slot, index) in batch.indices.enumerated() {
                        byImage[index] = batch.images.scalars[slot * 192 ..< (slot + 1) * 192].map(\.bitPattern)
                    }
                }
                views.append(byImage)
            }
            XCTAssertEqual(views[0], views[1], "\(augmentation)")
            XCTAssertEqual(views[0], views[2], "\(augmentation)")
            // Serially, from the documented generator.
            for index in 0..<images.count {
                var draws = TrainingBatches.generator(5, [1, 1, UInt64(index)])
                var single = Tensor(shape: [1, 3, 8, 8])
                small.normalization.write(images.image(index, using: &draws), into: &single, at: 0)
                XCTAssertEqual(single.scalars.map(\.bitPattern), views[0][index], "\(augmentation) image \(index)")
            }
            let otherEpoch = try images.batches(epoch: 2, size: 5, shuffle: false, seed: 5)[0]
            let first = try images.batches(epoch: 1, size: 5, shuffle: false, seed: 5)[0]
            XCTAssertNotEqual(otherEpoch.images.scalars, first.images.scalars, "\(augmentation): epoch 2 draws anew")
        }
    }
}
