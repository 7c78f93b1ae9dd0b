// Step: one compiled kernel call of an ExecutionPlan, reading and writing plan buffers.
// Buffers hold a batch of per-sample blocks: sample n of a node starts at n · sampleSize.

/// Element-wise activation kinds.
enum Activation {
    case relu, relu6
    case leaky(Float)
}

/// One kernel invocation over a batch.
enum Step {
    case conv(ConvStep)
    /// Per-channel `y = x · scale[c] + shift[c]` (an unfolded BatchNorm).
    case affine(ChannelAffine, channels: Int, spatial: Int, source: Int, destination: Int)
    case activation(Activation, count: Int, source: Int, destination: Int)
    case pool(PoolStep)
    case adaptiveAvgPool(input: [Int], output: [Int], source: Int, destination: Int)
    case add(count: Int, first: Int, second: Int, destination: Int)
    case linear(LinearStep)

    /// Runs the step on the first `batch` samples.
    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>) {
        switch self {
        case .conv(let conv):
            conv.run(batch: batch, buffers: buffers, scratch: scratch)
        case .affine(let affine, let channels, let spatial, let source, let destination):
            let x = buffers[source], y = buffers[destination]
            for n in 0..<batch {
                for c in 0..<channels {
                    let base = (n * channels + c) * spatial
                    let a = affine.scale[c], b = affine.shift[c]
                    for k in 0..<spatial { y[base + k] = x[base + k] * a + b }
                }
            }
        case .activation(let kind, let count, let source, let destination):
            let x = buffers[source], y = buffers[destination]
            let total = count * batch
            switch kind {
            case .relu: for k in 0..<total { y[k] = max(x[k], 0) }
            case .relu6: for k in 0..<total { y[k] = min(max(x[k], 0), 6) }
            case .leaky(let slope): for k in 0..<total { let v = x[k]; y[k] = v < 0 ? v * slope : v }
            }
        case .pool(let pool):
            pool.run(batch: batch, buffers: buffers)
        case .adaptiveAvgPool(let input, let output, let source, let destination):
            AdaptiveAvgPool.run(batch: batch, input: input, output: output, x: buffers[source], y: buffers[destination])
        case .add(let count, let first, let second, let destination):
            let a = buffers[first], b = buffers[second], y = buffers[destination]
            for k in 0..<(count * batch) { y[k] = a[k] + b[k] }
        case .linear(let linear):
            linear.run(batch: batch, buffers: buffers)
        }
    }
}

/// BatchNorm in eval mode as a per-channel affine map:
/// `scale = γ / √(σ² + ε)`, `shift = β − μ · scale`, so `y = x · scale + shift`.
struct ChannelAffine {
    let scale: [Float]
    let shift: [Float]

    init(batchNorm name: String, node: Node, stateDict: StateDict) {
        guard case .batchNorm(let eps) = node.op else { preconditionFailure("\(name) is not a BatchNorm") }
        let gamma = stateDict.tensor("\(name).weight")!.scalars
        let beta = stateDict.tensor("\(name).bias")!.scalars
        let mean = stateDict.tensor("\(name).running_mean")!.scalars
        let variance = stateDict.tensor("\(name).running_var")!.scalars
        let scale = gamma.indices.map { gamma[$0] / (variance[$0] + eps).squareRoot() }
        self.scale = scale
        self.shift = beta.indices.map { beta[$0] - mean[$0] * scale[$0] }
    }
}
