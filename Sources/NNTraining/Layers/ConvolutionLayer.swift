// ConvolutionLayer: nn.Conv2d's forward and backward (grouped, depthwise, dilated, strided, asymmetric padding).
// (To be written: the forward and backward below are placeholders that refuse.)

import NNCore

enum ConvolutionLayer {
    static func forward(_ node: Node, _ x: Tensor, _ attributes: Conv2dAttributes, _ model: TrainableModel) throws -> Tensor {
        throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "not yet written")
    }

    static func backward(_ context: BackwardContext, _ attributes: Conv2dAttributes, _ model: TrainableModel) throws -> NodeGradient {
        throw TrainingError.unsupportedOp(node: context.node.name, op: "\(context.node.op)", wayOut: "not yet written")
    }
}
