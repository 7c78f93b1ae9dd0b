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

/// A partly matched element-wise GELU of node `source`, seen channels-last
/// (ONNXImporter+Activations matches the channels-first spellings): `expression`, a function
/// of x, is GELU's step `step` (`ONNXExpression.geluSteps`).
struct GELUPart {
    let source: Int
    var step: Int
    var expression: ONNXExpression

    /// The erf GELU's steps as the exporters write it channels-last: x/√2, erf(x/√2),
    /// 1 + erf(x/√2), then · x and · 0.5 in either order; the last is the whole GELU.
    static let steps: [[ONNXExpression]] = {
        let s = ONNXExpression.geluSteps(of: .x, tanh: false)
        return [[s[0]], [s[1]], [s[2]], [s[3], s[2]?.scaled(by: 0.5)], [s[4]]].map { $0.compactMap { $0 } }
    }()
}

extension ONNXImporter.GraphTranslation {
    /// Translates `n` when it is one of ConvNeXt's layout patterns above; false leaves it
    /// to the main dispatch.
    mutating func translateLayout(_ n: ONNXAttributes) throws -> Bool {
        let inputs = n.node.input.map { values[$0] }
        // GELU from its element-wise pieces, over any layout.
        if let part = inputs.lazy.compactMap({ v -> GELUPart? in if case .geluPart(let p)? = v { return p }; return nil }).first {
            try continueGELU(n, part, inputs)
            return true
        }
        let lastIndex = inputs.firstIndex { if case .channelsLast? = $0 { return true }; return false }
        switch n.node.opType {
        case "Transpose": return try layoutTranspose(n, inputs, readsChannelsLast: lastIndex != nil)
        case "LayerNormalization": try layerNormalization(n, inputs); return true
        case "Mul" where lastIndex == nil: return layerScale(n, inputs)
        case "Div" where lastIndex != nil: try startGELU(n, inputs); return true
        case "Reshape" where lastIndex == nil: return flatBatch(n, inputs)
        case "Gather" where lastIndex == nil: return try gatherFlatBatch(n, inputs)
        default: break
        }
        guard let lastIndex else { return false }
        try positionwise(n, inputs, lastIndex)
        return true
    }

    /// Adds `op` reading `inputs`, named for `n`'s node (its output value is the caller's to set).
    private mutating func emitLayout(_ n: ONNXAttributes, _ op: Op, _ inputs: [Int], parameterName: String? = nil) -> Int {
        builder.add(uniqueName(n.node, parameterName: parameterName), op, inputs: inputs)
    }

    /// The value of a float scalar constant, else nil.
    private func scalar(_ value: Value?) -> Float? {
        guard case .constant(let c)? = value, c.count == 1, let f = c.floats else { return nil }
        return f[0]
    }

    /// A Transpose to channels-last (perm [0, 2, 3, 1]) or back ([0, 3, 1, 2]), or of a 2-D
    /// constant; any other of a channels-last value is refused.
    private mutating func layoutTranspose(_ n: ONNXAttributes, _ inputs: [Value?], readsChannelsLast: Bool) throws -> Bool {
        let node = n.node
        let perm = try n.ints("perm"), first = inputs.first ?? nil
        if case .node(let index, 3)? = first, perm == [0, 2, 3, 1] {
            values[node.output[0]] = .channelsLast(index)
        } else if case .channelsLast(let index)? = first, perm == [0, 3, 1, 2] {
            values[node.output[0]] = .node(index, rank: 3)
        } else if case .constant(var c)? = first, c.dims.count == 2, perm == nil || perm == [1, 0], let f = c.floats {
            // A weight transposed in the file (ONNXExporter's MatMul of a linear on a feature
            // map): a second copy, counted with the constants decoded before it.
            try MemoryBudget.check(constantBytes + c.decodedBytes, for: "transposed constant '\(node.input[0])' with the constants before it", path: path)
            constantBytes += c.decodedBytes
            let (rows, columns) = (c.dims[0], c.dims[1])
            c.floats = (0..<(rows * columns)).map { k in f[(k % rows) * columns + k / rows] }
            c.dims = [columns, rows]
            values[node.output[0]] = .constant(c)
        } else if readsChannelsLast {
            throw n.unsupported("permutes a channels-last tensor by \(perm ?? []); only the transpose back to NCHW ([0, 3, 1, 2]) is supported")
        } else {
            return false
        }
        return true
    }

    /// LayerNormalization over the channels of a channels-last map, or the features of a vector.
    private mutating func layerNormalization(_ n: ONNXAttributes, _ inputs: [Value?]) throws {
        let node = n.node
        let axis = try n.int("axis", -1, in: Int.min...Int.max)
        let eps = try n.float("epsilon", 1e-5)
        guard eps >= 0 else { throw n.invalid("epsilon \(eps) is negative") }
        guard case .constant(let scale)? = node.input.count > 1 ? values[node.input[1]] : nil, let w = scale.floats, scale.dims.count == 1 else {
            throw n.unsupported("needs a constant 1-D scale")
        }
        let bias: [Float]?
        if node.input.count > 2, !node.input[2].isEmpty {
            guard case .constant(let b)? = values[node.input[2]], let f = b.floats, b.dims == scale.dims else {
                throw n.unsupported("needs a constant bias shaped like its scale \(scale.dims)")
            }
            bias = f
        } else {
            bias = nil
        }
        let source: Int, channelsLast: Bool
        switch inputs.first ?? nil {
        case .channelsLast(let index)? where axis == -1 || axis == 3: (source, channelsLast) = (index, true)
        case .node(let index, 1)? where axis == -1 || axis == 1: (source, channelsLast) = (index, false)
        default: throw n.unsupported("normalises over axis \(axis) of its input; Shears normalises the channels of a channels-last map (axis −1 after a Transpose [0, 2, 3, 1]) or the features of a vector")
        }
        let index = emitLayout(n, .layerNorm(eps: eps), [source], parameterName: node.input[1])
        let name = builder.nodes[index].name
        stateDict.setTensor("\(name).weight", Tensor(shape: [w.count], scalars: w))
        if let bias { stateDict.setTensor("\(name).bias", Tensor(shape: [bias.count], scalars: bias)) }
        values[node.output[0]] = channelsLast ? .channelsLast(index) : .node(index, rank: 1)
    }

    /// A layer scale: a rank-3 node times a constant [C, 1, 1], in either order; false when `n` is another product.
    private mutating func layerScale(_ n: ONNXAttributes, _ inputs: [Value?]) -> Bool {
        let node = n.node
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
    }

    /// x / √2: the first step of an element-wise GELU channels-last (in NCHW, any spelling is
    /// ONNXImporter+Activations').
    private mutating func startGELU(_ n: ONNXAttributes, _ inputs: [Value?]) throws {
        let root2 = Float(2).squareRoot()
        guard inputs.count == 2, let d = scalar(inputs[1]), abs(d - root2) <= 1e-6 * root2, case .channelsLast(let index)? = inputs[0],
              let divided = GELUPart.steps[0].first else {
            throw n.unsupported("divides a channels-last tensor other than by √2 (a GELU's first step)")
        }
        values[n.node.output[0]] = .geluPart(GELUPart(source: index, step: 0, expression: divided))
    }

    /// The next step of the GELU `part` (Erf, Add 1, Mul by 0.5 or by x); the last emits it.
    private mutating func continueGELU(_ n: ONNXAttributes, _ part: GELUPart, _ inputs: [Value?]) throws {
        let other = inputs.count == 2 ? (inputs[0].flatMap { if case .geluPart = $0 { return nil }; return $0 } ?? inputs[1]) : nil
        let next: ONNXExpression?
        switch n.node.opType {
        case "Erf": next = part.expression.applying(.erf)
        case "Add": next = scalar(other).flatMap { part.expression.adding(.number(Double($0))) }
        case "Mul":
            if case .channelsLast(let index)? = other, index == part.source {
                next = part.expression.multiplied(by: .x)
            } else {
                next = scalar(other).flatMap { part.expression.scaled(by: Double($0)) }
            }
        default: next = nil
        }
        guard let next, let step = GELUPart.steps.indices.first(where: { $0 > part.step && GELUPart.steps[$0].contains(where: next.matches) }) else {
            throw n.unsupported("reads part of an element-wise GELU (x/2 · (1 + erf(x/√2))) but does not continue it")
        }
        if step == GELUPart.steps.count - 1 {
            values[n.node.output[0]] = .channelsLast(emitLayout(n, .gelu(tanh: false), [part.source]))
        } else {
            values[n.node.output[0]] = .geluPart(GELUPart(source: part.source, step: step, expression: next))
        }
    }

    /// The default exporter's pooled map as one run of values (see the file comment): a
    /// Reshape to [-1] of a 1x1 adaptive average pool; false for any other Reshape.
    private mutating func flatBatch(_ n: ONNXAttributes, _ inputs: [Value?]) -> Bool {
        guard case .node(let index, 3)? = inputs.first ?? nil, case .adaptiveAvgPool(Size2(1)) = builder.nodes[index].op,
              case .constant(let shape)? = n.node.input.count > 1 ? values[n.node.input[1]] : nil, shape.integers == [-1] else { return false }
        values[n.node.output[0]] = .flatBatch(index)
        return true
    }

    /// The Gather of its own `[1, C, 1, 1]` values from a pooled map reshaped to [-1]: that
    /// map; false for a Gather of anything else.
    private mutating func gatherFlatBatch(_ n: ONNXAttributes, _ inputs: [Value?]) throws -> Bool {
        guard case .flatBatch(let index)? = inputs.first ?? nil else { return false }
        guard try n.int("axis", 0, in: Int.min...Int.max) == 0, case .constant(let c)? = n.node.input.count > 1 ? values[n.node.input[1]] : nil,
              let channels = currentChannels(of: index), c.dims == [1, channels, 1, 1], c.integers == (0..<Int64(channels)).map({ $0 }) else {
            throw n.unsupported("gathers from a pooled map reshaped to [-1] other than its own [1, C, 1, 1] values")
        }
        values[n.node.output[0]] = .node(index, rank: 3)
        return true
    }

    /// Per-position ops on a channels-last value (input `lastIndex`): MatMul by a constant
    /// `[in, out]`, the Add of its bias or of two channels-last values, Gelu, Relu, Identity;
    /// any other op is refused.
    private mutating func positionwise(_ n: ONNXAttributes, _ inputs: [Value?], _ lastIndex: Int) throws {
        let node = n.node
        switch node.opType {
        case "MatMul":
            guard lastIndex == 0, case .channelsLast(let x)? = inputs[0], case .constant(let b)? = inputs[1], let f = b.floats,
                  b.dims.count == 2, b.dims.allSatisfy({ $0 >= 1 }) else {
                throw n.unsupported("needs a channels-last input first and a constant 2-D float weight [in, out]")
            }
            let (inFeatures, outFeatures) = (b.dims[0], b.dims[1])
            let weight = (0..<(outFeatures * inFeatures)).map { k in f[(k % inFeatures) * outFeatures + k / inFeatures] }
            let index = emitLayout(n, .linear, [x], parameterName: node.input[1])
            stateDict.setTensor("\(builder.nodes[index].name).weight", Tensor(shape: [outFeatures, inFeatures], scalars: weight))
            values[node.output[0]] = .channelsLast(index)
        case "Add":
            guard inputs.count == 2 else { throw n.unsupported("needs two inputs") }
            if case .channelsLast(let a)? = inputs[0], case .channelsLast(let b)? = inputs[1] {
                values[node.output[0]] = .channelsLast(emitLayout(n, .add, [a, b]))
            } else if case .constant(let c)? = inputs[1 - lastIndex], case .channelsLast(let x)? = inputs[lastIndex],
                      case .linear = builder.nodes[x].op, stateDict["\(builder.nodes[x].name).bias"] == nil, let bias = c.floats,
                      c.dims.count == 1 {
                // The bias of the MatMul before it.
                stateDict.setTensor("\(builder.nodes[x].name).bias", Tensor(shape: [bias.count], scalars: bias))
                values[node.output[0]] = .channelsLast(x)
            } else {
                throw n.unsupported("adds to a channels-last tensor something other than a MatMul's bias or another channels-last tensor")
            }
        case "Gelu":
            guard case .channelsLast(let x)? = inputs[0] else { throw n.unsupported("needs a channels-last input") }
            let approximate = try n.string("approximate") ?? "none"
            guard approximate == "none" || approximate == "tanh" else { throw n.invalid("approximate '\(approximate)' is neither 'none' nor 'tanh'") }
            values[node.output[0]] = .channelsLast(emitLayout(n, .gelu(tanh: approximate == "tanh"), [x]))
        case "Relu":
            guard case .channelsLast(let x)? = inputs[0] else { throw n.unsupported("needs a channels-last input") }
            values[node.output[0]] = .channelsLast(emitLayout(n, .relu, [x]))
        case "Identity", "Dropout":
            values[node.output[0]] = inputs[lastIndex]
        default:
            throw n.unsupported("reads a channels-last (transposed) tensor; Shears reads LayerNormalization, MatMul, Add, Gelu (or its Erf form), Relu and the Transpose back to NCHW there")
        }
    }
}
