// ActivationLayer: the element-wise activations (ReLU, ReLU6, leaky ReLU, clip, sigmoid,
// hard sigmoid, hard swish, SiLU, GELU), forward and backward with torch's derivatives,
// boundaries included: which side of each kink gets the gradient, and what a NaN gets.

import Foundation
import NNCore

enum ActivationLayer {
    /// `√½`, `√(2/π)` and `1/√(2π)` for GELU.
    private static let sqrtHalf: Float = 0.70710678118654752440
    private static let sqrtTwoOverPi: Float = 0.79788456080286535588
    private static let inverseSqrtTwoPi: Float = 0.39894228040143267794

    /// `y = f(x)` element-wise, any shape, as the inference engine and torch compute it (NaN in, NaN out).
    static func forward(_ op: Op, _ x: Tensor) throws -> Tensor {
        switch op {
        case .relu: return x.mapped { max($0, 0) }
        case .relu6: return x.mapped { min(max($0, 0), 6) }
        case .leakyRelu(let slope): return x.mapped { $0 > 0 ? $0 : $0 * slope }
        case .clip(let lower, let upper): return x.mapped { min(max($0, lower), upper) }
        case .sigmoid: return x.mapped { 1 / (1 + expf(-$0)) }
        case .hardSigmoid(let alpha, let beta) where isTorchHardSigmoid(alpha, beta): return x.mapped { min(max($0 + 3, 0), 6) / 6 }
        case .hardSigmoid(let alpha, let beta): return x.mapped { min(max(alpha * $0 + beta, 0), 1) }
        case .hardSwish: return x.mapped { $0 * min(max($0 + 3, 0), 6) / 6 }
        case .silu: return x.mapped { $0 / (1 + expf(-$0)) }
        case .gelu(tanh: false): return x.mapped { 0.5 * $0 * (1 + erff($0 * sqrtHalf)) }
        case .gelu(tanh: true): return x.mapped { v in 0.5 * v * (1 + tanhf(sqrtTwoOverPi * (v + 0.044715 * v * v * v))) }
        default: throw TrainingError.unsupportedOp(node: "activation", op: "\(op)", wayOut: "it is not an element-wise activation")
        }
    }

    /// `∂L/∂x` from `g = ∂L/∂y`, the gradient torch's autograd gives (torch 2.15, checked at every
    /// boundary by the fixtures; nil when the input needs none):
    /// - relu: `threshold_backward(g, y, 0)`: `y <= 0 ? 0 : g` (a NaN passes g);
    /// - relu6 (`hardtanh_backward(g, x, 0, 6)`): `x <= 0 || x >= 6 ? 0 : g`;
    /// - leaky ReLU: `x > 0 ? g : slope · g`; clip (`torch.clamp`): `lower < x < upper ? g : 0` (0 at the bounds);
    /// - sigmoid: `g · (1 − y) · y`;
    /// - hard sigmoid: `g · alpha` where `0 < alpha·x + beta < 1` (torch's `−3 < x < 3 ? g/6 : 0`), else 0;
    /// - hard swish: `x <= −3 ? 0 : x < 3 ? g · (x/3 + ½) : g`;
    /// - SiLU: `g · s · (1 + x · (1 − s))`, `s = sigmoid(x)`;
    /// - GELU: `g · (Φ(x) + x · φ(x))`, or the tanh form's derivative
    ///   `g · (½(1 + t) + ½x · (1 − t²) · √(2/π)(1 + 3·0.044715·x²))`, `t = tanh(√(2/π)(x + 0.044715·x³))`.
    static func backward(_ op: Op, _ context: BackwardContext) throws -> Tensor? {
        guard context.needsInputGradient.first == true else { return nil }
        let x = context.inputs[0], y = context.output, g = context.gradient
        let what = "\(context.node.name): the gradient at the output and the input"
        guard y.shape == x.shape else { throw TrainingError.shapeMismatch("\(context.node.name): output \(y.shape), input \(x.shape)") }
        switch op {
        case .relu: return try Tensor.zipped(y, g, what) { y, g in y <= 0 ? 0 : g }
        case .relu6: return try Tensor.zipped(x, g, what) { x, g in x <= 0 || x >= 6 ? 0 : g }
        case .leakyRelu(let slope): return try Tensor.zipped(x, g, what) { x, g in x > 0 ? g : g * slope }
        case .clip(let lower, let upper): return try Tensor.zipped(x, g, what) { x, g in x > lower && x < upper ? g : 0 }
        case .sigmoid: return try Tensor.zipped(y, g, what) { y, g in g * (1 - y) * y }
        case .hardSigmoid(let alpha, let beta) where isTorchHardSigmoid(alpha, beta):
            return try Tensor.zipped(x, g, what) { x, g in x > -3 && x < 3 ? g * alpha : 0 }
        case .hardSigmoid(let alpha, let beta):
            return try Tensor.zipped(x, g, what) { x, g in
                let t = alpha * x + beta
                return t > 0 && t < 1 ? g * alpha : 0
            }
        case .hardSwish: return try Tensor.zipped(x, g, what) { x, g in x <= -3 ? 0 : x < 3 ? g * (x / 3 + 0.5) : g }
        case .silu:
            return try Tensor.zipped(x, g, what) { x, g in
                let s = 1 / (1 + expf(-x))
                return g * s * (1 + x * (1 - s))
            }
        case .gelu(tanh: false):
            return try Tensor.zipped(x, g, what) { x, g in
                let cdf = 0.5 * (1 + erff(x * sqrtHalf)), pdf = expf(-0.5 * x * x) * inverseSqrtTwoPi
                return g * (cdf + x * pdf)
            }
        case .gelu(tanh: true):
            return try Tensor.zipped(x, g, what) { x, g in
                let t = tanhf(sqrtTwoOverPi * (x + 0.044715 * x * x * x))
                let innerDerivative = sqrtTwoOverPi * (1 + 3 * 0.044715 * x * x)
                return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * innerDerivative)
            }
        default: throw TrainingError.unsupportedOp(node: context.node.name, op: "\(op)", wayOut: "it is not an element-wise activation")
        }
    }

    /// Whether the constants are `nn.Hardsigmoid`'s (1/6, 1/2), computed as torch does (`relu6(x + 3) / 6`).
    private static func isTorchHardSigmoid(_ alpha: Float, _ beta: Float) -> Bool { alpha == 1 / 6 && beta == 0.5 }
}

