// Step: one compiled kernel call of an ExecutionPlan, reading and writing plan buffers.
// Buffers hold a batch of per-sample blocks: sample n of a node starts at n · sampleSize.

import NNCore
import Foundation

/// Element-wise activation kinds.
enum Activation: Equatable {
    case relu, relu6
    case leaky(Float)
    case clip(Float, Float)
    case sigmoid
    /// `min(max(alpha·x + beta, 0), 1)`; torch's `relu6(x + 3) / 6` when alpha = 1/6, beta = 1/2.
    case hardSigmoid(Float, Float)
    /// `x · relu6(x + 3) / 6`.
    case hardSwish
    /// `x / (1 + exp(−x))`.
    case silu
    /// `x/2 · (1 + erf(x/√2))`, or torch's tanh approximation.
    case gelu(tanh: Bool)

    /// The activation an element-wise op computes, or nil for any other op.
    init?(_ op: Op) {
        switch op {
        case .relu: self = .relu
        case .relu6: self = .relu6
        case .leakyRelu(let slope): self = .leaky(slope)
        case .clip(let lower, let upper): self = .clip(lower, upper)
        case .sigmoid: self = .sigmoid
        case .hardSigmoid(let alpha, let beta): self = .hardSigmoid(alpha, beta)
        case .hardSwish: self = .hardSwish
        case .silu: self = .silu
        case .gelu(let tanh): self = .gelu(tanh: tanh)
        default: return nil
        }
    }

    /// The activation applied to one value.
    @inline(__always)
    func apply(_ v: Float) -> Float {
        switch self {
        case .relu: return max(v, 0)
        case .relu6: return min(max(v, 0), 6)
        case .leaky(let slope): return v < 0 ? v * slope : v
        case .clip(let lower, let upper): return min(max(v, lower), upper)
        case .sigmoid: return 1 / (1 + expf(-v))
        case .hardSigmoid(let alpha, let beta):
            if alpha == 1 / 6 && beta == 0.5 { return min(max(v + 3, 0), 6) / 6 }
            return min(max(alpha * v + beta, 0), 1)  // NaN stays NaN, as in torch
        case .hardSwish: return v * min(max(v + 3, 0), 6) / 6
        case .silu: return v / (1 + expf(-v))
        case .gelu(tanh: false): return 0.5 * v * (1 + erff(v * 0.70710678118654752440))
        case .gelu(tanh: true):
            let inner: Float = 0.79788456080286535588 * (v + 0.044715 * v * v * v)
            return 0.5 * v * (1 + tanhf(inner))
        }
    }
}

/// One kernel invocation over a batch.
enum Step {
    case conv(ConvStep)
    /// Per-channel `y = epilogue(x · scale[c] + shift[c])` (an unfolded BatchNorm, a layer scale or a
    /// channel affine, with the activation that only reads it fused); x's channels are those of
    /// `sources` (one buffer, or the inputs of a concat that only the affine reads).
    case affine(ChannelAffine, spatial: Int, sources: ChannelSources, destination: Int, epilogue: Activation?)
    case activation(Activation, count: Int, source: Int, destination: Int)
    case pool(PoolStep)
    case adaptiveAvgPool(input: [Int], output: [Int], source: Int, destination: Int)
    /// `y = epilogue(a + b)` (a residual add, with the activation that only reads it fused).
    case add(count: Int, first: Int, second: Int, destination: Int, epilogue: Activation?)
    /// `y = a · b`; `b` has `count` floats per sample, or one per channel when `perChannel`
    /// (each of `channels` values scales a run of `count / channels` floats).
    case mul(count: Int, channels: Int, perChannel: Bool, first: Int, second: Int, destination: Int)
    /// Per sample, the inputs' blocks (`sizes[k]` floats each) one after the other.
    case concat(sizes: [Int], sources: [Int], destination: Int)
    /// Per sample, `count` floats from offset `start` of a `size`-float block.
    case slice(size: Int, start: Int, count: Int, source: Int, destination: Int)
    /// Channel shuffle of `channels` planes of `spatial` floats in `groups` groups.
    case shuffle(channels: Int, spatial: Int, groups: Int, source: Int, destination: Int)
    case linear(LinearStep)
    case layerNorm(LayerNormStep)

    /// Floats of lane scratch the step needs (a conv's for its chosen kernel, a max pool's
    /// padded plane, a LayerNorm's per-position statistics); 0 for the others.
    var scratchSize: Int {
        switch self {
        case .conv(let conv): return conv.scratchSize
        case .pool(let pool): return pool.scratchSize
        case .layerNorm(let norm): return norm.scratchSize
        default: return 0
        }
    }

    /// Runs the step on the first `batch` samples; a single image's step splits its work over
    /// `pool` (the lane's threads) when given.
    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>, pool: WorkerPool?) {
        switch self {
        case .conv(let conv):
            conv.run(batch: batch, buffers: buffers, scratch: scratch)
        case .affine(let affine, let spatial, let sources, let destination, let epilogue):
            Self.planeAffine(planes: batch * sources.total, spatial: spatial, x: { sources.plane($0, spatial: spatial, in: buffers) },
                             buffers[destination], scale: { affine.scale[$0 % sources.total] },
                             shift: { affine.shift[$0 % sources.total] }, epilogue: epilogue, pool: pool)
        case .activation(let kind, let count, let source, let destination):
            kind.apply(buffers[source], buffers[destination], count: count * batch, pool: pool)
        case .pool(let step):
            step.run(batch: batch, buffers: buffers, scratch: scratch, pool: pool)
        case .adaptiveAvgPool(let input, let output, let source, let destination):
            AdaptiveAvgPool.run(batch: batch, input: input, output: output, x: buffers[source], y: buffers[destination], pool: pool)
        case .add(let count, let first, let second, let destination, let epilogue):
            Self.add(buffers[first], buffers[second], buffers[destination], count: count * batch, epilogue: epilogue, pool: pool)
        case .mul(let count, let channels, let perChannel, let first, let second, let destination):
            let a = buffers[first], b = buffers[second], y = buffers[destination]
            if perChannel {
                let spatial = count / channels
                Self.planeAffine(planes: batch * channels, spatial: spatial, x: { UnsafePointer(a + $0 * spatial) }, y, scale: { b[$0] },
                                 shift: nil, epilogue: nil, pool: pool)
            } else {
                Self.mul(a, b, y, count: count * batch, pool: pool)
            }
        case .concat(let sizes, let sources, let destination):
            Self.concat(sizes: sizes, sources: sources, buffers: buffers, destination: destination, batch: batch, pool: pool)
        case .slice(let size, let start, let count, let source, let destination):
            let x = buffers[source], y = buffers[destination]
            for n in 0..<batch { (y + n * count).update(from: x + n * size + start, count: count) }
        case .shuffle(let channels, let spatial, let groups, let source, let destination):
            let x = buffers[source], y = buffers[destination]
            let perGroup = channels / groups
            for n in 0..<batch {
                let base = n * channels * spatial
                for i in 0..<groups {
                    for j in 0..<perGroup {
                        (y + base + (j * groups + i) * spatial).update(from: x + base + (i * perGroup + j) * spatial, count: spatial)
                    }
                }
            }
        case .linear(let linear):
            linear.run(batch: batch, buffers: buffers, pool: pool)
        case .layerNorm(let norm):
            norm.run(batch: batch, buffers: buffers, scratch: scratch)
        }
    }
}

/// A per-channel affine map `y = x · scale + shift`: BatchNorm in eval mode
/// (`scale = γ / √(σ² + ε)`, `shift = β − μ · scale`), a layer scale (shift 0, exact) or an
/// `Op.channelAffine`.
struct ChannelAffine {
    let scale: [Float]
    let shift: [Float]

    init(scale: [Float], shift: [Float]) {
        self.scale = scale; self.shift = shift
    }

    /// A layer scale: the `[C, 1, 1]` parameter stored under `name`.
    init(layerScale name: String, stateDict: StateDict) {
        let scale = stateDict.tensor(name)!.scalars
        self.init(scale: scale, shift: [Float](repeating: 0, count: scale.count))
    }

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
