// TrainingBatches: one epoch of a TrainingImages as batches, each built (augmented and
// normalised) only when it is read, so one float batch exists at a time. The order and every
// image's augmentation come from SplitMix64 generators derived from (seed, epoch): the same
// seed gives the same epoch, whatever the batch size or the order batches are read in.

import NNCore
import Dispatch

/// A normalised training batch and its labels.
public struct TrainingBatch: Sendable {
    /// `[N, 3, crop, crop]` float32, RGB planes: ToTensor + Normalize of the augmented images.
    public let images: Tensor
    /// The N labels.
    public let labels: [Int]
    /// Which images of the TrainingImages these are (indices into its `samples`).
    public let indices: [Int]
}

/// The batches of one epoch: `order[0..<size]`, `order[size..<2·size]`, ... (the last may hold fewer).
///
/// - order: the listing order (`0..<count`, as `shears eval` takes the images) without
///   shuffling; with it, a Fisher-Yates (Durstenfeld) shuffle of `0..<count`: for i from
///   count − 1 down to 1, swap i with `integer(below: i + 1)`, drawn from `generator(seed, [0, epoch])`.
/// - augmentation: image k (an index into the samples, not a position in the order) draws from
///   its own `generator(seed, [1, epoch, k])` (`TrainingImages.image(_:using:)` says which draws).
/// With shuffling off and augmentation none, batch b holds exactly the tensor and labels of
/// `DecodedImages.batches(size:)[b]` on the same files and preprocessing.
public struct TrainingBatches: RandomAccessCollection, Sendable {
    let images: TrainingImages
    public let epoch: Int
    public let seed: UInt64
    /// Images per batch (the last batch may hold fewer).
    public let size: Int
    /// The images' indices in the order this epoch takes them.
    public let order: [Int]

    init(images: TrainingImages, epoch: Int, size: Int, shuffle: Bool, seed: UInt64) {
        var order = Array(0..<images.count)
        if shuffle {
            var generator = Self.generator(seed, [0, UInt64(epoch)])
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, generator.integer(below: i + 1))
            }
        }
        self.images = images
        self.epoch = epoch
        self.seed = seed
        self.size = size
        self.order = order
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { order.isEmpty ? 0 : (order.count - 1) / size + 1 }

    /// Batch `position`: its images augmented and normalised (crop-flip's resizes spread over
    /// all cores; the result is the same either way).
    public subscript(position: Int) -> TrainingBatch {
        let indices = Array(order[position * size ..< Swift.min((position + 1) * size, order.count)])
        let crop = images.preprocessing.crop, plane = 3 * crop * crop
        var tensor = Tensor(shape: [indices.count, 3, crop, crop])
        let normalization = images.preprocessing.normalization
        let (images, seed, epoch) = (self.images, self.seed, UInt64(epoch))
        tensor.scalars.withUnsafeMutableBufferPointer { scalars in
            let scalars = scalars  // each slot is written by one worker only
            let write = { (slot: Int) in
                var draws = Self.generator(seed, [1, epoch, UInt64(indices[slot])])
                let image = images.image(indices[slot], using: &draws)
                normalization.apply(image, into: UnsafeMutableBufferPointer(rebasing: scalars[slot * plane ..< (slot + 1) * plane]))
            }
            if images.augmentation == .cropFlip {
                DispatchQueue.concurrentPerform(iterations: indices.count, execute: write)
            } else {
                for slot in indices.indices { write(slot) }
            }
        }
        return TrainingBatch(images: tensor, labels: indices.map { images.labels[$0] }, indices: indices)
    }

    /// The generator of one purpose: `s = mix(seed)`, then `s = mix(s ^ key)` for each key,
    /// then `SplitMix64(seed: s)`, where `mix(x)` is the first output of `SplitMix64(seed: x)`.
    static func generator(_ seed: UInt64, _ keys: [UInt64]) -> SplitMix64 {
        func mix(_ x: UInt64) -> UInt64 {
            var generator = SplitMix64(seed: x)
            return generator.next()
        }
        return SplitMix64(seed: keys.reduce(mix(seed)) { mix($0 ^ $1) })
    }
}
