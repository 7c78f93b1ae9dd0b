// ShapeInference: per-node output shapes of a model for one input sample, with the checks
// that make a bad checkpoint or input a clear error instead of a crash in a kernel.
// Shapes here are per sample: [C, H, W] for feature maps, [F] after flatten/linear.
//
// Every importer (catalog, module trees, ONNX) hands its graph through here before a kernel
// runs, so the invariants every `Op` must satisfy are checked here, whoever built it: node
// 0 is the only input, every node reads earlier nodes and as many as its op takes; windows
// have kernel, stride and dilation in 1...`maximumWindow` and padding in 0...`maximumWindow`;
// groups are at least 1 and divide the channels; no max pool window lies wholly in padding
// (torch would give −inf); activation constants are numbers. Sizes are computed with overflow
// checks, every feature map's C, H and W are at most `maximumDimension`, and each node's
// output for one sample must fit the `MemoryBudget`.

/// Output shape of every node of `model` for one input of `input` ([C, H, W]).
public struct ShapeInference: Sendable {
    /// `shapes[i]` is node i's output shape, per sample.
    public let shapes: [[Int]]

    /// The largest kernel size, stride, dilation or padding a conv or pool may have (65,536):
    /// far beyond any real network, small enough that window arithmetic cannot overflow.
    public static let maximumWindow = 1 << 16
    /// The largest channel count, height or width of a feature map (16,777,216), so that every
    /// padded extent fits the kernels' 32-bit indices.
    public static let maximumDimension = 1 << 24

    /// Infers and checks every node's output shape.
    ///
    /// Conv/pool size per axis: `floor((in + pad + padEnd − dilation·(k − 1) − 1) / stride) + 1`
    /// (ceil with `ceilMode`, where the last window must start inside the input or left padding).
    ///
    /// - Throws: `NNError.invalidArgument` (input), `.shapeMismatch` naming the layer, or
    ///   `.overBudget` when one sample's output of a layer is larger than the memory limit.
    public init(model: Model, input: [Int]) throws {
        guard input.count == 3, input.allSatisfy({ (1...Self.maximumDimension).contains($0) }) else {
            throw NNError.invalidArgument(name: "input", reason: "expected C x H x W with sizes from 1 to \(Self.maximumDimension), got \(input.map(String.init).joined(separator: "x"))")
        }
        let nodes = model.graph.nodes
        guard case .input? = nodes.first?.op else {
            throw NNError.shapeMismatch(node: nodes.first?.name ?? "input", reason: "the graph does not start with its input")
        }
        var shapes: [[Int]] = []
        for (i, node) in nodes.enumerated() {
            try Self.checkInputs(of: node, at: i)
            let shape = try Self.outputShape(of: node, inputs: node.inputs.map { shapes[$0] }, input: input, stateDict: model.stateDict)
            guard let elements = shape.checkedProduct else {
                throw NNError.shapeMismatch(node: node.name, reason: "output \(shape) has more elements than a 64-bit count holds")
            }
            try MemoryBudget.check(elements: elements, of: MemoryLayout<Float>.size,
                                   for: i == 0 ? "one sample \(shape)" : "its output \(shape) for one sample",
                                   path: i == 0 ? "input" : "layer '\(node.name)'")
            shapes.append(shape)
        }
        self.shapes = shapes
    }

    /// Output size of a conv or pool along one axis; nil when the window does not fit (or a
    /// size overflows).
    package static func windowOutput(_ size: Int, kernel: Int, stride: Int, padding: Int, paddingEnd: Int, dilation: Int, ceilMode: Bool) -> Int? {
        guard stride > 0, kernel > 0, dilation > 0, padding >= 0, paddingEnd >= 0,
              case let (extent, o1) = dilation.multipliedReportingOverflow(by: kernel - 1), !o1,
              case let (padded, o2) = size.addingReportingOverflow(padding), !o2,
              case let (total, o3) = padded.addingReportingOverflow(paddingEnd), !o3 else { return nil }
        let span = total - extent - 1
        guard span >= 0 else { return nil }
        var out = (ceilMode ? span / stride + (span % stride == 0 ? 0 : 1) : span / stride) + 1
        if ceilMode && (out - 1) * stride >= padded { out -= 1 }
        return out
    }

    /// Whether some window along one axis reads only padding: its first tap at or after the
    /// input's start (`start + dilation·⌈−start / dilation⌉`) is past the input's end or not a tap.
    package static func windowInPadding(_ size: Int, outputs: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Bool {
        (0..<outputs).contains { o in
            let start = o * stride - padding
            let skipped = start >= 0 ? 0 : (-start + dilation - 1) / dilation
            return skipped >= kernel || start + skipped * dilation >= size
        }
    }

    /// Throws unless `node` (number `index`) reads earlier nodes, as many as its op takes.
    private static func checkInputs(of node: Node, at index: Int) throws {
        let arity: ClosedRange<Int>
        switch node.op {
        case .input:
            guard index == 0 else { throw NNError.shapeMismatch(node: node.name, reason: "a second graph input (node \(index)); the input is node 0 only") }
            arity = 0...0
        case .add, .mul: arity = 2...2
        case .concat: arity = 1...Int.max
        default: arity = 1...1
        }
        guard arity.contains(node.inputs.count) else {
            throw NNError.shapeMismatch(node: node.name, reason: "reads \(node.inputs.count) inputs; \(ModelStatistics.typeName(node.op)) takes \(arity.upperBound == Int.max ? "at least \(arity.lowerBound)" : "\(arity.lowerBound)")")
        }
        if let bad = node.inputs.first(where: { !(0..<index).contains($0) }) {
            throw NNError.shapeMismatch(node: node.name, reason: "reads node \(bad), which is not an earlier node of the graph (it is node \(index))")
        }
    }

    /// Throws unless a window's kernel, stride and dilation are in 1...`maximumWindow` and its
    /// padding in 0...`maximumWindow`.
    private static func checkWindow(kernel: Size2, stride: Size2, padding: Size2, paddingEnd: Size2, dilation: Size2,
                                    _ fail: (String) -> NNError) throws {
        let positive = 1...maximumWindow, nonnegative = 0...maximumWindow
        for (name, size, range) in [("kernel", kernel, positive), ("stride", stride, positive), ("dilation", dilation, positive),
                                    ("padding", padding, nonnegative), ("end padding", paddingEnd, nonnegative)]
        where !range.contains(size.h) || !range.contains(size.w) {
            throw fail("\(name) \(size) is outside \(range.lowerBound)...\(range.upperBound)")
        }
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
        /// `[c, h, w]` once each size is checked against `maximumDimension`.
        func map(_ c: Int, _ h: Int, _ w: Int) throws -> [Int] {
            guard [c, h, w].allSatisfy({ $0 <= maximumDimension }) else {
                throw fail("output [\(c), \(h), \(w)] has a size over \(maximumDimension)")
            }
            return [c, h, w]
        }
        func finite(_ values: [Float], _ what: String) throws {
            guard values.allSatisfy(\.isFinite) else { throw fail("\(what) \(values) must be finite numbers") }
        }
        switch node.op {
        case .input:
            return input
        case .conv2d(let a):
            let x = try featureMap(inputs[0])
            let w = try parameter("weight")
            guard w.rank == 4, w.shape.allSatisfy({ $0 >= 1 }), a.groups >= 1, w.shape[0] % a.groups == 0 else {
                throw fail("weight \(w.shape) is not [out, in/groups, kh, kw] with groups \(a.groups)")
            }
            guard w.shape[1] * a.groups == x.c else {
                throw fail("weight \(w.shape) with groups \(a.groups) expects \(w.shape[1] * a.groups) input channels, got \(x.c)")
            }
            if let b = stateDict.tensor("\(node.name).bias"), b.shape != [w.shape[0]] {
                throw fail("bias \(b.shape) does not match \(w.shape[0]) output channels")
            }
            try checkWindow(kernel: Size2(w.shape[2], w.shape[3]), stride: a.stride, padding: a.padding, paddingEnd: a.paddingEnd,
                            dilation: a.dilation, fail)
            guard let oh = windowOutput(x.h, kernel: w.shape[2], stride: a.stride.h, padding: a.padding.h, paddingEnd: a.paddingEnd.h,
                                        dilation: a.dilation.h, ceilMode: false),
                  let ow = windowOutput(x.w, kernel: w.shape[3], stride: a.stride.w, padding: a.padding.w, paddingEnd: a.paddingEnd.w,
                                        dilation: a.dilation.w, ceilMode: false) else {
                throw fail("kernel \(w.shape[2])x\(w.shape[3]) does not fit the \(x.h)x\(x.w) input")
            }
            return try map(w.shape[0], oh, ow)
        case .batchNorm(let eps):
            let x = try featureMap(inputs[0])
            guard eps.isFinite, eps >= 0 else { throw fail("eps \(eps) must be a finite number at least 0") }
            for suffix in ["weight", "bias", "running_mean", "running_var"] {
                let t = try parameter(suffix)
                guard t.shape == [x.c] else { throw fail("\(suffix) \(t.shape) does not match \(x.c) channels") }
            }
            return inputs[0]
        case .maxPool(let a), .avgPool(let a):
            let x = try featureMap(inputs[0])
            try checkWindow(kernel: a.kernel, stride: a.stride, padding: a.padding, paddingEnd: a.paddingEnd, dilation: a.dilation, fail)
            guard let oh = windowOutput(x.h, kernel: a.kernel.h, stride: a.stride.h, padding: a.padding.h, paddingEnd: a.paddingEnd.h,
                                        dilation: a.dilation.h, ceilMode: a.ceilMode),
                  let ow = windowOutput(x.w, kernel: a.kernel.w, stride: a.stride.w, padding: a.padding.w, paddingEnd: a.paddingEnd.w,
                                        dilation: a.dilation.w, ceilMode: a.ceilMode) else {
                throw fail("pooling window \(a.kernel) does not fit the \(x.h)x\(x.w) input")
            }
            if case .maxPool = node.op,
               windowInPadding(x.h, outputs: oh, kernel: a.kernel.h, stride: a.stride.h, padding: a.padding.h, dilation: a.dilation.h)
                || windowInPadding(x.w, outputs: ow, kernel: a.kernel.w, stride: a.stride.w, padding: a.padding.w, dilation: a.dilation.w) {
                throw fail("a pooling window \(a.kernel) (padding \(a.padding), \(a.paddingEnd), dilation \(a.dilation)) lies wholly in the padding of the \(x.h)x\(x.w) input")
            }
            return try map(x.c, oh, ow)
        case .adaptiveAvgPool(let size):
            let x = try featureMap(inputs[0])
            guard size.h >= 1, size.w >= 1 else { throw fail("output size \(size) must be at least 1") }
            return try map(x.c, size.h, size.w)
        case .add:
            guard inputs[0] == inputs[1] else { throw fail("adds tensors of different shapes \(inputs)") }
            return inputs[0]
        case .flatten:
            guard let features = inputs[0].checkedProduct else { throw fail("flattens \(inputs[0]), more elements than a 64-bit count holds") }
            return [features]
        case .linear:
            // On a vector [in] → [out]; on a feature map [in, H, W] → [out, H, W] (per position).
            let w = try parameter("weight")
            guard inputs[0].count == 1 || inputs[0].count == 3, w.rank == 2, w.shape[0] >= 1, w.shape[1] == inputs[0][0] else {
                throw fail("weight \(w.shape) expects \(w.shape.count == 2 ? w.shape[1] : 0) input features, got \(inputs[0])")
            }
            if let b = stateDict.tensor("\(node.name).bias"), b.shape != [w.shape[0]] {
                throw fail("bias \(b.shape) does not match \(w.shape[0]) outputs")
            }
            return inputs[0].count == 3 ? try map(w.shape[0], inputs[0][1], inputs[0][2]) : [w.shape[0]]
        case .layerNorm(let eps):
            // Over the channels of a [C, H, W] map at each position, or the features of a vector [F].
            guard inputs[0].count == 1 || inputs[0].count == 3 else { throw fail("normalises a [C, H, W] map or an [F] vector, got \(inputs[0])") }
            guard eps.isFinite, eps >= 0 else { throw fail("eps \(eps) must be a finite number at least 0") }
            let channels = inputs[0][0]
            guard try parameter("weight").shape == [channels] else { throw fail("weight \(try parameter("weight").shape) does not match \(channels) channels") }
            if let b = stateDict.tensor("\(node.name).bias"), b.shape != [channels] {
                throw fail("bias \(b.shape) does not match \(channels) channels")
            }
            return inputs[0]
        case .channelScale:
            let x = try featureMap(inputs[0])
            guard let s = stateDict.tensor(node.name) else { throw fail("missing parameter \(node.name)") }
            guard s.shape == [x.c, 1, 1] else { throw fail("scale \(s.shape) is not [\(x.c), 1, 1] for \(x.c) channels") }
            return inputs[0]
        case .leakyRelu(let slope):
            try finite([slope], "slope")
            return inputs[0]
        case .hardSigmoid(let alpha, let beta):
            try finite([alpha, beta], "alpha and beta")
            return inputs[0]
        case .clip(let lower, let upper):
            guard !lower.isNaN, !upper.isNaN else { throw fail("bounds [\(lower), \(upper)] must be numbers") }
            return inputs[0]
        case .relu, .relu6, .sigmoid, .hardSwish, .silu, .gelu, .identity:
            return inputs[0]
        case .dropout(let p, let wholeChannels):
            guard p >= 0, p <= 1 else { throw fail("p \(p) must be a probability from 0 to 1") }
            if wholeChannels { _ = try featureMap(inputs[0]) }
            return inputs[0]
        case .channelAffine(let scale, let shift):
            let x = try featureMap(inputs[0])
            guard scale.count == x.c, shift.count == x.c else { throw fail("has \(scale.count) scales and \(shift.count) shifts for \(x.c) channels") }
            try finite(scale + shift, "scales and shifts")
            return inputs[0]
        case .mul:
            let x = try featureMap(inputs[0])
            guard inputs[1] == inputs[0] || inputs[1] == [x.c, 1, 1] else {
                throw fail("multiplies \(inputs[0]) by \(inputs[1]), which is neither the same shape nor [\(x.c), 1, 1]")
            }
            return inputs[0]
        case .concat:
            let maps = try inputs.map(featureMap)
            guard let first = maps.first, maps.allSatisfy({ $0.h == first.h && $0.w == first.w }) else {
                throw fail("concatenates feature maps of different sizes \(inputs)")
            }
            let channels = maps.reduce(0) { $0 + $1.c }  // each at most maximumDimension: no overflow
            return try map(channels, first.h, first.w)
        case .channelSlice(let start, let count):
            let x = try featureMap(inputs[0])
            guard start >= 0, count >= 1, start <= x.c, count <= x.c - start else {
                throw fail("channels \(start) and \(count) after it are not within the input's \(x.c)")
            }
            return [count, x.h, x.w]
        case .channelShuffle(let groups):
            let x = try featureMap(inputs[0])
            guard groups >= 1, x.c % groups == 0 else { throw fail("\(x.c) channels do not split into \(groups) groups") }
            return inputs[0]
        }
    }
}
