// ExecutionPlan: turns a Model and its per-node shapes into kernel steps and a buffer
// assignment, by five passes, each in its own file: fold BatchNorms into the conv before them
// (+Folding), fuse activations, residual adds' activations and max pools into the step that
// produces their input (+Fusion), assign buffers by liveness with aliasing and in-place ops
// (+BufferAssignment), lower nodes to Steps (+Lowering), and choose each conv's kernel
// (+KernelSelection). Before the passes, each node is checked against what the kernels can
// index: a lane's output of a node, and every weight, at most 2^31 − 1 floats (the C kernels'
// and BLAS's 32-bit sizes), and a window at most `maximumTaps` taps (their tap offsets live on
// the stack).

import NNCore

/// The compiled form of a model: steps in order and which buffer holds each node's output.
struct ExecutionPlan {
    let steps: [Step]
    /// Where each step came from (its node, the nodes folded or fused into it, its shapes), in
    /// the order of `steps`.
    let origins: [StepOrigin]
    /// Buffer index holding each node's output.
    let bufferOfNode: [Int]
    /// Per-sample capacity of each buffer (floats).
    let bufferSampleSizes: [Int]
    /// Floats of scratch of the step that needs most (convolution sources, panels, Winograd
    /// chunks; padded planes).
    let scratchSize: Int

    /// The most taps (kh·kw) a conv or pool window may have: a 128x128 kernel, 128 KB of tap
    /// offsets on a kernel thread's stack.
    static let maximumTaps = 1 << 14

    /// Compiles `model` by its passes in order: fold (`foldBatchNorms`), fuse (`fuse`), assign
    /// buffers (`assignBuffers`), lower (`lower`) and select kernels (`selectKernels`).
    ///
    /// - Parameters:
    ///   - maxBatch: samples per lane.
    ///   - foldBatchNorm: fold a BatchNorm into the conv before it when that conv feeds only it.
    ///   - sparseDensityLimit: convs with at most this density of nonzero weights use the sparse
    ///     kernel; nil: each conv kind's measured crossover (`SparseCrossover`).
    ///   - winograd: let dense stride-1 3x3 convs run as Winograd F(4x4, 3x3) and dense stride-2 7x7
    ///     ones as F(4x4, 4x4) over their stride phases.
    ///   - outputSplits: threads that share a single image's output channels.
    ///   - pool: the threads they run on (nil: one after the other).
    init(model: Model, shapes: [[Int]], maxBatch: Int, foldBatchNorm: Bool, sparseDensityLimit: Double?, winograd: Bool,
         outputSplits: Int, pool: WorkerPool? = nil) throws {
        try Self.checkLimits(model: model, shapes: shapes, maxBatch: maxBatch)
        let folding = foldBatchNorm ? Self.foldBatchNorms(model) : Folding()
        let fusion = Self.fuse(model.graph, shapes: shapes, folding: folding)
        let buffers = Self.assignBuffers(model.graph, shapes: shapes, folding: folding, fusion: fusion)
        let lowered = Self.lower(model, shapes: shapes, folding: folding, fusion: fusion, bufferOfNode: buffers.bufferOfNode)
        steps = Self.selectKernels(lowered.map(\.step), sparseDensityLimit: sparseDensityLimit, winograd: winograd, capacity: maxBatch,
                                   outputSplits: outputSplits, pool: pool)
        origins = StepOrigin.of(lowered.map(\.node), graph: model.graph, shapes: shapes, folding: folding, fusion: fusion)
        bufferOfNode = buffers.bufferOfNode
        bufferSampleSizes = buffers.bufferSampleSizes
        scratchSize = steps.map(\.scratchSize).max() ?? 0
    }

    /// Throws `NNError.shapeMismatch` naming the first node whose output for `maxBatch` samples
    /// or weight has more than `Int32.max` floats, or whose window has more than `maximumTaps`.
    private static func checkLimits(model: Model, shapes: [[Int]], maxBatch: Int) throws {
        let largest = Int(Int32.max)
        for (node, shape) in zip(model.graph.nodes, shapes) {
            func fail(_ reason: String) -> NNError { .shapeMismatch(node: node.name, reason: reason) }
            guard let floats = (shape + [maxBatch]).checkedProduct, floats <= largest else {
                throw fail("its output \(shape) for the \(maxBatch) samples of a thread has more than the kernels' \(largest) floats; use a smaller batch")
            }
            let kernel: Size2?
            switch node.op {
            case .conv2d: kernel = model.stateDict.tensor("\(node.name).weight").map { Size2($0.shape[2], $0.shape[3]) }
            case .maxPool(let a), .avgPool(let a): kernel = a.kernel
            default: kernel = nil
            }
            if let kernel, kernel.h * kernel.w > maximumTaps {
                throw fail("its \(kernel.h)x\(kernel.w) window has more than the engine's \(maximumTaps) taps")
            }
            if let weight = model.stateDict.tensor("\(node.name).weight"), node.op.isParametric, weight.count > largest {
                throw fail("its weight \(weight.shape) has more than the kernels' \(largest) floats")
            }
        }
    }
}
