// ONNXImporter+Layers: the parameterised and windowed ops: Conv, BatchNormalization,
// MaxPool/AveragePool, GlobalAveragePool and ReduceMean over H and W, Flatten, Gemm and
// MatMul (with the bias a following Add gives a bias-free MatMul, ONNXImporter+Activations).

import NNCore
import ONNXProto

extension ONNXImporter.GraphTranslation {
    mutating func convolution(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        guard let weight = try constant(n, 1), let w = weight.floats, weight.dims.count == 4, weight.dims.allSatisfy({ $0 >= 1 }) else {
            throw n.unsupported("needs a constant 4-D float weight, every size at least 1")
        }
        let kernel = Size2(weight.dims[2], weight.dims[3])
        if let shape = try n.kernelShape(), shape != kernel {
            throw n.invalid("kernel_shape [\(shape.h), \(shape.w)] does not match the weight's \(weight.dims)")
        }
        let groups = try n.int("group", 1, in: 1...Int.max)
        guard weight.dims[0] % groups == 0 else { throw n.invalid("group \(groups) does not divide the weight's \(weight.dims[0]) output channels") }
        let window = try n.window()
        let index = emit(n, .conv2d(Conv2dAttributes(stride: window.stride, padding: window.padding, paddingEnd: window.paddingEnd,
                                                      dilation: window.dilation, groups: groups)),
                         [x.index], rank: 3, parameterName: n.node.input[1])
        try setParameters(of: index, weight: Tensor(shape: weight.dims, scalars: w), bias: try constant(n, 2), n)
    }

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

    mutating func pool(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        let isMax = n.node.opType == "MaxPool"
        guard let kernel = try n.kernelShape() else { throw n.unsupported("needs a 2-D kernel_shape") }
        let window = try n.window()
        let ceilMode = try n.flag("ceil_mode")
        let countIncludePad = isMax ? false : try n.flag("count_include_pad")
        if isMax { _ = try n.int("storage_order", 0, in: 0...1) }
        let a = Pool2dAttributes(kernel: kernel, stride: window.stride, padding: window.padding, paddingEnd: window.paddingEnd,
                                 dilation: window.dilation, ceilMode: ceilMode, countIncludePad: countIncludePad)
        emit(n, isMax ? .maxPool(a) : .avgPool(a), [x.index], rank: 3)
    }

    /// GlobalAveragePool, or ReduceMean over H and W (`keepdims` 0 flattens).
    mutating func average(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        guard n.node.opType == "ReduceMean" else { emit(n, .adaptiveAvgPool(Size2(1)), [x.index], rank: 3); return }
        let keep = try n.int("keepdims", 1, in: 0...1) == 1
        _ = try n.flag("noop_with_empty_axes")
        let axes = Set(try integers(n, 1, or: "axes") ?? [])
        guard x.rank == 3, axes == [2, 3] || axes == [-1, -2] else { throw n.unsupported("averages over axes \(axes.sorted()); only H and W (2, 3)") }
        let pool = emit(n, .adaptiveAvgPool(Size2(1)), [x.index], rank: 3)
        if !keep { emit(n, .flatten, [pool], rank: 1) }
    }

    mutating func flatten(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        let axis = try n.int("axis", 1, in: Int.min...Int.max)
        guard axis == 1 || (axis == -3 && x.rank == 3) else { throw n.unsupported("flattens from axis \(axis); only 1") }
        if x.rank == 1 { pass(n, x) } else { emit(n, .flatten, [x.index], rank: 1) }
    }

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
