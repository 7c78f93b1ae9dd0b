// ConvolutionLayer: nn.Conv2d's forward and backward (grouped, depthwise, dilated, strided,
// asymmetric padding, with or without bias). The batch is cut into chunks that run
// concurrently (SampleChunks); per run of samples and group, their im2col matrices side by side
// and one GEMM (a 1x1 stride-1 unpadded conv multiplies the planes themselves); the backward's
// weight gradient is `dY · colsᵀ` summed over the batch and its input gradient
// `col2im(Wᵀ · dY)`; a depthwise conv runs direct loops (DepthwiseConvolution).

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
    /// `[O, C/groups, kh, kw]` (or `[O, C]` for a pointwise geometry). The batch's chunks run
    /// concurrently, one GEMM per run of samples and group (`ConvolutionRuns`), over the live taps only.
    static func forward(_ x: Tensor, weight: [Float], bias: [Float]?, _ g: ConvolutionGeometry) -> Tensor {
        var y = Tensor(shape: g.outputShape)
        let positions = g.outPlane, k = g.columnRows, groupOut = g.groupOutChannels
        x.scalars.withUnsafeBufferPointer { xb in
            (g.isDepthwise ? weight : g.gemmWeight(weight)).withUnsafeBufferPointer { wb in
                y.scalars.withUnsafeMutableBufferPointer { yb in
                    let x = xb.baseAddress!, w = wb.baseAddress!, y = yb.baseAddress!
                    if g.isDepthwise {
                        g.depthwiseForward(x, w, y)
                    } else {
                        let chunks = SampleChunks(batch: g.batch)
                        chunks.forEach { chunk in
                            let samples = chunks.samples(chunk)
                            let columnFloats = g.runScratch(rows: k, samples), outputFloats = g.runScratch(rows: groupOut, samples)
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: columnFloats + outputFloats + g.columnScratch) { scratch in
                                let cols = scratch.baseAddress!, outputs = cols + columnFloats, padded = outputs + outputFloats
                                for run in g.runs(samples) {
                                    let width = run.count * positions
                                    for group in 0..<g.groups {
                                        let yg = y + (run.lowerBound * g.outChannels + group * groupOut) * positions
                                        gemm(m: groupOut, n: width, k: k, w + group * groupOut * k, lda: k,
                                             g.columns(of: x, run, group: group, into: cols, scratch: padded), ldb: width,
                                             run.count == 1 ? yg : outputs, ldc: width)
                                        if run.count > 1 {
                                            scatterPlanes(outputs, channels: groupOut, samples: run.count,
                                                          sampleStride: g.outChannels * positions, plane: positions, into: yg)
                                        }
                                    }
                                }
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
        return y
    }

    /// The gradients of `forward` given `∂L/∂y` (`gradient`, the output's shape): `∂L/∂x`
    /// when `inputGradient` (nil otherwise), `∂L/∂w` (the weight's layout, summed over the
    /// batch: each chunk's share, then the shares in chunk order) and, when `biasGradient`,
    /// `∂L/∂b[o] = Σ_{n, p} dy[n, o, p]` (each plane in Float, the planes in Double).
    static func backward(_ x: Tensor, weight: [Float], gradient: Tensor, inputGradient: Bool, biasGradient: Bool,
                         _ g: ConvolutionGeometry) -> (input: Tensor?, weight: [Float], bias: [Float]?) {
        let positions = g.outPlane, k = g.columnRows, groupOut = g.groupOutChannels
        let chunks = SampleChunks(batch: g.batch)
        let gemmWeight = g.isDepthwise ? weight : g.gemmWeight(weight), shareCount = gemmWeight.count
        var dw = [Float](repeating: 0, count: weight.count)
        var shares = [Float](repeating: 0, count: g.isDepthwise ? 0 : chunks.count * shareCount)
        var dx = [Float](repeating: 0, count: inputGradient ? x.count : 0)
        x.scalars.withUnsafeBufferPointer { xb in
            gemmWeight.withUnsafeBufferPointer { wb in
                gradient.scalars.withUnsafeBufferPointer { gb in
                    dw.withUnsafeMutableBufferPointer { dwb in
                        dx.withUnsafeMutableBufferPointer { dxb in
                            shares.withUnsafeMutableBufferPointer { sb in
                                let x = xb.baseAddress!, w = wb.baseAddress!, dy = gb.baseAddress!, dw = dwb.baseAddress!
                                if g.isDepthwise {
                                    g.depthwiseBackward(x, w, dy, dw: dw, dx: inputGradient ? dxb.baseAddress! : nil)
                                    return
                                }
                                chunks.forEach { chunk in
                                    let samples = chunks.samples(chunk), share = sb.baseAddress! + chunk * shareCount
                                    let columnFloats = g.runScratch(rows: k, samples)
                                    let gradientFloats = g.runScratch(rows: groupOut, samples)
                                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * columnFloats + gradientFloats + g.columnScratch) { scratch in
                                        let cols = scratch.baseAddress!, dcols = cols + columnFloats, gathered = dcols + columnFloats
                                        let padded = gathered + gradientFloats
                                        for run in g.runs(samples) {
                                            let width = run.count * positions
                                            for group in 0..<g.groups {
                                                let wg = w + group * groupOut * k
                                                var dyg = UnsafePointer(dy + (run.lowerBound * g.outChannels + group * groupOut) * positions)
                                                if run.count > 1 {
                                                    gatherPlanes(dyg, channels: groupOut, samples: run.count,
                                                                 sampleStride: g.outChannels * positions, plane: positions, into: gathered)
                                                    dyg = UnsafePointer(gathered)
                                                }
                                                gemm(transposeB: true, m: groupOut, n: k, k: width, dyg, lda: width,
                                                     g.columns(of: x, run, group: group, into: cols, scratch: padded), ldb: width,
                                                     beta: 1, share + group * groupOut * k, ldc: k)
                                                guard inputGradient else { continue }
                                                let dxg = dxb.baseAddress! + (run.lowerBound * g.inChannels + group * g.groupInChannels) * g.inPlane
                                                let direct = g.isPointwise && run.count == 1
                                                gemm(transposeA: true, m: k, n: width, k: groupOut, wg, lda: k, dyg, ldb: width,
                                                     direct ? dxg : dcols, ldc: width)
                                                if direct { continue }
                                                if g.isPointwise {
                                                    scatterPlanes(dcols, channels: k, samples: run.count,
                                                                  sampleStride: g.inChannels * g.inPlane, plane: g.inPlane, into: dxg)
                                                } else {
                                                    for i in 0..<run.count {
                                                        g.col2im(dcols + i * positions, rowLength: width, addingInto: dxg + i * g.inChannels * g.inPlane,
                                                                 scratch: padded)
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                                for chunk in 0..<chunks.count { g.addGEMMGradient(sb.baseAddress! + chunk * shareCount, into: dw) }
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
