// ActivationLayer: the element-wise activations (ReLU, ReLU6, leaky ReLU, clip, sigmoid,
// hard sigmoid, hard swish, SiLU, GELU), forward and backward.
// (To be written: the forward and backward below are placeholders that refuse.)

import NNCore

enum ActivationLayer {
    static func forward(_ op: Op, _ x: Tensor) throws -> Tensor {
        throw TrainingError.unsupportedOp(node: "activation", op: "\(op)", wayOut: "not yet written")
    }

    static func backward(_ op: Op, _ context: BackwardContext) throws -> Tensor? {
        throw TrainingError.unsupportedOp(node: context.node.name, op: "\(op)", wayOut: "not yet written")
    }
}
