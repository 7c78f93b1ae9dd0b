// ConvolutionLayer: nn.Conv2d's forward and backward (grouped, depthwise, dilated, strided,
// asymmetric padding, with or without bias). Per sample and group an im2col and one GEMM
// (a 1x1 stride-1 unpadded conv multiplies the planes themselves); the backward's weight
// gradient is `dY · colsᵀ` summed over the batch and its input gradient `col2im(Wᵀ · dY)`;
// a depthwise conv runs direct loops (DepthwiseConvolution).

import NNCore

enum ConvolutionLayer {
    static func forward(_ node: Node, _ x: Tensor, _ attributes: Conv2dAttributes, _ model: TrainableModel) throws -> Tensor {
        let (weight, bias, geometry) = try parameters(node.name, input: x.shape, attributes, model)
        return forward(x, weight: weight.scalars, bias: bias?.scalars, geometry)
    }

    static func backward(_ context: BackwardContext, _ attributes: Conv2dAttributes, _ model: TrainableModel) throws -> NodeGradient {
        let name = context.node.name
        let (weight, bias, geometry) = try parameters(name, input: context.inputs[0].shape, attributes, model)
        guard context.gradient.shape == geometry.outputShape else {
            throw TrainingError.shapeMismatch("\(name): the gradient is \(context.gradient.shape), the output \(geometry.outputShape)")
        }
        let result = backward(context.inputs[0], weight: weight.scalars, gradient: context.gradient,
                              inputGradient: context.needsInputGradient[0], biasGradient: bias != nil, geometry)
        var gradients = [(key: "\(name).weight", gradient: Tensor(shape: weight.shape, scalars: result.weight))]
        if let db = result.bias { gradients.append((key: "\(name).bias", gradient: Tensor(shape: [geometry.outChannels], scalars: db))) }
        return NodeGradient(inputs: [result.input], parameters: gradients)
    }

    /// The node's weight, optional bias (`[O]`) and the checked geometry.
    private static func parameters(_ name: String, input: [Int], _ attributes: Conv2dAttributes,
                                   _ model: TrainableModel) throws -> (Tensor, Tensor?, ConvolutionGeometry) {
        let weight = try model.parameter("\(name).weight")
        let geometry = try ConvolutionGeometry(name, input: input, weight: weight.shape, attributes)
        let bias = model.parameters["\(name).bias"]
        if let bias, bias.count != geometry.outChannels {
            throw TrainingError.shapeMismatch("\(name).bias is \(bias.shape), the conv has \(geometry.outChannels) output channels")
        }
        return (weight, bias, geometry)
    }

    /// `y [N, O, outH, outW] = conv2d(x, w) + b` for the geometry's batch; `weight` holds
    /// `[O, C/groups, kh, kw]` (or `[O, C]` for a pointwise geometry).
    static func forward(_ x: Tensor, weight: [Float], bias: [Float]?, _ g: ConvolutionGeometry) -> Tensor {
        var y = Tensor(shape: g.outputShape)
        let positions = g.outPlane, k = g.columnRows, groupOut = g.groupOutChannels
        let im2col = !g.isPointwise && !g.isDepthwise
        var cols = [Float](repeating: 0, count: im2col ? k * positions : 0)
        x.scalars.withUnsafeBufferPointer { xb in
            weight.withUnsafeBufferPointer { wb in
                y.scalars.withUnsafeMutableBufferPointer { yb in
                    cols.withUnsafeMutableBufferPointer { cb in
                        let x = xb.baseAddress!, w = wb.baseAddress!, y = yb.baseAddress!
                        if g.isDepthwise {
                            g.depthwiseForward(x, w, y)
                        } else {
                            for n in 0..<g.batch {
                                for group in 0..<g.groups {
                                    let xg = x + (n * g.inChannels + group * g.groupInChannels) * g.inPlane
                                    if im2col { g.im2col(xg, into: cb.baseAddress!) }
                                    gemm(m: groupOut, n: positions, k: k, w + group * groupOut * k, lda: k,
                                         im2col ? UnsafePointer(cb.baseAddress!) : xg, ldb: positions,
                                         y + (n * g.outChannels + group * groupOut) * positions, ldc: positions)
                                }
                            }
                        }
                        guard let bias else { return }
                        for plane in 0..<(g.batch * g.outChannels) {
                            let b = bias[plane % g.outChannels], yp = y + plane * positions
                            for p in 0..<positions { yp[p] += b }
                        }
                    }
                }
            }
        }
        return y
    }

    /// The gradients of `forward` given `∂L/∂y` (`gradient`, the output's shape): `∂L/∂x`
    /// when `inputGradient` (nil otherwise), `∂L/∂w` (the weight's layout, summed over the
    /// batch) and, when `biasGradient`, `∂L/∂b[o] = Σ_{n, p} dy[n, o, p]` (each plane in Float, the planes in Double).
    static func backward(_ x: Tensor, weight: [Float], gradient: Tensor, inputGradient: Bool, biasGradient: Bool,
                         _ g: ConvolutionGeometry) -> (input: Tensor?, weight: [Float], bias: [Float]?) {
        let positions = g.outPlane, k = g.columnRows, groupOut = g.groupOutChannels
        let im2col = !g.isPointwise && !g.isDepthwise
        var dw = [Float](repeating: 0, count: weight.count)
        var dx = [Float](repeating: 0, count: inputGradient ? x.count : 0)
        var cols = [Float](repeating: 0, count: im2col ? k * positions : 0)
        var dcols = [Float](repeating: 0, count: im2col && inputGradient ? k * positions : 0)
        x.scalars.withUnsafeBufferPointer { xb in
            weight.withUnsafeBufferPointer { wb in
                gradient.scalars.withUnsafeBufferPointer { gb in
                    dw.withUnsafeMutableBufferPointer { dwb in
                        dx.withUnsafeMutableBufferPointer { dxb in
                            cols.withUnsafeMutableBufferPointer { cb in
                                dcols.withUnsafeMutableBufferPointer { dcb in
                                    let x = xb.baseAddress!, w = wb.baseAddress!, dy = gb.baseAddress!, dw = dwb.baseAddress!
                                    if g.isDepthwise {
                                        g.depthwiseBackward(x, w, dy, dw: dw, dx: inputGradient ? dxb.baseAddress! : nil)
                                        return
                                    }
                                    for n in 0..<g.batch {
                                        for group in 0..<g.groups {
                                            let inputOffset = (n * g.inChannels + group * g.groupInChannels) * g.inPlane
                                            let xg = x + inputOffset, wg = w + group * groupOut * k
                                            let dyg = dy + (n * g.outChannels + group * groupOut) * positions
                                            if im2col { g.im2col(xg, into: cb.baseAddress!) }
                                            gemm(transposeB: true, m: groupOut, n: k, k: positions, dyg, lda: positions,
                                                 im2col ? UnsafePointer(cb.baseAddress!) : xg, ldb: positions,
                                                 beta: 1, dw + group * groupOut * k, ldc: k)
                                            guard inputGradient else { continue }
                                            let dxg = dxb.baseAddress! + inputOffset
                                            gemm(transposeA: true, m: k, n: positions, k: groupOut, wg, lda: k, dyg, ldb: positions,
                                                 im2col ? dcb.baseAddress! : dxg, ldc: positions)
                                            if im2col { g.col2im(dcb.baseAddress!, addingInto: dxg) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let db: [Float]? = biasGradient ? gradient.scalars.withUnsafeBufferPointer { dy in
            var sums = [Double](repeating: 0, count: g.outChannels)
            for plane in 0..<(g.batch * g.outChannels) {
                var sum: Float = 0
                for p in (plane * positions)..<((plane + 1) * positions) { sum += dy[p] }
                sums[plane % g.outChannels] += Double(sum)
            }
            return sums.map { Float($0) }
        } : nil
        return (inputGradient ? Tensor(shape: x.shape, scalars: dx) : nil, dw, db)
    }
}
