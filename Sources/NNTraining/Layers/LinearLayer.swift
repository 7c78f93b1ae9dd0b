// LinearLayer: nn.Linear's forward and backward, on vectors [N, F] and on feature maps [N, C, H, W].
// (To be written: the forward and backward below are placeholders that refuse.)

import NNCore

enum LinearLayer {
    static func forward(_ node: Node, _ x: Tensor, _ model: TrainableModel) throws -> Tensor {
        throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "not yet written")
    }

    static func backward(_ context: BackwardContext, _ model: TrainableModel) throws -> NodeGradient {
        throw TrainingError.unsupportedOp(node: context.node.name, op: "\(context.node.op)", wayOut: "not yet written")
    }
}
