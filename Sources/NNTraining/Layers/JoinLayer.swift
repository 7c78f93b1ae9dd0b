// JoinLayer: the ops that read several inputs: add, mul (with a squeeze-excite gate's broadcast) and concat.
// (To be written: the forward and backward below are placeholders that refuse.)

import NNCore

enum JoinLayer {
    static func forward(_ node: Node, _ inputs: [Tensor]) throws -> Tensor {
        throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "not yet written")
    }

    static func backward(_ context: BackwardContext) throws -> NodeGradient {
        throw TrainingError.unsupportedOp(node: context.node.name, op: "\(context.node.op)", wayOut: "not yet written")
    }
}
