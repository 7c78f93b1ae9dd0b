// LayerNormLayer: LayerNorm over the channels at every position (and over a vector's features), forward and backward.
// (To be written: the forward and backward below are placeholders that refuse.)

import NNCore

enum LayerNormLayer {
    static func forward(_ node: Node, _ x: Tensor, eps: Float, _ model: TrainableModel) throws -> Tensor {
        throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "not yet written")
    }

    static func backward(_ context: BackwardContext, eps: Float, _ model: TrainableModel) throws -> NodeGradient {
        throw TrainingError.unsupportedOp(node: context.node.name, op: "\(context.node.op)", wayOut: "not yet written")
    }
}
