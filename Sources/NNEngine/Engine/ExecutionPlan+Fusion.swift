// ExecutionPlan+Fusion: the plan's second pass. An activation runs in the epilogue of the
// conv (or folded conv + BatchNorm), or the residual add, that only it reads; a max pool runs
// in the step of the conv (with its folded BatchNorm and fused activation) whose output only
// it reads. Neither fuses when its input is the graph's output. A fused node gets no step and
// aliases the buffer of the step it runs in (a fused pool's conv buffer then holds the pooled map).

import NNCore

extension ExecutionPlan {
    /// Which activations and max pools run inside another node's step.
    struct Fusion {
        /// Conv or add node → the activation node applied in its epilogue.
        var activationOf: [Int: Int] = [:]
        /// Conv node → the max pool node run in its step.
        var poolOf: [Int: Int] = [:]
        /// The fused activation and pool nodes.
        var fused: Set<Int> = []
    }

    /// Pass 2, fuse. Takes the graph and the folded BatchNorms; gives the activation fused
    /// into each conv or add step and the max pool fused into each conv step.
    static func fuse(_ graph: Graph, folding: Folding) -> Fusion {
        let consumers = graph.consumers
        var fusion = Fusion()
        for (i, node) in graph.nodes.enumerated() where Activation(node.op) != nil {
            let input = node.inputs[0]
            guard consumers[input] == [i], input != graph.outputIndex else { continue }
            if case .conv2d = graph.nodes[input].op, folding.batchNormOfConv[input] == nil { fusion.activationOf[input] = i }
            if case .add = graph.nodes[input].op { fusion.activationOf[input] = i }
            if let conv = folding.convOfBatchNorm[input] { fusion.activationOf[conv] = i }
        }
        let activationOwner = Dictionary(fusion.activationOf.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        for (i, node) in graph.nodes.enumerated() {
            guard case .maxPool = node.op, consumers[node.inputs[0]] == [i], node.inputs[0] != graph.outputIndex else { continue }
            let input = node.inputs[0]
            let owner = activationOwner[input] ?? folding.convOfBatchNorm[input] ?? input
            if case .conv2d = graph.nodes[owner].op { fusion.poolOf[owner] = i }
        }
        fusion.fused = Set(fusion.activationOf.values).union(fusion.poolOf.values)
        return fusion
    }
}
