// ReshapeLayer: ops that move or rescale values without parameters: channel slice and shuffle, flatten, identity, channel affine.
// (To be written: the forward and backward below are placeholders that refuse.)

import NNCore

enum ReshapeLayer {
    static func forward(_ node: Node, _ x: Tensor) throws -> Tensor {
        throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "not yet written")
    }

    static func backward(_ context: BackwardContext) throws -> NodeGradient {
        throw TrainingError.unsupportedOp(node: context.node.name, op: "\(context.node.op)", wayOut: "not yet written")
    }
}
