// BatchNormLayer: nn.BatchNorm2d in training mode (batch statistics, running statistics
// updated) and evaluation mode, and its backward. Statistics and reductions are summed in
// Double (CKernels' plane sums); the backward recomputes the batch statistics from the saved input.

import CKernels
import NNCore

enum BatchNormLayer {
    /// Per channel c over the `M = N·H·W` values: `y = (x − μ) / √(σ² + eps) · γ + β`. In
    /// training mode μ and σ² are the batch's mean and biased variance, and the running
    /// statistics move as torch's `F.batch_norm(training=True)` moves them:
    /// `running_mean = (1 − m)·running_mean + m·μ`, `running_var = (1 − m)·running_var + m·σ²·M/(M − 1)`,
    /// `num_batches_tracked += 1` (m: `model.batchNormMomentum`); in evaluation mode μ and σ²
    /// are the running statistics and nothing changes. γ, β: `<name>.weight`, `.bias`, or
    /// 1 and 0 without them (`affine=False`).
    static func forward(_ node: Node, _ x: Tensor, eps: Float, training: Bool, _ model: inout TrainableModel) throws -> Tensor {
        let name = node.name
        let layer = try Parameters(name, input: x.shape, model)
        let statistics: (mean: [Double], invstd: [Double])
        if training {
            let batch = try layer.batchStatistics(name, x, eps: eps)
            let m = Double(model.batchNormMomentum), correction = Double(layer.count) / Double(layer.count - 1)
            let mean = "\(name).running_mean", variance = "\(name).running_var"
            model.buffers[mean] = Tensor(shape: layer.runningMean.shape, scalars: (0..<layer.channels).map {
                Float(m * batch.mean[$0] + (1 - m) * Double(layer.runningMean.scalars[$0]))
            })
            model.buffers[variance] = Tensor(shape: layer.runningVariance.shape, scalars: (0..<layer.channels).map {
                Float(m * batch.variance[$0] * correction + (1 - m) * Double(layer.runningVariance.scalars[$0]))
            })
            model.batchesTracked[name, default: 0] += 1
            statistics = (batch.mean, batch.variance.map { 1 / ($0 + Double(eps)).squareRoot() })
        } else {
            statistics = layer.runningStatistics(eps: eps)
        }
        var y = Tensor(shape: x.shape)
        let positions = layer.positions
        x.scalars.withUnsafeBufferPointer { xb in
            y.scalars.withUnsafeMutableBufferPointer { yb in
                forEachRangeInParallel(x.shape[0] * layer.channels, work: positions) { planes in
                    for plane in planes {
                        let c = plane % layer.channels
                        let alpha = statistics.invstd[c] * Double(layer.gamma(c))
                        let scale = Float(alpha), shift = Float(Double(layer.beta(c)) - statistics.mean[c] * alpha)
                        let xp = xb.baseAddress! + plane * positions, yp = yb.baseAddress! + plane * positions
                        for p in 0..<positions { yp[p] = xp[p] * scale + shift }
                    }
                }
            }
        }
        return y
    }

    /// With `x̂ = (x − μ)·invstd`: `∂L/∂γ = Σ dy·x̂`, `∂L/∂β = Σ dy`, and
    /// `∂L/∂x = γ·invstd·(dy − (Σ dy)/M − x̂·(Σ dy·x̂)/M)` in training mode (through the batch
    /// statistics), `γ·invstd·dy` in evaluation mode (running statistics, constants).
    static func backward(_ context: BackwardContext, eps: Float, _ model: TrainableModel) throws -> NodeGradient {
        let name = context.node.name, x = context.inputs[0], dy = try context.gradientOfInputShape()
        let layer = try Parameters(name, input: x.shape, model)
        let statistics: (mean: [Double], invstd: [Double])
        if context.training {
            let batch = try layer.batchStatistics(name, x, eps: eps)
            statistics = (batch.mean, batch.variance.map { 1 / ($0 + Double(eps)).squareRoot() })
        } else {
            statistics = layer.runningStatistics(eps: eps)
        }
        let positions = layer.positions, batch = x.shape[0], count = Double(layer.count)
        var sumDy = [Double](repeating: 0, count: layer.channels), sumDyXhat = sumDy
        x.scalars.withUnsafeBufferPointer { xb in
            dy.scalars.withUnsafeBufferPointer { gb in
                sumDy.withUnsafeMutableBufferPointer { sumDy in
                    sumDyXhat.withUnsafeMutableBufferPointer { sumDyXhat in
                        layer.forEachChannelInParallel(batch: batch) { c in
                            let mean = statistics.mean[c]
                            for n in 0..<batch {
                                let plane = n * layer.channels + c
                                var s: Double = 0, sx: Double = 0
                                shears_plane_gradient_sums(gb.baseAddress! + plane * positions, xb.baseAddress! + plane * positions,
                                                           Int64(positions), mean, &s, &sx)
                                sumDy[c] += s
                                sumDyXhat[c] += sx * statistics.invstd[c]
                            }
                        }
                    }
                }
            }
        }
        var dx: Tensor?
        if context.needsInputGradient[0] {
            var input = Tensor(shape: x.shape)
            x.scalars.withUnsafeBufferPointer { xb in
                dy.scalars.withUnsafeBufferPointer { gb in
                    input.scalars.withUnsafeMutableBufferPointer { db in
                        forEachRangeInParallel(batch * layer.channels, work: positions) { planes in
                            for plane in planes {
                                let c = plane % layer.channels, invstd = statistics.invstd[c]
                                let scale = Double(layer.gamma(c)) * invstd
                                // dx = scale·dy + slope·(x − μ) + shift (slope and shift 0 in evaluation mode)
                                let a = Float(scale), mean = Float(statistics.mean[c])
                                let slope = context.training ? Float(-scale * invstd * sumDyXhat[c] / count) : 0
                                let shift = context.training ? Float(-scale * sumDy[c] / count) : 0
                                let xp = xb.baseAddress! + plane * positions, gp = gb.baseAddress! + plane * positions
                                let dp = db.baseAddress! + plane * positions
                                for p in 0..<positions { dp[p] = a * gp[p] + slope * (xp[p] - mean) + shift }
                            }
                        }
                    }
                }
            }
            dx = input
        }
        var gradients: [(key: String, gradient: Tensor)] = []
        if let weight = layer.weight {
            gradients.append((key: "\(name).weight", gradient: Tensor(shape: weight.shape, scalars: sumDyXhat.map { Float($0) })))
        }
        if let bias = layer.bias {
            gradients.append((key: "\(name).bias", gradient: Tensor(shape: bias.shape, scalars: sumDy.map { Float($0) })))
        }
        return NodeGradient(inputs: [dx], parameters: gradients)
    }

    /// One BatchNorm's tensors, checked against its input `[N, C, …]`.
    private struct Parameters {
        let weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVariance: Tensor
        let channels: Int
        /// Values per sample and channel (`H·W`).
        let positions: Int
        /// Values per channel over the batch, `M = N·H·W`.
        let count: Int

        init(_ name: String, input: [Int], _ model: TrainableModel) throws {
            guard input.count >= 2, input.allSatisfy({ $0 >= 1 }) else {
                throw TrainingError.shapeMismatch("\(name): BatchNorm needs a [N, C, H, W] input, got \(input)")
            }
            channels = input[1]
            positions = input.dropFirst(2).reduce(1, *)
            count = input[0] * positions
            weight = model.parameters["\(name).weight"]
            bias = model.parameters["\(name).bias"]
            guard let mean = model.buffers["\(name).running_mean"] else { throw TrainingError.missingParameter("\(name).running_mean") }
            guard let variance = model.buffers["\(name).running_var"] else { throw TrainingError.missingParameter("\(name).running_var") }
            (runningMean, runningVariance) = (mean, variance)
            for tensor in [weight, bias, mean, variance] {
                guard let tensor, tensor.count != channels else { continue }
                throw TrainingError.shapeMismatch("\(name): a BatchNorm tensor is \(tensor.shape), the input has \(channels) channels")
            }
        }

        func gamma(_ c: Int) -> Float { weight?.scalars[c] ?? 1 }
        func beta(_ c: Int) -> Float { bias?.scalars[c] ?? 0 }

        /// The running mean and `1/√(running_var + eps)` per channel.
        func runningStatistics(eps: Float) -> (mean: [Double], invstd: [Double]) {
            (runningMean.scalars.map { Double($0) }, runningVariance.scalars.map { 1 / (Double($0) + Double(eps)).squareRoot() })
        }

        /// The batch's mean and biased variance per channel (two passes, in Double); refuses a
        /// single value per channel as torch does.
        func batchStatistics(_ name: String, _ x: Tensor, eps: Float) throws -> (mean: [Double], variance: [Double]) {
            guard count > 1 else {
                throw TrainingError.shapeMismatch("\(name): BatchNorm in training mode needs more than 1 value per channel, got input \(x.shape) (use a batch of 2 or more)")
            }
            var mean = [Double](repeating: 0, count: channels), variance = mean
            let batch = x.shape[0]
            x.scalars.withUnsafeBufferPointer { xb in
                mean.withUnsafeMutableBufferPointer { mean in
                    variance.withUnsafeMutableBufferPointer { variance in
                        forEachChannelInParallel(batch: batch) { c in
                            for n in 0..<batch {
                                mean[c] += shears_plane_sum(xb.baseAddress! + (n * channels + c) * positions, Int64(positions), 0, 0)
                            }
                            mean[c] /= Double(count)
                            for n in 0..<batch {
                                variance[c] += shears_plane_sum(xb.baseAddress! + (n * channels + c) * positions, Int64(positions), mean[c], 1)
                            }
                        }
                    }
                }
            }
            return (mean, variance.map { $0 / Double(count) })
        }

        /// Runs `body(c)` for every channel, the channels spread over the cores; each channel's
        /// sums run over the samples in order on one thread, as a serial loop sums them.
        func forEachChannelInParallel(batch: Int, _ body: (Int) -> Void) {
            forEachRangeInParallel(channels, work: batch * positions) { range in
                for c in range { body(c) }
            }
        }
    }
}
