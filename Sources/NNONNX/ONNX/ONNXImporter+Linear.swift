// ONNXImporter+Linear: Gemm and MatMul of a vector by a constant 2-D weight as `linear`, the
// weight stored as torch's `[out, in]` (Gemm's transB 1 as is, else transposed; alpha and
// beta multiplied into weight and bias). The bias a following Add gives a bias-free MatMul is
// ONNXImporter+Activations'; a MatMul on a channels-last map, ONNXImporter+LayerNorm's.

import NNCore

extension ONNXImporter.GraphTranslation {
    mutating func linear(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        let isGemm = n.node.opType == "Gemm"
        guard try !n.flag("transA") else { throw n.unsupported("transA 1 (a transposed input) is not supported") }
        guard x.rank == 1, let b = try constant(n, 1), let values = b.floats, b.dims.count == 2, b.dims.allSatisfy({ $0 >= 1 }) else {
            throw n.unsupported("needs a [batch, features] input and a constant 2-D float weight")
        }
        // Shears keeps torch's [out, in]: Gemm transB=1 stores that; otherwise B is [in, out].
        let transposed = try n.flag("transB")
        let (rows, columns) = transposed ? (b.dims[0], b.dims[1]) : (b.dims[1], b.dims[0])
        let alpha = isGemm ? try n.float("alpha", 1) : 1
        let weight = (0..<(rows * columns)).map { k -> Float in
            let (o, i) = (k / columns, k % columns)
            return alpha * (transposed ? values[k] : values[i * rows + o])
        }
        let index = emit(n, .linear, [x.index], rank: 1, parameterName: n.node.input[1])
        let beta = isGemm ? try n.float("beta", 1) : 1
        var bias = try constant(n, 2)
        if let b = bias?.floats { bias?.floats = b.map { $0 * beta } }
        try setParameters(of: index, weight: Tensor(shape: [rows, columns], scalars: weight), bias: bias, n)
    }
}
