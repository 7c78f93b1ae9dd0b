// StepProfile: what `Executor.profile` measured for one plan step: the graph node(s) it runs,
// the kernel it runs them on, its shapes and multiply-accumulates, and its wall-clock times.
// Also where a Step's kernel name and MACs are defined (`Step.kernelName`, `Step.macs`).

import NNCore

/// One plan step's cost: a fused step (conv + folded BatchNorm + activation + max pool) is one.
public struct StepProfile: Sendable, Equatable {
    /// The name of the graph node the step was lowered from (for a fused step, the conv's).
    public let label: String
    /// PyTorch module types of the nodes the step runs, joined by `+`, e.g. "Conv2d+BatchNorm2d+ReLU".
    public let op: String
    /// The conv kernel chosen (depthwise, grouped, batched, winograd, polyphase, direct, sparse),
    /// or for another step its kind (affine, activation, max-pool, avg-pool, adaptive-avg-pool,
    /// add, mul, concat, slice, shuffle, linear, layer-norm).
    public let kernel: String
    /// Per-sample input shape (the first input's) and output shape.
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// Multiply-accumulates per sample: conv `outC · (inC / groups) · kh · kw · outH · outW`,
    /// linear `in · out · positions`; 0 for every other step (element-wise, pooling, copies).
    public let macs: Int
    /// Samples per timed run.
    public let batch: Int
    /// Wall-clock milliseconds of each timed run of the step (on the whole batch), in run order
    /// (NNEvaluation's `LatencyBenchmark.profile` summarises them).
    public let milliseconds: [Double]

    public init(label: String, op: String, kernel: String, inputShape: [Int], outputShape: [Int], macs: Int, batch: Int,
                milliseconds: [Double]) {
        self.label = label; self.op = op; self.kernel = kernel; self.inputShape = inputShape; self.outputShape = outputShape
        self.macs = macs; self.batch = batch; self.milliseconds = milliseconds
    }
}

extension ConvStep.Kernel {
    /// The kernel's name in profiles: "depthwise", "grouped grid", "grouped direct", "grouped",
    /// "batched", "winograd", "polyphase", "pointwise", "direct" or "sparse".
    var name: String {
        switch self {
        case .depthwise: return "depthwise"
        case .grouped: return "grouped"
        case .groupedDirect: return "grouped direct"
        case .groupedGrid: return "grouped grid"
        case .batched: return "batched"
        case .winograd: return "winograd"
        case .polyphase: return "polyphase"
        case .pointwise: return "pointwise"
        case .direct: return "direct"
        case .sparse: return "sparse"
        }
    }
}

extension Step {
    /// A conv's kernel name, else the step's kind (see `StepProfile.kernel`).
    var kernelName: String {
        switch self {
        case .conv(let conv): return conv.kernel.name
        case .affine: return "affine"
        case .activation: return "activation"
        case .pool(let pool): return pool.max ? "max-pool" : "avg-pool"
        case .adaptiveAvgPool: return "adaptive-avg-pool"
        case .add: return "add"
        case .mul: return "mul"
        case .concat: return "concat"
        case .slice: return "slice"
        case .shuffle: return "shuffle"
        case .linear: return "linear"
        case .layerNorm: return "layer-norm"
        }
    }

    /// Multiply-accumulates per sample (see `StepProfile.macs`). Both factors are within the
    /// plan's 32-bit limits (a lane's output, a weight), so the product fits 64 bits.
    var macs: Int {
        switch self {
        case .conv(let conv): return conv.macs
        case .linear(let l): return l.weight.count * l.positions
        default: return 0
        }
    }
}
