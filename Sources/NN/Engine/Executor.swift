// Executor: runs a Model on NCHW float32 batches. Compiles once (shapes checked, BatchNorm
// folded into the preceding convolution, one buffer per node allocated for the largest
// batch, flatten/identity aliased) and then runs any number of batches with no allocation
// in the hot path. Convolution is im2col + OpenBLAS sgemm, depthwise convolution a direct
// kernel, linear layers sgemm. Not thread-safe: one Executor per thread.

/// A compiled model ready to run batches of up to `maxBatch` images of one size.
public final class Executor {
    /// Per-sample input shape `[C, H, W]`.
    public let inputShape: [Int]
    public let maxBatch: Int
    /// Per-sample output shape (e.g. `[classes]`).
    public let outputShape: [Int]

    let steps: [Step]
    let buffers: [UnsafeMutablePointer<Float>]
    let scratch: UnsafeMutablePointer<Float>
    let bufferOfNode: [Int]

    /// Compiles `model` for inputs `[N, input...]`, N ≤ `maxBatch`.
    ///
    /// - Parameter foldBatchNorm: fold a BatchNorm into the conv before it when that conv feeds
    ///   only the BatchNorm: `w'[o] = w[o]·γ/√(σ²+ε)`, `b'[o] = (b[o] − μ)·γ/√(σ²+ε) + β`.
    public init(model: Model, input: [Int], maxBatch: Int, foldBatchNorm: Bool = true) throws {
        guard maxBatch >= 1 else { throw NNError.invalidArgument(name: "batch", reason: "must be at least 1, got \(maxBatch)") }
        let shapes = try ShapeInference(model: model, input: input).shapes
        let plan = try ExecutionPlan(model: model, shapes: shapes, maxBatch: maxBatch, foldBatchNorm: foldBatchNorm)
        inputShape = input
        self.maxBatch = maxBatch
        outputShape = shapes[model.graph.outputIndex]
        steps = plan.steps
        bufferOfNode = plan.bufferOfNode
        buffers = plan.bufferSampleSizes.map { size in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(size * maxBatch, 1))
            p.initialize(repeating: 0, count: max(size * maxBatch, 1))
            return p
        }
        scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(plan.scratchSize, 1))
        scratch.initialize(repeating: 0, count: max(plan.scratchSize, 1))
        outputBuffer = plan.bufferOfNode[model.graph.outputIndex]
    }

    private let outputBuffer: Int

    deinit {
        buffers.forEach { $0.deallocate() }
        scratch.deallocate()
    }

    /// Runs a batch `[N, C, H, W]` (N ≤ maxBatch) and returns the outputs `[N, outputShape...]`.
    public func run(_ input: Tensor) throws -> Tensor {
        guard input.rank == 4, Array(input.shape.dropFirst()) == inputShape, input.shape[0] >= 1, input.shape[0] <= maxBatch else {
            throw NNError.invalidArgument(name: "input", reason: "expected [N ≤ \(maxBatch), \(inputShape.map(String.init).joined(separator: ", "))], got \(input.shape)")
        }
        let n = input.shape[0]
        input.scalars.withUnsafeBufferPointer { buffers[0].update(from: $0.baseAddress!, count: $0.count) }
        for step in steps { step.run(batch: n, buffers: buffers, scratch: scratch) }
        let size = outputShape.reduce(1, *)
        return Tensor(shape: [n] + outputShape, scalars: Array(UnsafeBufferPointer(start: buffers[outputBuffer], count: n * size)))
    }
}
