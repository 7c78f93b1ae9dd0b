// StepOrigin: which graph nodes a plan step computes, so a step can be named and described
// (`Executor.profile`): its own node (a conv, add, linear...), then the nodes folded or fused
// into it (a BatchNorm, an activation, a max pool), and its per-sample input and output shapes.

import NNCore

/// The graph nodes behind one plan step.
struct StepOrigin: Equatable {
    /// The node the step was lowered from; the step's label is its name.
    let node: Int
    /// The concat fused into `node` (an affine that reads its inputs), `node`, then the
    /// BatchNorm folded into it, the activation and the max pool fused into it (those it has),
    /// in that order.
    let nodes: [Int]
    /// Per-sample shape the step reads (its node's first input's).
    let input: [Int]
    /// Per-sample shape the step writes (its last node's: the pooled map when a pool is fused).
    let output: [Int]

    /// The origins of the steps lowered from `nodes` (in step order), given the plan's folding
    /// and fusion passes.
    static func of(_ nodes: [Int], graph: Graph, shapes: [[Int]], folding: ExecutionPlan.Folding,
                   fusion: ExecutionPlan.Fusion) -> [StepOrigin] {
        let batchNormOf = Dictionary(folding.convOfBatchNorm.map { ($1, $0) }, uniquingKeysWith: min)
        let convOfPool = Dictionary(fusion.poolBefore.map { ($1, $0) }, uniquingKeysWith: min)
        return nodes.map { node in
            // A 1x1 conv and the average pool run before it swap steps: the conv node's step is
            // the pool's, on the conv's input, and the pool node's the conv's, on the pooled map.
            if let pool = fusion.poolBefore[node] {
                let input = shapes[graph.nodes[node].inputs[0]], pooled = [input[0]] + shapes[pool][1...]
                return StepOrigin(node: pool, nodes: [pool], input: input, output: pooled)
            }
            if let conv = convOfPool[node] {
                return StepOrigin(node: conv, nodes: [conv], input: [shapes[graph.nodes[conv].inputs[0]][0]] + shapes[node][1...],
                                  output: shapes[node])
            }
            let chain = [fusion.concatOf[node], node, batchNormOf[node], fusion.activationOf[node], fusion.poolOf[node]].compactMap { $0 }
            return StepOrigin(node: node, nodes: chain, input: graph.nodes[node].inputs.first.map { shapes[$0] } ?? shapes[node],
                              output: shapes[chain[chain.count - 1]])
        }
    }
}
