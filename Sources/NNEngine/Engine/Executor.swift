// Executor: runs a Model on NCHW float32 batches. Compiles once (shapes checked, BatchNorm
// folded into the preceding convolution, one buffer per node allocated for the largest
// batch, flatten/identity aliased) and then runs any number of batches with no allocation
// in the hot path. Convolution runs on the kernels ConvStep picks (direct, Winograd with
// OpenBLAS GEMMs, sparse, depthwise), linear layers sgemm. A batch is split over lanes
// (ExecutorLane), one per core, each with its own buffers; a single image runs on one lane
// whose steps split their work over the threads. Lanes and splits run on the Executor's
// WorkerPool, whose workers stop when the Executor is released. Not thread-safe: one Executor
// per calling thread.

import NNCore
import COpenBLAS
import Foundation

/// A compiled model ready to run batches of up to `maxBatch` images of one size.
public final class Executor {
    /// Per-sample input shape `[C, H, W]`.
    public let inputShape: [Int]
    public let maxBatch: Int
    /// Per-sample output shape (e.g. `[classes]`).
    public let outputShape: [Int]

    let steps: [Step]
    /// The graph nodes behind each of `steps`.
    let origins: [StepOrigin]
    let graph: Graph
    /// One lane per thread; a batch of n samples is split over `min(n, lanes.count)` of them.
    let lanes: [ExecutorLane]
    private let outputBuffer: Int
    /// The threads lanes run on; a single lane's steps split their work over them.
    let pool: WorkerPool
    /// The pool the steps split over: the Executor's with a single lane, nil with several.
    let stepPool: WorkerPool?

    /// Lanes an Executor uses unless told otherwise: one per active core.
    public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Compiles `model` for inputs `[N, input...]`, N ≤ `maxBatch`.
    ///
    /// - Parameters:
    ///   - foldBatchNorm: fold a BatchNorm into the conv before it when that conv feeds
    ///     only the BatchNorm: `w'[o] = w[o]·γ/√(σ²+ε)`, `b'[o] = (b[o] − μ)·γ/√(σ²+ε) + β`.
    ///   - threads: lanes that run parts of a batch at once (each with single-threaded BLAS);
    ///     a batch of one sample runs on one lane whose convs share their work over `threads`.
    ///   - sparseDensityLimit: convs with at most this fraction of nonzero weights (unstructured
    ///     pruning) run on the sparse kernel (`SparseWeight`); 0 keeps every conv dense, 1 makes
    ///     every ungrouped conv sparse; nil (the default) uses each conv kind's measured
    ///     crossover (`SparseCrossover`).
    ///   - winograd: run dense stride-1 3x3 convs as Winograd F(4x4, 3x3) and dense stride-2 7x7 ones
    ///     as F(4x4, 4x4) over their stride phases.
    public init(model: Model, input: [Int], maxBatch: Int, foldBatchNorm: Bool = true,
                threads: Int = Executor.defaultThreads, sparseDensityLimit: Double? = nil,
                winograd: Bool = true) throws {
        guard maxBatch >= 1 else { throw NNError.invalidArgument(name: "batch", reason: "must be at least 1, got \(maxBatch)") }
        let shapes = try ShapeInference(model: model, input: input).shapes
        let laneCount = max(1, min(threads, maxBatch))
        let capacity = (maxBatch + laneCount - 1) / laneCount
        pool = WorkerPool(threads: max(1, threads))
        stepPool = laneCount == 1 && pool.threads > 1 ? pool : nil
        let plan = try ExecutionPlan(model: model, shapes: shapes, maxBatch: capacity, foldBatchNorm: foldBatchNorm,
                                     sparseDensityLimit: sparseDensityLimit, winograd: winograd,
                                     outputSplits: stepPool?.threads ?? 1, pool: stepPool)
        try Self.checkMemory(plan: plan, model: model, shapes: shapes, lanes: laneCount, capacity: capacity, batch: maxBatch)
        inputShape = input
        self.maxBatch = maxBatch
        outputShape = shapes[model.graph.outputIndex]
        steps = plan.steps
        origins = plan.origins
        graph = model.graph
        lanes = (0..<laneCount).map { _ in
            ExecutorLane(capacity: capacity, bufferSampleSizes: plan.bufferSampleSizes, scratchSize: plan.scratchSize)
        }
        outputBuffer = plan.bufferOfNode[model.graph.outputIndex]
    }

    /// Throws `NNError.overBudget` unless what the lanes allocate fits the `MemoryBudget`:
    /// `4 · lanes · (Σ buffers' floats per sample · capacity + scratch floats)` bytes. The error
    /// names the layer with the largest output.
    private static func checkMemory(plan: ExecutionPlan, model: Model, shapes: [[Int]], lanes: Int, capacity: Int, batch: Int) throws {
        var floats = plan.scratchSize, overflow = false
        for size in plan.bufferSampleSizes {
            let (buffer, o1) = size.multipliedReportingOverflow(by: capacity)
            let (sum, o2) = floats.addingReportingOverflow(buffer)
            (floats, overflow) = (sum, overflow || o1 || o2)
        }
        let largest = shapes.indices.max { shapes[$0].reduce(1, *) < shapes[$1].reduce(1, *) } ?? 0
        try MemoryBudget.check(overflow ? nil : [floats, lanes, MemoryLayout<Float>.size].checkedProduct,
                               for: "running a batch of \(batch) on \(lanes) thread\(lanes == 1 ? "" : "s") (its output \(shapes[largest]) the largest of the buffers)",
                               path: "layer '\(model.graph.nodes[largest].name)'")
    }

    /// Runs a batch `[N, C, H, W]` (N ≤ maxBatch) and returns the outputs `[N, outputShape...]`.
    /// Samples are independent, so lane k takes the k-th contiguous share of the batch.
    public func run(_ input: Tensor) throws -> Tensor {
        try checkInput(input)
        let n = input.shape[0]
        let inputSize = inputShape.reduce(1, *), outputSize = outputShape.reduce(1, *)
        let (share, used) = lanePartition(of: n)
        var output = [Float](repeating: 0, count: n * outputSize)
        input.scalars.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                let (x, y) = (x.baseAddress!, y.baseAddress!)
                func runLane(_ k: Int) {
                    lanes[k].run(steps, input: x, inputSize: inputSize, first: k * share, count: min(share, n - k * share),
                                 outputBuffer: outputBuffer, outputSize: outputSize, output: y, pool: stepPool)
                }
                Self.withSingleThreadedBLAS { pool.parallelFor(used, runLane) }
            }
        }
        return Tensor(shape: [n] + outputShape, scalars: output)
    }

    /// How a batch of `n` samples is split: lane k takes samples `k·share ..< min((k+1)·share, n)`,
    /// for k below `used`.
    func lanePartition(of n: Int) -> (share: Int, used: Int) {
        let share = (n + lanes.count - 1) / lanes.count
        return (share, (n + share - 1) / share)
    }

    /// Throws `NNError.invalidArgument` unless `input` is `[N, inputShape...]` with 1 ≤ N ≤ `maxBatch`.
    func checkInput(_ input: Tensor) throws {
        guard input.rank == 4, Array(input.shape.dropFirst()) == inputShape, input.shape[0] >= 1, input.shape[0] <= maxBatch else {
            throw NNError.invalidArgument(name: "input", reason: "expected [N ≤ \(maxBatch), \(inputShape.map(String.init).joined(separator: ", "))], got \(input.shape)")
        }
    }

    /// Runs `body` with OpenBLAS single-threaded: every kernel's threads are Shears' own (lanes,
    /// or a single image's shares, or the training engine's chunks), so OpenBLAS must not start
    /// its own inside them.
    package static func withSingleThreadedBLAS(_ body: () -> Void) {
        let blasThreads = openblas_get_num_threads()
        openblas_set_num_threads(1)
        body()
        openblas_set_num_threads(blasThreads)
    }
}
