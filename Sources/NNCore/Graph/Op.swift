// Op: the single enum of operations a Shears graph is made of. Parameters are not held
// here: a parametric op reads them from the model's StateDict under its node's name
// ("<node.name>.weight", ".bias", ".running_mean", ".running_var"), the way the
// PyTorch module with that name owns them.

/// Height/width pair used for kernel, stride, padding and dilation.
public struct Size2: Equatable, Sendable, CustomStringConvertible {
    public var h: Int
    public var w: Int
    public init(_ h: Int, _ w: Int) { self.h = h; self.w = w }
    public init(_ both: Int) { self.h = both; self.w = both }
    public var description: String { h == w ? "\(h)" : "(\(h), \(w))" }
}

/// Attributes of `nn.Conv2d`. Kernel size and channel counts come from the weight
/// `[out, in/groups, kh, kw]`; a bias `[out]` is used when the state dict has one.
///
/// `padding` is the top/left padding, `paddingEnd` the bottom/right one (equal in PyTorch;
/// ONNX `pads` may differ).
public struct Conv2dAttributes: Equatable, Sendable {
    public var stride: Size2
    public var padding: Size2
    public var paddingEnd: Size2
    public var dilation: Size2
    public var groups: Int

    public init(stride: Size2 = Size2(1), padding: Size2 = Size2(0), paddingEnd: Size2? = nil,
                dilation: Size2 = Size2(1), groups: Int = 1) {
        self.stride = stride; self.padding = padding; self.paddingEnd = paddingEnd ?? padding
        self.dilation = dilation; self.groups = groups
    }
}

/// Attributes of `nn.MaxPool2d` / `nn.AvgPool2d`.
///
/// Output size per axis: `floor((in + pad + padEnd - dilation*(k-1) - 1) / stride) + 1`
/// (ceil instead of floor when `ceilMode`, as torch computes it).
public struct Pool2dAttributes: Equatable, Sendable {
    public var kernel: Size2
    public var stride: Size2
    /// Top/left padding; `paddingEnd` is the bottom/right one.
    public var padding: Size2
    public var paddingEnd: Size2
    public var dilation: Size2
    public var ceilMode: Bool
    /// AvgPool only: whether padded zeros count in the divisor (torch's default true).
    public var countIncludePad: Bool

    public init(kernel: Size2, stride: Size2? = nil, padding: Size2 = Size2(0), paddingEnd: Size2? = nil,
                dilation: Size2 = Size2(1), ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.padding = padding
        self.paddingEnd = paddingEnd ?? padding
        self.dilation = dilation; self.ceilMode = ceilMode; self.countIncludePad = countIncludePad
    }
}

/// One operation of the graph.
public enum Op: Equatable, Sendable {
    /// The network input, `[N, C, H, W]`. Exactly one node, the first.
    case input
    /// `nn.Conv2d`: `y[n,o] = b[o] + Σ_{c in group(o), i, j} w[o, c, i, j] · x[n, c, s·y+d·i-p, s·x+d·j-p]`.
    case conv2d(Conv2dAttributes)
    /// `nn.BatchNorm2d` in eval mode: `y = (x - mean) / sqrt(var + eps) · gamma + beta`, per channel.
    case batchNorm(eps: Float)
    /// `max(x, 0)`.
    case relu
    /// `min(max(x, 0), 6)`.
    case relu6
    /// `x < 0 ? slope · x : x`.
    case leakyRelu(slope: Float)
    /// `min(max(x, lower), upper)` (ONNX `Clip` other than ReLU/ReLU6).
    case clip(lower: Float, upper: Float)
    /// `1 / (1 + exp(−x))`.
    case sigmoid
    /// `max(0, min(1, alpha · x + beta))` (`nn.Hardsigmoid`: alpha 1/6, beta 1/2).
    case hardSigmoid(alpha: Float, beta: Float)
    /// `nn.Hardswish`: `x · min(max(x + 3, 0), 6) / 6`.
    case hardSwish
    /// `nn.SiLU` (swish): `x · sigmoid(x) = x / (1 + exp(−x))`.
    case silu
    /// `nn.GELU`: `x · Φ(x) = x/2 · (1 + erf(x / √2))`, or with `tanh` torch's approximation
    /// `x/2 · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))` (`approximate='tanh'`).
    case gelu(tanh: Bool)
    /// `nn.MaxPool2d` (padding counts as -inf).
    case maxPool(Pool2dAttributes)
    /// `nn.AvgPool2d`.
    case avgPool(Pool2dAttributes)
    /// `nn.AdaptiveAvgPool2d((h, w))`: bins `[floor(i·in/out), ceil((i+1)·in/out))`.
    case adaptiveAvgPool(Size2)
    /// Element-wise sum of two inputs of equal shape (a residual join).
    case add
    /// Element-wise product of a feature map `[C, H, W]` and a second input of the same shape
    /// or `[C, 1, 1]` (a squeeze-excite gate, broadcast over H·W).
    case mul
    /// `torch.cat(inputs, dim=1)`: channels of every input in order; equal H and W.
    case concat
    /// Channels `start ..< start + count` of the input (`torch.chunk`/`split` along dim 1).
    case channelSlice(start: Int, count: Int)
    /// `nn.ChannelShuffle(g)`: view `[g, C/g, H, W]`, swap the first two axes, view back:
    /// output channel `j·g + i` is input channel `i·(C/g) + j`.
    case channelShuffle(groups: Int)
    /// `torch.flatten(x, 1)`: `[N, C, H, W]` → `[N, C·H·W]`.
    case flatten
    /// `nn.Linear`: `y = x · Wᵀ + b`, weight `[out, in]`. On a vector `[in]` (after a
    /// flatten) it gives `[out]`; on a feature map `[in, H, W]` it acts on the channels at
    /// every position, `y[o, p] = b[o] + Σ_c W[o, c] · x[c, p]` → `[out, H, W]` (a 1x1 conv
    /// that keeps torch's `[out, in]` weight): what ConvNeXt's `Linear` between a permute to
    /// channels-last and one back computes, so the graph stays NCHW and the parameters keep
    /// their keys and shapes.
    case linear
    /// LayerNorm over the channels at every position: per sample and position p,
    /// `μ = Σ_c x[c, p] / C`, `σ² = Σ_c (x[c, p] − μ)² / C`,
    /// `y[c, p] = (x[c, p] − μ) / √(σ² + eps) · w[c] + b[c]`, weight `[C]` and optional bias
    /// `[C]` under `<name>.weight` / `.bias`. torchvision's `LayerNorm2d` and a
    /// `nn.LayerNorm(C)` between permutes to channels-last and back (ConvNeXt's CNBlock) are
    /// both this one op, so no layout op enters the graph; on a vector `[F]` it is
    /// `nn.LayerNorm(F)`. It couples all channels of a position: channel removal pins its space.
    case layerNorm(eps: Float)
    /// `y[c] = x[c] · s[c]` with a parameter `s` of shape `[C, 1, 1]` stored under the
    /// node's name itself (not `<name>.weight`): ConvNeXt's `layer_scale`, a parameter its
    /// CNBlock owns, whose key `features.1.0.layer_scale` thus round-trips through every
    /// importer and exporter unchanged.
    case channelScale
    /// Passes its input through (`nn.Identity`; a dropout whose p the file does not give).
    case identity
    /// `nn.Dropout(p)` (`wholeChannels` false) or `nn.Dropout2d(p)` (true). Inference and
    /// evaluation mode: the identity. Training mode: `y = x · m / (1 − p)` with `m` a 0/1 mask
    /// kept with probability `1 − p`, drawn per element of `[N, …]` (Dropout) or per channel
    /// `[N, C]` of `[N, C, H, W]`, shared by its H·W values (Dropout2d); `p = 1` gives `x · 0`.
    case dropout(p: Float, wholeChannels: Bool)
    /// `y[c] = x[c] · scale[c] + shift[c]` per channel of a feature map, the constants held in
    /// the op (no parameters): GoogLeNet's `transform_input`, which maps ImageNet-normalised
    /// images to images normalised with mean 0.5 and std 0.5.
    case channelAffine(scale: [Float], shift: [Float])

    /// Whether the op owns parameters in the state dict.
    public var isParametric: Bool {
        switch self {
        case .conv2d, .batchNorm, .linear, .layerNorm, .channelScale: return true
        default: return false
        }
    }
}
