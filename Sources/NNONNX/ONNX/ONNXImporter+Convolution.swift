// ONNXImporter+Convolution: Conv as `conv2d`: a constant 4-D float weight `[out, in/groups, kh,
// kw]` (its kernel_shape, if given, agreeing), `group` dividing the outputs, strides, pads
// (asymmetric ones kept as `paddingEnd`) and dilations through ONNXAttributes.window, and
// the optional bias; the layer is named after its weight.

import NNCore

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
}
