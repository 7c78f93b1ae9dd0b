// ONNXImporter+LayerNorm: ConvNeXt's ONNX forms. Both torch exporters write its LayerNorm2d
// and CNBlock as a Transpose to channels-last (perm [0, 2, 3, 1]), LayerNormalization over the
// last axis, MatMul by a constant `[in, out]` (+ Add of the bias), Gelu (or, at opsets below
// 20, Div by √2 → Erf → Add 1 → Mul by x and by 0.5 in either order) and a Transpose back
// ([0, 3, 1, 2]); the layer scale is a Mul by a constant `[C, 1, 1]`. Shears' graph stays
// NCHW: a channels-last value is the NCHW node it views (`.channelsLast`), LayerNormalization
// becomes `.layerNorm` over the channels, MatMul a `.linear` on the feature map, Gelu the
// element-wise `.gelu`, and the Transpose back hands the node on. Any other op that reads a
// channels-last value is refused naming the node, so no layout is ever guessed. The default
// exporter also writes the pooled `[1, C, 1, 1]` map before the classifier's LayerNorm2d as
// Reshape to [-1] → Gather of indices `arange(C)` shaped `[1, C, 1, 1]` (its `as_strided`):
// for the batch of one the file declares, that is the pooled map itself.

import NNCore
import ONNXProto

/// A partly matched element-wise GELU `x/2 · (1 + erf(x/√2))` of node `source`, seen
/// channels-last (ONNXImporter+Activations matches the channels-first spellings).
struct GELUPart {
    enum Stage { case divided, erf, shifted }
    let source: Int
    var stage: Stage
    /// Whether `· x` and `· 0.5` have been applied (after `shifted`, in either order).
    var timesX = false, half = false
}

extension ONNXImporter.GraphTranslation {
    /// Translates `node` when it is one of ConvNeXt's layout patterns above; false leaves it
    /// to the main dispatch.
    mutating func translateLayout(_ node: Onnx_NodeProto, _ attributes: ONNXAttributes) throws -> Bool {
        let fail = attributes.unsupported, invalid = attributes.invalid
        let inputs = node.input.map { values[$0] }
        func scalar(_ value: Value?) -> Float? {
            guard case .constant(let c)? = value, c.count == 1, let f = c.floats else { return nil }
            return f[0]
        }
        func emit(_ op: Op, _ inputs: [Int], parameterName: String? = nil) -> Int {
            builder.add(uniqueName(node, parameterName: parameterName), op, inputs: inputs)
        }
        func near(_ value: Float?, _ target: Float) -> Bool { value.map { abs($0 - target) <= 1e-6 * target } ?? false }

        // GELU from its element-wise pieces, over any layout.
        if let part = inputs.lazy.compactMap({ v -> GELUPart? in if case .geluPart(let p)? = v { return p }; return nil }).first {
            var next = part
            let other = inputs.count == 2 ? (inputs[0].flatMap { if case .geluPart = $0 { return nil }; return $0 } ?? inputs[1]) : nil
            switch (node.opType, part.stage) {
            case ("Erf", .divided): next.stage = .erf
            case ("Add", .erf) where near(scalar(other), 1): next.stage = .shifted
            case ("Mul", .shifted) where !part.half && near(scalar(other), 0.5): next.half = true
            case ("Mul", .shifted) where !part.timesX && isSource(other, of: part): next.timesX = true
            default: throw fail("reads part of an element-wise GELU (x/2 · (1 + erf(x/√2))) but does not continue it")
            }
            if next.timesX && next.half {
                let index = emit(.gelu(tanh: false), [part.source])
                values[node.output[0]] = .channelsLast(index)
            } else {
                values[node.output[0]] = .geluPart(next)
            }
            return true
        }

        let lastIndex = inputs.firstIndex { if case .channelsLast? = $0 { return true }; return false }
        switch node.opType {
        case "Transpose":
            let perm = try attributes.ints("perm")
            if case .node(let index, 3)? = inputs.first, perm == [0, 2, 3, 1] {
                values[node.output[0]] = .channelsLast(index)
            } else if case .channelsLast(let index)? = inputs.first, perm == [0, 3, 1, 2] {
                values[node.output[0]] = .node(index, rank: 3)
            } else if case .constant(var c)? = inputs.first, c.dims.count == 2, perm == nil || perm == [1, 0], let f = c.floats {
                // A weight transposed in the file (ONNXExporter's MatMul of a linear on a feature
                // map): a second copy, counted with the constants decoded before it.
                try MemoryBudget.check(constantBytes + c.decodedBytes, for: "transposed constant '\(node.input[0])' with the constants before it", path: path)
                constantBytes += c.decodedBytes
                let (rows, columns) = (c.dims[0], c.dims[1])
                c.floats = (0..<(rows * columns)).map { k in f[(k % rows) * columns + k / rows] }
                c.dims = [columns, rows]
                values[node.output[0]] = .constant(c)
            } else if lastIndex != nil {
                throw fail("permutes a channels-last tensor by \(perm ?? []); only the transpose back to NCHW ([0, 3, 1, 2]) is supported")
            } else {
                return false
            }
            return true
        case "LayerNormalization":
            let axis = try attributes.int("axis", -1, in: Int.min...Int.max)
            let eps = try attributes.float("epsilon", 1e-5)
            guard eps >= 0 else { throw invalid("epsilon \(eps) is negative") }
            guard case .constant(let scale)? = node.input.count > 1 ? values[node.input[1]] : nil, let w = scale.floats, scale.dims.count == 1 else {
                throw fail("needs a constant 1-D scale")
            }
            let bias: [Float]?
            if node.input.count > 2, !node.input[2].isEmpty {
                guard case .constant(let b)? = values[node.input[2]], let f = b.floats, b.dims == scale.dims else {
                    throw fail("needs a constant bias shaped like its scale \(scale.dims)")
                }
                bias = f
            } else {
                bias = nil
            }
            let source: Int, channelsLast: Bool
            switch inputs.first {
            case .channelsLast(let index)?? where axis == -1 || axis == 3: (source, channelsLast) = (index, true)
            case .node(let index, 1)?? where axis == -1 || axis == 1: (source, channelsLast) = (index, false)
            default: throw fail("normalises over axis \(axis) of its input; Shears normalises the channels of a channels-last map (axis −1 after a Transpose [0, 2, 3, 1]) or the features of a vector")
            }
            let index = emit(.layerNorm(eps: eps), [source], parameterName: node.input[1])
            let name = builder.nodes[index].name
            stateDict.setTensor("\(name).weight", Tensor(shape: [w.count], scalars: w))
            if let bias { stateDict.setTensor("\(name).bias", Tensor(shape: [bias.count], scalars: bias)) }
            values[node.output[0]] = channelsLast ? .channelsLast(index) : .node(index, rank: 1)
            return true
        case "Mul" where lastIndex == nil:
            // A layer scale: a rank-3 node times a constant [C, 1, 1], in either order.
            guard inputs.count == 2, let k = inputs.firstIndex(where: { if case .constant(let c)? = $0 { return c.dims.count == 3 }; return false }),
                  case .constant(let c)? = inputs[k], case .node(let x, 3)? = inputs[1 - k],
                  c.dims[1] == 1, c.dims[2] == 1, let s = c.floats else { return false }
            // Named after its constant (torch's `features.1.0.layer_scale`) unless that name is taken.
            let constantName = node.input[k]
            let key = constantName.hasPrefix("onnx::") || usedNames.contains(constantName) || stateDict[constantName] != nil ? nil : constantName
            let index = builder.add(key ?? "\(uniqueName(node, parameterName: nil)).scale", .channelScale, inputs: [x])
            usedNames.insert(builder.nodes[index].name)
            stateDict.setTensor(builder.nodes[index].name, Tensor(shape: c.dims, scalars: s))
            values[node.output[0]] = .node(index, rank: 3)
            return true
        case "Div" where lastIndex != nil:
            // x / √2: the first step of an element-wise GELU channels-last (in NCHW, any
            // spelling is ONNXImporter+Activations').
            guard inputs.count == 2, near(scalar(inputs[1]), Float(2).squareRoot()), case .channelsLast(let index)? = inputs[0] else {
                throw fail("divides a channels-last tensor other than by √2 (a GELU's first step)")
            }
            values[node.output[0]] = .geluPart(GELUPart(source: index, stage: .divided))
            return true
        case "Reshape" where lastIndex == nil:
            // The default exporter's pooled map as one run of values (see the file comment).
            guard case .node(let index, 3)? = inputs.first, case .adaptiveAvgPool(Size2(1)) = builder.nodes[index].op,
                  case .constant(let shape)? = node.input.count > 1 ? values[node.input[1]] : nil, shape.integers == [-1] else { return false }
            values[node.output[0]] = .flatBatch(index)
            return true
        case "Gather" where lastIndex == nil:
            guard case .flatBatch(let index)? = inputs.first else { return false }
            guard try attributes.int("axis", 0, in: Int.min...Int.max) == 0, case .constant(let c)? = node.input.count > 1 ? values[node.input[1]] : nil,
                  let channels = currentChannels(of: index), c.dims == [1, channels, 1, 1], c.integers == (0..<Int64(channels)).map({ $0 }) else {
                throw fail("gathers from a pooled map reshaped to [-1] other than its own [1, C, 1, 1] values")
            }
            values[node.output[0]] = .node(index, rank: 3)
            return true
        default:
            break
        }
        guard let lastIndex else { return false }
        // Per-position ops on a channels-last value.
        switch node.opType {
        case "MatMul":
            guard lastIndex == 0, case .channelsLast(let x)?? = inputs.first, case .constant(let b)? = inputs[1], let f = b.floats,
                  b.dims.count == 2, b.dims.allSatisfy({ $0 >= 1 }) else {
                throw fail("needs a channels-last input first and a constant 2-D float weight [in, out]")
            }
            let (inFeatures, outFeatures) = (b.dims[0], b.dims[1])
            let weight = (0..<(outFeatures * inFeatures)).map { k in f[(k % inFeatures) * outFeatures + k / inFeatures] }
            let index = emit(.linear, [x], parameterName: node.input[1])
            stateDict.setTensor("\(builder.nodes[index].name).weight", Tensor(shape: [outFeatures, inFeatures], scalars: weight))
            values[node.output[0]] = .channelsLast(index)
        case "Add":
            guard inputs.count == 2 else { throw fail("needs two inputs") }
            if case .channelsLast(let a)?? = inputs.first, case .channelsLast(let b)?? = inputs.last {
                values[node.output[0]] = .channelsLast(emit(.add, [a, b]))
            } else if case .constant(let c)?? = inputs[1 - lastIndex], case .channelsLast(let x)?? = inputs[lastIndex],
                      case .linear = builder.nodes[x].op, stateDict["\(builder.nodes[x].name).bias"] == nil, let bias = c.floats,
                      c.dims.count == 1 {
                // The bias of the MatMul before it.
                stateDict.setTensor("\(builder.nodes[x].name).bias", Tensor(shape: [bias.count], scalars: bias))
                values[node.output[0]] = .channelsLast(x)
            } else {
                throw fail("adds to a channels-last tensor something other than a MatMul's bias or another channels-last tensor")
            }
        case "Gelu":
            guard case .channelsLast(let x)?? = inputs.first else { throw fail("needs a channels-last input") }
            let approximate = try attributes.string("approximate") ?? "none"
            guard approximate == "none" || approximate == "tanh" else { throw invalid("approximate '\(approximate)' is neither 'none' nor 'tanh'") }
            values[node.output[0]] = .channelsLast(emit(.gelu(tanh: approximate == "tanh"), [x]))
        case "Relu":
            guard case .channelsLast(let x)?? = inputs.first else { throw fail("needs a channels-last input") }
            values[node.output[0]] = .channelsLast(emit(.relu, [x]))
        case "Identity", "Dropout":
            values[node.output[0]] = inputs[lastIndex]
        default:
            throw fail("reads a channels-last (transposed) tensor; Shears reads LayerNormalization, MatMul, Add, Gelu (or its Erf form), Relu and the Transpose back to NCHW there")
        }
        return true
    }

    /// Whether `value` is the GELU's own input `x`, channels-last.
    private func isSource(_ value: Value?, of part: GELUPart) -> Bool {
        if case .channelsLast(let index)? = value { return index == part.source }
        return false
    }
}
