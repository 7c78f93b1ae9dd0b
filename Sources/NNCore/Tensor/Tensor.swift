// Tensor: the one dense array type of Shears. float32, row-major (C order), contiguous.
// Image batches are NCHW; conv weights are [out, in/groups, kh, kw]; linear weights [out, in].
// It is not a lazy or strided view type: gathering through strides happens when a
// checkpoint is read, so everything past the readers sees contiguous scalars.

/// A dense float32 tensor in row-major order.
///
/// `scalars.count == shape.reduce(1, *)`; a 0-dim tensor has `shape == []` and one scalar.
public struct Tensor: Equatable, Sendable {
    /// Sizes, outermost first (e.g. `[N, C, H, W]`).
    public var shape: [Int]
    /// The elements in row-major order.
    public var scalars: [Float]

    /// Wraps `scalars` as a tensor of `shape`; the counts must agree (a programmer error otherwise).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// Number of elements, `prod(shape)`.
    public var count: Int { scalars.count }

    /// Number of dimensions.
    public var rank: Int { shape.count }
}

/// A dense integer tensor (int64 and narrower integer dtypes), e.g. `num_batches_tracked`.
public struct IntTensor: Equatable, Sendable {
    public var shape: [Int]
    public var scalars: [Int64]

    public init(shape: [Int], scalars: [Int64]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "IntTensor: shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }
}
