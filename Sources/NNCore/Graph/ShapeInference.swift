// ShapeInference: per-node output shapes of a model for one input sample, with the checks
// that make a bad checkpoint or input a clear error instead of a crash in a kernel.
// Shapes here are per sample: [C, H, W] for feature maps, [F] after flatten/linear.

/// Output shape of every node of `model` for one input of `input` ([C, H, W]).
public struct ShapeInference: Sendable {
    /// `shapes[i]` is node i's output shape, per sample.
    public let shapes: [[Int]]

    /// Infers and checks every node's output shape.
    ///
    /// Conv/pool size per axis: `floor((in + pad + padEnd − dilation·(k − 1) − 1) / stride) + 1`
    /// (ceil with `ceilMode`, where the last window must start inside the input or left padding).
    public init(model: Model, input: [Int]) throws {
        guard input.count == 3, input.allSatisfy({ $0 > 0 }) else {
            throw NNError.invalidArgument(name: "input", reason: "expected C x H x W with positive sizes, got \(input)")
        }
        var shapes: [[Int]] = []
        for node in model.graph.nodes {
            shapes.append(try Self.outputShape(of: node, inputs: node.inputs.map { shapes[$0] }, input: input, stateDict: model.stateDict))
        }
        self.shapes = shapes
    }

    /// Output size of a conv or pool along one axis; nil when the window does not fit.
    static func windowOutput(_ size: Int, kernel: Int, stride: Int, padding: Int, paddingEnd: Int, dilation: Int, ceilMode: Bool) -> Int? {
        let span = size + padding + paddingEnd - dilation * (kernel - 1) - 1
        guard span >= 0, stride > 0 else { return nil }
        var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (out - 1) * stride >= size + padding { out -= 1 }
        return out
    }

    private static func outputShape(of node: Node, inputs: [[Int]], input: [Int], stateDict: StateDict) throws -> [Int] {
        func fail(_ reason: String) -> NNError { .shapeMismatch(node: node.name, reason: reason) }
        func parameter(_ suffix: String) throws -> Tensor {
            guard let t = stateDict.tensor("\(node.name).\(suffix)") else { throw fail("missing parameter \(node.name).\(suffix)") }
            return t
        }
        func featureMap(_ shape: [Int]) throws -> (c: Int, h: Int, w: Int) {
            guard shape.count == 3 else { throw fail("expects a [C, H, W] feature map, got \(shape)") }
            return (shape[0], shape[1], shape[2])
        }
        switch node.op {
        case .input:
            return input
        case .conv2d(let a):
            let x = try featureMap(inputs[0])
            let w = try parameter("weight")
            guard w.rank == 4, a.groups >= 1, w.shape[0] % a.groups == 0 else {
                throw fail("weight \(w.shape) is not [out, in/groups, kh, kw] with groups \(a.groups)")
            }
            guard w.shape[1] * a.groups == x.c else {
                throw fail("weight \(w.shape) with groups \(a.groups) expects \(w.shape[1] * a.groups) input channels, got \(x.c)")
            }
            if let b = stateDict.tensor("\(node.name).bias"), b.shape != [w.shape[0]] {
                throw fail("bias \(b.shape) does not match \(w.shape[0]) output channels")
            }
            guard let oh = windowOutput(x.h, kernel: w.shape[2], stride: a.stride.h, padding: a.padding.h, paddingEnd: a.paddingEnd.h,
                                        dilation: a.dilation.h, ceilMode: false),
                  let ow = windowOutput(x.w, kernel: w.shape[3], stride: a.stride.w, padding: a.padding.w, paddingEnd: a.paddingEnd.w,
                                        dilation: a.dilation.w, ceilMode: false) else {
                throw fail("kernel \(w.shape[2])x\(w.shape[3]) does not fit the \(x.h)x\(x.w) input")
            }
            return [w.shape[0], oh, ow]
        case .batchNorm:
            let x = try featureMap(inputs[0])
            for suffix in ["weight", "bias", "running_mean", "running_var"] {
                let t = try parameter(suffix)
                guard t.shape == [x.c] else { throw fail("\(suffix) \(t.shape) does not match \(x.c) channels") }
            }
            return inputs[0]
        case .maxPool(let a), .avgPool(let a):
            let x = try featureMap(inputs[0])
            guard let oh = windowOutput(x.h, kernel: a.kernel.h, stride: a.stride.h, padding: a.padding.h, paddingEnd: a.paddingEnd.h,
                                        dilation: a.dilation.h, ceilMode: a.ceilMode),
                  let ow = windowOutput(x.w, kernel: a.kernel.w, stride: a.stride.w, padding: a.padding.w, paddingEnd: a.paddingEnd.w,
                                        dilation: a.dilation.w, ceilMode: a.ceilMode) else {
                throw fail("pooling window \(a.kernel) does not fit the \(x.h)x\(x.w) input")
            }
            return [x.c, oh, ow]
        case .adaptiveAvgPool(let size):
            let x = try featureMap(inputs[0])
            return [x.c, size.h, size.w]
        case .add:
            guard inputs.count == 2, inputs[0] == inputs[1] else { throw fail("adds tensors of different shapes \(inputs)") }
            return inputs[0]
        case .flatten:
            return [inputs[0].reduce(1, *)]
        case .linear:
            let w = try parameter("weight")
            guard inputs[0].count == 1, w.rank == 2, w.shape[1] == inputs[0][0] else {
                throw fail("weight \(w.shape) expects \(w.shape.count == 2 ? w.shape[1] : 0) input features, got \(inputs[0])")
            }
            if let b = stateDict.tensor("\(node.name).bias"), b.shape != [w.shape[0]] {
                throw fail("bias \(b.shape) does not match \(w.shape[0]) outputs")
            }
            return [w.shape[0]]
        case .relu, .relu6, .leakyRelu, .clip, .sigmoid, .hardSigmoid, .hardSwish, .identity:
            return inputs[0]
        case .mul:
            let x = try featureMap(inputs[0])
            guard inputs.count == 2, inputs[1] == inputs[0] || inputs[1] == [x.c, 1, 1] else {
                throw fail("multiplies \(inputs[0]) by \(inputs.count == 2 ? inputs[1] : []), which is neither the same shape nor [\(x.c), 1, 1]")
            }
            return inputs[0]
        case .concat:
            let maps = try inputs.map(featureMap)
            guard let first = maps.first, maps.allSatisfy({ $0.h == first.h && $0.w == first.w }) else {
                throw fail("concatenates feature maps of different sizes \(inputs)")
            }
            return [maps.reduce(0) { $0 + $1.c }, first.h, first.w]
        case .channelSlice(let start, let count):
            let x = try featureMap(inputs[0])
            guard start >= 0, count >= 1, start + count <= x.c else {
                throw fail("channels \(start)..<\(start + count) are outside the input's \(x.c)")
            }
            return [count, x.h, x.w]
        case .channelShuffle(let groups):
            let x = try featureMap(inputs[0])
            guard groups >= 1, x.c % groups == 0 else { throw fail("\(x.c) channels do not split into \(groups) groups") }
            return inputs[0]
        }
    }
}
