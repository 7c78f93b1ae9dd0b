// ImageBatch: one float batch of a DecodedImages, and ImageBatches, the collection of
// consecutive batches that builds each one only when it is read (a whole dataset in float32
// would be four times the size of its uint8 crops).

/// A normalised batch and its labels.
import NNCore

public struct ImageBatch: Sendable {
    /// `[N, 3, crop, crop]` float32, RGB planes.
    public let images: Tensor
    /// The labels of the N images (nil for unlabelled samples).
    public let labels: [Int?]
    /// Which images of the DecodedImages these are.
    public let range: Range<Int>
}

/// Batches `0..<size`, `size..<2*size`, ... of a DecodedImages, each built when subscripted.
public struct ImageBatches: RandomAccessCollection, Sendable {
    let images: DecodedImages
    /// Images per batch (the last batch may hold fewer).
    public let size: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { (images.count + size - 1) / size }

    public subscript(position: Int) -> ImageBatch {
        images.batch(position * size ..< Swift.min((position + 1) * size, images.count))
    }
}
