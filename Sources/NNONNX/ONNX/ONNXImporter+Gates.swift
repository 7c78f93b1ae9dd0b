// ONNXImporter+Gates: the product of two graph nodes. Shears' `mul` takes the feature map
// first and a `[C, 1, 1]` squeeze-excite gate second, so a gate found first is swapped. A
// gate is what a 1x1 adaptive average pool becomes through any chain of layers that keep
// each position apart (convs, batch norms and any activation: ReLU, SiLU, GELU, hard
// sigmoid/swish, sigmoid ...), and sums, products and concatenations of gates.

import NNCore

extension ONNXImporter.GraphTranslation {
    /// `a · b` as a `mul` node, a squeeze-excite gate second.
    mutating func emitProduct(_ n: ONNXAttributes, _ a: (index: Int, rank: Int), _ b: (index: Int, rank: Int)) {
        let (first, second) = isGate(a.index) && !isGate(b.index) ? (b, a) : (a, b)
        emit(n, .mul, [first.index, second.index], rank: first.rank)
    }

    /// Whether node `index` computes a squeeze-excite gate: every chain back from it reaches a
    /// 1x1 adaptive average pool through layers that keep its `[C, 1, 1]` shape.
    func isGate(_ index: Int) -> Bool {
        var stack = [index], seen: Set<Int> = []
        while let i = stack.popLast() {
            guard seen.insert(i).inserted else { continue }
            let node = builder.nodes[i]
            switch node.op {
            case .adaptiveAvgPool(let size): if size != Size2(1) { return false }
            case .input, .maxPool, .avgPool, .flatten, .linear: return false
            case .add, .mul, .concat: stack += node.inputs
            default:
                guard let input = node.inputs.first else { return false }
                stack.append(input)
            }
        }
        return true
    }
}
