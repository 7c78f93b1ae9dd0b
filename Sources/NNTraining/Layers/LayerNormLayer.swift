// LayerNormLayer: LayerNorm over the channels at every position (and over a vector's
// features), forward and backward. Statistics and reductions are in Double; the backward
// recomputes the statistics from the saved input.

import NNCore

enum LayerNormLayer {
    /// Per sample n and position p over the C channels: `μ = Σ_c x / C`,
    /// `σ² = Σ_c (x − μ)² / C`, `y = (x − μ) / √(σ² + eps) · w[c] + b[c]` (`b` optional).
    /// `[N, C, H, W]` or `[N, F]` (one position).
    static func forward(_ node: Node, _ x: Tensor, eps: Float, _ model: TrainableModel) throws -> Tensor {
        let layer = try Parameters(node.name, input: x.shape, model)
        var y = Tensor(shape: x.shape)
        x.scalars.withUnsafeBufferPointer { xs in
            y.scalars.withUnsafeMutableBufferPointer { yb in
                layer.forEachSample(xs, eps: eps) { n, mean, invstd in
                    for c in 0..<layer.channels {
                        let w = Double(layer.weight.scalars[c]), b = Double(layer.bias?.scalars[c] ?? 0)
                        let offset = (n * layer.channels + c) * layer.positions
                        for p in 0..<layer.positions {
                            yb[offset + p] = Float((Double(xs[offset + p]) - mean[p]) * invstd[p] * w + b)
                        }
                    }
                }
            }
        }
        return y
    }

    /// With `x̂ = (x − μ)·invstd` and `g = dy·w[c]`: `∂L/∂x = invstd·(g − mean_c g − x̂·mean_c(g·x̂))`,
    /// `∂L/∂w[c] = Σ_{n, p} dy·x̂`, `∂L/∂b[c] = Σ_{n, p} dy`.
    static func backward(_ context: BackwardContext, eps: Float, _ model: TrainableModel) throws -> NodeGradient {
        let name = context.node.name, x = context.inputs[0], dy = try context.gradientOfInputShape()
        let layer = try Parameters(name, input: x.shape, model)
        let (channels, positions) = (layer.channels, layer.positions)
        let needsInput = context.needsInputGradient[0]
        var dx = Tensor(shape: needsInput ? x.shape : [0])
        var dw = [Double](repeating: 0, count: channels), db = dw
        var meanG = [Double](repeating: 0, count: positions), meanGXhat = meanG
        x.scalars.withUnsafeBufferPointer { xs in
            dy.scalars.withUnsafeBufferPointer { gs in
                dx.scalars.withUnsafeMutableBufferPointer { dxb in
                    layer.forEachSample(xs, eps: eps) { n, mean, invstd in
                        for p in 0..<positions { meanG[p] = 0; meanGXhat[p] = 0 }
                        for c in 0..<channels {
                            let w = Double(layer.weight.scalars[c]), offset = (n * channels + c) * positions
                            for p in 0..<positions {
                                let g = Double(gs[offset + p]), xhat = (Double(xs[offset + p]) - mean[p]) * invstd[p]
                                dw[c] += g * xhat
                                db[c] += g
                                meanG[p] += g * w / Double(channels)
                                meanGXhat[p] += g * w * xhat / Double(channels)
                            }
                        }
                        guard needsInput else { return }
                        for c in 0..<channels {
                            let w = Double(layer.weight.scalars[c]), offset = (n * channels + c) * positions
                            for p in 0..<positions {
                                let xhat = (Double(xs[offset + p]) - mean[p]) * invstd[p]
                                dxb[offset + p] = Float(invstd[p] * (Double(gs[offset + p]) * w - meanG[p] - xhat * meanGXhat[p]))
                            }
                        }
                    }
                }
            }
        }
        var gradients = [(key: "\(name).weight", gradient: Tensor(shape: layer.weight.shape, scalars: dw.map { Float($0) }))]
        if let bias = layer.bias {
            gradients.append((key: "\(name).bias", gradient: Tensor(shape: bias.shape, scalars: db.map { Float($0) })))
        }
        return NodeGradient(inputs: [needsInput ? dx : nil], parameters: gradients)
    }

    /// One LayerNorm's weight `[C]` and optional bias `[C]`, checked against its input.
    private struct Parameters {
        let weight: Tensor, bias: Tensor?
        let channels: Int
        /// Positions per sample (`H·W`, 1 for a vector).
        let positions: Int

        init(_ name: String, input: [Int], _ model: TrainableModel) throws {
            weight = try model.parameter("\(name).weight")
            bias = model.parameters["\(name).bias"]
            guard input.count == 2 || input.count == 4, input.allSatisfy({ $0 >= 1 }), weight.count == input[1],
                  bias.map({ $0.count == input[1] }) ?? true else {
                throw TrainingError.shapeMismatch("\(name): LayerNorm weight \(weight.shape) (bias \(bias?.shape ?? [])) does not fit the input \(input) ([N, C, H, W] or [N, F])")
            }
            channels = input[1]
            positions = input.dropFirst(2).reduce(1, *)
        }

        /// Calls `body(n, μ[p], invstd[p])` for every sample with its per-position statistics
        /// over the channels (two passes, in Double).
        func forEachSample(_ x: UnsafeBufferPointer<Float>, eps: Float, _ body: (Int, [Double], [Double]) -> Void) {
            var mean = [Double](repeating: 0, count: positions), variance = mean
            for n in 0..<(x.count / (channels * positions)) {
                for p in 0..<positions { mean[p] = 0; variance[p] = 0 }
                for c in 0..<channels {
                    let offset = (n * channels + c) * positions
                    for p in 0..<positions { mean[p] += Double(x[offset + p]) }
                }
                for p in 0..<positions { mean[p] /= Double(channels) }
                for c in 0..<channels {
                    let offset = (n * channels + c) * positions
                    for p in 0..<positions {
                        let d = Double(x[offset + p]) - mean[p]
                        variance[p] += d * d
                    }
                }
                body(n, mean, variance.map { 1 / ($0 / Double(channels) + Double(eps)).squareRoot() })
            }
        }
    }
}
