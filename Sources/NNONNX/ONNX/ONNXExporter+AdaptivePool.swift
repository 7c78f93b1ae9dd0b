// ONNXExporter+AdaptivePool: an AdaptiveAvgPool2d to k x k (k > 1), which has no size-free
// ONNX form, written for the input size given: per axis an AveragePool of kernel and stride
// in/k where k divides the map, a nearest Resize by k/in where the map divides k (each bin
// one pixel), with a note saying the file is fixed to that size; without the size, or with
// bins of unequal size, it is refused naming the layer.

import NNCore
import ONNXProto

extension ONNXExporter.GraphExport {
    /// An AdaptiveAvgPool2d to `size` (not 1x1) for the input size: per axis, an AveragePool of
    /// kernel and stride `in/out` where `out` divides `in`, a nearest Resize by `out/in` where
    /// `in` divides `out` (bins of one pixel each), as torch's bins
    /// `[⌊i·in/out⌋, ⌈(i+1)·in/out⌉)` are then; any other size is refused.
    mutating func fixedSizePool(_ node: Node, index: Int, size: Size2,
                                        finish: (String, [String]) -> Onnx_NodeProto) throws -> [Onnx_NodeProto] {
        let layer = "layer '\(node.name)': AdaptiveAvgPool2d to \(size)"
        guard let input else {
            throw NNError.unsupported(path: path, reason: "\(layer) has an ONNX form only for a known input size", wayOut: .exportInputSize)
        }
        if shapes == nil { shapes = try ShapeInference(model: model, input: input).shapes }
        let source = shapes?[node.inputs[0]] ?? []
        guard source.count == 3 else { throw NNError.shapeMismatch(node: node.name, reason: "reads \(source), not a feature map") }
        let sides = [(source[1], size.h), (source[2], size.w)]
        guard sides.allSatisfy({ $0 >= 1 && $1 >= 1 }) else { throw NNError.shapeMismatch(node: node.name, reason: "pools a \(source) map to \(size)") }
        guard sides.allSatisfy({ $0 % $1 == 0 || $1 % $0 == 0 }) else {
            throw NNError.unsupported(path: path, reason: "\(layer) of a \(source[1])x\(source[2]) map (input \(input.map(String.init).joined(separator: "x"))) averages bins of unequal size, which no ONNX pool writes exactly; export for an input size where that map's sides are multiples or divisors of \(size)")
        }
        let kernel = sides.map { $0 % $1 == 0 ? $0 / $1 : 1 }, scales = sides.map { $0 % $1 == 0 ? 1 : $1 / $0 }
        var nodes: [Onnx_NodeProto] = [], value = self.value(node.inputs[0]), said: [String] = []
        let last = scales == [1, 1] ? 0 : 1
        if kernel != [1, 1] || scales == [1, 1] {
            var pool = last == 0 ? finish("AveragePool", [value]) : Onnx_NodeProto.with { $0.name = "\(node.name)/pool"; $0.opType = "AveragePool"; $0.input = [value]; $0.output = ["\(node.name)/pool"] }
            pool.attribute = [ints("kernel_shape", kernel), ints("strides", kernel)]
            nodes.append(pool)
            value = pool.output[0]
            said.append("AveragePool kernel \(Size2(kernel[0], kernel[1])) stride \(Size2(kernel[0], kernel[1]))")
        }
        if last == 1 {
            let key = "\(node.name).scales"
            initializers.append(floatTensor(key, [4], [1, 1] + scales.map(Float.init)))
            var resize = finish("Resize", [value, "", key])
            resize.attribute = [string("mode", "nearest"), string("coordinate_transformation_mode", "asymmetric"), string("nearest_mode", "floor")]
            nodes.append(resize)
            said.append("nearest Resize by \(Size2(scales[0], scales[1]))")
        }
        notes.append("\(layer) written for the input \(input.map(String.init).joined(separator: "x")) (its \(source[1])x\(source[2]) map) as \(said.joined(separator: " then ")); the ONNX file declares and runs that size only")
        return nodes
    }
}
