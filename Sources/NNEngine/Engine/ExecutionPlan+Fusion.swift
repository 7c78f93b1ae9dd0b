// ExecutionPlan+Fusion: the plan's second pass. An activation runs in the epilogue of the
// conv (or folded conv + BatchNorm), the residual add or the unfolded per-channel affine
// (BatchNorm, channel scale or affine) that only it reads; a concat that only such an affine
// reads runs in the affine's step, which reads the concat's inputs where they are (DenseNet's
// `cat` → BatchNorm → ReLU: one pass instead of three); an average pool that alone reads a
// 1x1 conv runs before it, on its input (DenseNet's transitions: the conv then has a quarter of
// the positions; both are affine per position, so only the rounding changes); a max pool runs
// in the step of the conv (with its folded BatchNorm and fused activation) whose output only
// it reads; a residual add runs in the store of a pointwise conv (1x1, stride 1, unpadded,
// ungrouped, on a map the pointwise kernel takes) that only it reads, when its other operand
// (the skip) is computed before that conv: `y = act(conv(x) + skip)` with the add's activation;
// a squeeze-excite gate (a per-channel mul `x · g`, g of shape [C, 1, 1]) runs in the pointwise-
// shaped ungrouped conv that only reads it, `y = conv(x · g)` (the conv scales its weights by
// g, or x into scratch). None fuses when its input is the graph's output. A fused node gets no step and aliases the
// buffer of the step it runs in (a fused pool's conv buffer then holds the pooled map, a fused
// add's the conv's, a fused gate's x).

import NNCore

extension ExecutionPlan {
    /// Which activations and max pools run inside another node's step.
    struct Fusion {
        /// Conv, add or affine node → the activation node applied in its epilogue.
        var activationOf: [Int: Int] = [:]
        /// Affine node → the concat node whose inputs it reads.
        var concatOf: [Int: Int] = [:]
        /// Conv node → the max pool node run in its step.
        var poolOf: [Int: Int] = [:]
        /// 1x1 conv node → the average pool node that alone reads it, run first on the conv's
        /// input: the conv node's step pools (into its buffer, sized for the pooled input), the
        /// pool node's convolves the pooled map.
        var poolBefore: [Int: Int] = [:]
        /// Conv node → the residual add run in its store.
        var residualOf: [Int: Residual] = [:]
        /// Conv node → the squeeze-excite gate applied to its input.
        var gateOf: [Int: Gate] = [:]
        /// The fused activation, concat, pool, add and gate nodes.
        var fused: Set<Int> = []
    }

    /// A residual add run in a conv's store.
    struct Residual {
        /// The add node, the conv's side of it (the conv, or its folded BatchNorm) and the skip.
        let add: Int, operand: Int, skip: Int
    }

    /// A per-channel mul `x · g` (g: [C, 1, 1]) run in the conv that reads it.
    struct Gate {
        /// The mul node, its map operand x and its per-channel operand g.
        let mul: Int, map: Int, gate: Int
    }

    /// Pass 2, fuse. Takes the graph, its per-node shapes and the folded BatchNorms; gives the
    /// activation fused into each conv, add or affine step, the concat fused into each affine
    /// step, the max pool and residual add fused into each conv step, and the average pools run
    /// before their 1x1 convs.
    static func fuse(_ graph: Graph, shapes: [[Int]], folding: Folding) -> Fusion {
        let consumers = graph.consumers
        var fusion = Fusion()
        for (i, node) in graph.nodes.enumerated() where Activation(node.op) != nil {
            let input = node.inputs[0]
            guard consumers[input] == [i], input != graph.outputIndex else { continue }
            if case .conv2d = graph.nodes[input].op, folding.batchNormOfConv[input] == nil { fusion.activationOf[input] = i }
            if case .add = graph.nodes[input].op { fusion.activationOf[input] = i }
            if let conv = folding.convOfBatchNorm[input] { fusion.activationOf[conv] = i }
            if isAffineStep(graph.nodes[input].op, folded: folding.convOfBatchNorm[input] != nil) { fusion.activationOf[input] = i }
        }
        for (i, node) in graph.nodes.enumerated() where isAffineStep(node.op, folded: folding.convOfBatchNorm[i] != nil) {
            let input = node.inputs[0]
            guard case .concat = graph.nodes[input].op, consumers[input] == [i], input != graph.outputIndex,
                  shapes[input].count == 3 else { continue }
            fusion.concatOf[i] = input
        }
        let activationOwner = Dictionary(fusion.activationOf.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        for (i, node) in graph.nodes.enumerated() {
            guard case .maxPool = node.op, consumers[node.inputs[0]] == [i], node.inputs[0] != graph.outputIndex else { continue }
            let input = node.inputs[0]
            let owner = activationOwner[input] ?? folding.convOfBatchNorm[input] ?? input
            if case .conv2d = graph.nodes[owner].op { fusion.poolOf[owner] = i }
        }
        for (i, node) in graph.nodes.enumerated() {
            guard case .avgPool(let p) = node.op, case .conv2d(let a) = graph.nodes[node.inputs[0]].op else { continue }
            let conv = node.inputs[0], input = shapes[graph.nodes[conv].inputs[0]], output = shapes[conv]
            // Every window inside the map with weights summing to one (no padding, no ceil mode),
            // a 1x1 conv (the same map in and out at stride 1 without padding), fewer positions after.
            guard consumers[conv] == [i], conv != graph.outputIndex, p.padding == Size2(0), p.paddingEnd == Size2(0), !p.ceilMode,
                  a.stride == Size2(1), a.padding == Size2(0), a.paddingEnd == Size2(0), input.count == 3, output.count == 3,
                  input[1...] == output[1...], shapes[i][1] * shapes[i][2] < output[1] * output[2] else { continue }
            fusion.poolBefore[conv] = i
        }
        for (i, node) in graph.nodes.enumerated() {
            guard case .add = node.op, node.inputs.count == 2, i != graph.outputIndex else { continue }
            for (operand, skip) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
                let conv = folding.convOfBatchNorm[operand] ?? operand
                guard case .conv2d(let a) = graph.nodes[conv].op, consumers[operand] == [i], operand != graph.outputIndex,
                      fusion.residualOf[conv] == nil, fusion.poolOf[conv] == nil, fusion.activationOf[conv] == nil, skip < conv,
                      shapes[skip] == shapes[operand], shapes[operand] == shapes[i] else { continue }
                // Pointwise: the same map in and out with stride 1 and no padding means a 1x1 window.
                let input = shapes[graph.nodes[conv].inputs[0]], output = shapes[conv]
                guard a.groups == 1, a.stride == Size2(1), a.padding == Size2(0), input.count == 3, output.count == 3,
                      input[1...] == output[1...], output[1] * output[2] >= ConvStep.pointwiseMinimumPositions else { continue }
                fusion.residualOf[conv] = Residual(add: i, operand: operand, skip: skip)
                break
            }
        }
        for (i, node) in graph.nodes.enumerated() {
            guard case .conv2d(let a) = node.op, let mul = node.inputs.first, case .mul = graph.nodes[mul].op,
                  graph.nodes[mul].inputs.count == 2, consumers[mul] == [i], mul != graph.outputIndex, fusion.poolOf[i] == nil, fusion.poolBefore[i] == nil,
                  a.groups == 1, a.stride == Size2(1), a.padding == Size2(0), shapes[mul].count == 3, shapes[i].count == 3,
                  shapes[mul][1...] == shapes[i][1...] else { continue }
            let (map, gate) = (graph.nodes[mul].inputs[0], graph.nodes[mul].inputs[1])
            guard shapes[map] == shapes[mul], shapes[gate] == [shapes[mul][0], 1, 1] else { continue }
            fusion.gateOf[i] = Gate(mul: mul, map: map, gate: gate)
        }
        fusion.fused = Set(fusion.activationOf.values).union(fusion.concatOf.values).union(fusion.poolOf.values).union(fusion.residualOf.values.map(\.add))
            .union(fusion.gateOf.values.map(\.mul))
        return fusion
    }

    /// Whether `op` lowers to an affine step: a BatchNorm not folded into a conv, a channel
    /// scale or a channel affine.
    private static func isAffineStep(_ op: Op, folded: Bool) -> Bool {
        switch op {
        case .batchNorm: return !folded
        case .channelScale, .channelAffine: return true
        default: return false
        }
    }
}
