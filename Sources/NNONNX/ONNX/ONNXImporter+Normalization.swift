// ONNXImporter+Normalization: BatchNormalization as `batchNorm` (inference only: constant
// scale, bias, mean and variance, one value per channel, stored under torch's
// `weight`/`bias`/`running_mean`/`running_var` keys). LayerNormalization, which torch writes
// for ConvNeXt channels-last, is ONNXImporter+LayerNorm's.

import NNCore

extension ONNXImporter.GraphTranslation {
    mutating func batchNorm(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        let eps = try n.float("epsilon", 1e-5)
        guard eps >= 0 else { throw n.invalid("epsilon \(eps) is negative") }
        guard try !n.flag("training_mode") else { throw n.unsupported("training_mode 1 normalises with the batch's statistics; Shears runs inference") }
        guard try n.int("spatial", 1, in: 0...1) == 1 else { throw n.unsupported("spatial 0 (statistics per element) is not supported") }
        let parts = try (1...4).map { k -> [Float] in
            guard let c = try constant(n, k), let f = c.floats else { throw n.unsupported("needs constant scale, bias, mean and variance") }
            guard c.dims.count == 1, !f.isEmpty else { throw n.invalid("input \(k) has dims \(c.dims); it must hold one value per channel") }
            return f
        }
        guard parts.allSatisfy({ $0.count == parts[0].count }) else {
            throw n.invalid("scale, bias, mean and variance hold \(parts.map(\.count)) values; each must be one per channel")
        }
        let index = emit(n, .batchNorm(eps: eps), [x.index], rank: 3, parameterName: n.node.input[1])
        let name = builder.nodes[index].name
        for (suffix, part) in zip(["weight", "bias", "running_mean", "running_var"], parts) {
            stateDict.setTensor("\(name).\(suffix)", Tensor(shape: [part.count], scalars: part))
        }
    }
}
