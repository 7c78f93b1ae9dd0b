// ExecutionPlan+KernelSelection: the plan's last pass. Once the weights are final (BatchNorms
// folded), each conv step chooses its kernel (`ConvStep.selectKernel`, which holds the rules:
// depthwise, grouped, batched on small maps, sparse at or below its kind's density crossover,
// Winograd F(4x4, 3x3) for stride-1 3x3, polyphase F(4x4, 4x4) for a stride-2 7x7 stem, else
// direct), and with it how much scratch the step needs.

extension ExecutionPlan {
    /// Pass 5, select kernels. Takes the lowered steps; gives them with every conv's kernel
    /// chosen (and its weights packed or transformed for it); other steps unchanged.
    ///
    /// - Parameters:
    ///   - sparseDensityLimit: convs with at most this density of nonzero weights use the sparse
    ///     kernel; nil: each conv kind's measured crossover (`SparseCrossover`).
    ///   - winograd: let dense stride-1 3x3 convs run as Winograd F(4x4, 3x3) and dense stride-2
    ///     7x7 ones as F(4x4, 4x4) over their stride phases.
    ///   - capacity: samples per lane.
    ///   - outputSplits: threads that share a single image's output channels.
    ///   - pool: the threads they run on (nil: one after the other).
    static func selectKernels(_ steps: [Step], sparseDensityLimit: Double?, winograd: Bool, capacity: Int, outputSplits: Int,
                              pool: WorkerPool?) -> [Step] {
        steps.map { step in
            guard case .conv(var conv) = step else { return step }
            conv.selectKernel(densityLimit: sparseDensityLimit, winograd: winograd, capacity: capacity, outputSplits: outputSplits)
            conv.threads = pool
            return .conv(conv)
        }
    }
}
