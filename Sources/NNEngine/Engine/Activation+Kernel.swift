// Activation+Kernel: an activation as the C kernels take it, to apply in their stores, and the
// one a conv's kernel stores with.

import CKernels

extension Activation {
    /// The activation as the C kernels apply it in their stores (`shears_activation`), nil for
    /// GELU (applied in a pass after the kernel).
    var kernelActivation: shears_activation? {
        func make(_ kind: shears_activation_kind, _ a: Float = 0, _ b: Float = 0) -> shears_activation {
            shears_activation(kind: Int32(kind.rawValue), a: a, b: b)
        }
        switch self {
        case .relu: return make(SHEARS_ACTIVATION_CLIP, 0, .infinity)
        case .relu6: return make(SHEARS_ACTIVATION_CLIP, 0, 6)
        case .clip(let lower, let upper): return make(SHEARS_ACTIVATION_CLIP, lower, upper)
        case .leaky(let slope): return make(SHEARS_ACTIVATION_LEAKY, slope)
        case .hardSigmoid(let alpha, let beta): return make(SHEARS_ACTIVATION_HARD_SIGMOID, alpha, beta)
        case .hardSwish: return make(SHEARS_ACTIVATION_HARD_SWISH)
        case .sigmoid: return make(SHEARS_ACTIVATION_SIGMOID)
        case .silu: return make(SHEARS_ACTIVATION_SILU)
        case .gelu: return nil
        }
    }
}

extension ConvStep {
    /// The activation the depthwise, pointwise and small-map kernels apply in their stores: the
    /// epilogue's, or none (no epilogue, or GELU, which `applyEpilogue` runs after the kernel).
    var storeActivation: shears_activation {
        epilogue?.kernelActivation ?? shears_activation(kind: Int32(SHEARS_ACTIVATION_NONE.rawValue), a: 0, b: 0)
    }
}
