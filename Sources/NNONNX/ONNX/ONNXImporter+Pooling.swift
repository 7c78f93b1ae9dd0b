// ONNXImporter+Pooling: MaxPool and AveragePool as `maxPool`/`avgPool` (kernel, strides,
// pads, dilations, ceil_mode, count_include_pad), and GlobalAveragePool or a ReduceMean over
// H and W as a 1x1 `adaptiveAvgPool` (a ReduceMean with keepdims 0 also flattens).

import NNCore

extension ONNXImporter.GraphTranslation {
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
}
