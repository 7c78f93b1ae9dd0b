// BatchNormLayer: nn.BatchNorm2d in training mode (batch statistics, running statistics updated) and evaluation mode, and its backward.
// (To be written: the forward and backward below are placeholders that refuse.)

import NNCore

enum BatchNormLayer {
    static func forward(_ node: Node, _ x: Tensor, eps: Float, training: Bool, _ model: inout TrainableModel) throws -> Tensor {
        throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "not yet written")
    }

    static func backward(_ context: BackwardContext, eps: Float, _ model: TrainableModel) throws -> NodeGradient {
        throw TrainingError.unsupportedOp(node: context.node.name, op: "\(context.node.op)", wayOut: "not yet written")
    }
}
