// LinearLayer: nn.Linear's forward and backward, on vectors [N, F] (one GEMM for the batch)
// and on feature maps [N, C, H, W], where it acts on the channels at every position: a 1x1
// conv with torch's [out, in] weight, run by ConvolutionLayer's pointwise path.

import NNCore

enum LinearLayer {
    /// `y = x · Wᵀ + b`: `[N, F] → [N, O]`, or per position `[N, C, H, W] → [N, O, H, W]`.
    static func forward(_ node: Node, _ x: Tensor, _ model: TrainableModel) throws -> Tensor {
        let (weight, bias, map) = try parameters(node.name, input: x.shape, model)
        if let map { return ConvolutionLayer.forward(x, weight: weight.scalars, bias: bias?.scalars, map) }
        let (batch, features, outputs) = (x.shape[0], x.shape[1], weight.shape[0])
        var y = Tensor(shape: [batch, outputs])
        x.scalars.withUnsafeBufferPointer { xb in
            weight.scalars.withUnsafeBufferPointer { wb in
                y.scalars.withUnsafeMutableBufferPointer { yb in
                    gemm(transposeB: true, m: batch, n: outputs, k: features, xb.baseAddress!, lda: features,
                         wb.baseAddress!, ldb: features, yb.baseAddress!, ldc: outputs)
                    guard let bias else { return }
                    for n in 0..<batch {
                        for o in 0..<outputs { yb[n * outputs + o] += bias.scalars[o] }
                    }
                }
            }
        }
        return y
    }

    /// `∂L/∂x = dy · W`, `∂L/∂W = dyᵀ · x` and `∂L/∂b = Σ_n dy[n]` (a map's positions count as samples).
    static func backward(_ context: BackwardContext, _ model: TrainableModel) throws -> NodeGradient {
        let name = context.node.name, x = context.inputs[0], dy = context.gradient
        let (weight, bias, map) = try parameters(name, input: x.shape, model)
        let (batch, features, outputs) = (x.shape[0], x.shape[1], weight.shape[0])
        guard dy.shape == (map?.outputShape ?? [batch, outputs]) else {
            throw TrainingError.shapeMismatch("\(name): the gradient is \(dy.shape), the output \(map?.outputShape ?? [batch, outputs])")
        }
        let needsInput = context.needsInputGradient[0]
        var dx: Tensor?, dw: [Float], db: [Float]?
        if let map {
            (dx, dw, db) = ConvolutionLayer.backward(x, weight: weight.scalars, gradient: dy, inputGradient: needsInput,
                                                     biasGradient: bias != nil, map)
        } else {
            var input = Tensor(shape: needsInput ? x.shape : [0])
            dw = [Float](repeating: 0, count: weight.count)
            x.scalars.withUnsafeBufferPointer { xb in
                weight.scalars.withUnsafeBufferPointer { wb in
                    dy.scalars.withUnsafeBufferPointer { gb in
                        dw.withUnsafeMutableBufferPointer { dwb in
                            gemm(transposeA: true, m: outputs, n: features, k: batch, gb.baseAddress!, lda: outputs,
                                 xb.baseAddress!, ldb: features, dwb.baseAddress!, ldc: features)
                            guard needsInput else { return }
                            input.scalars.withUnsafeMutableBufferPointer { dxb in
                                gemm(m: batch, n: features, k: outputs, gb.baseAddress!, lda: outputs,
                                     wb.baseAddress!, ldb: features, dxb.baseAddress!, ldc: features)
                            }
                        }
                    }
                }
            }
            dx = needsInput ? input : nil
            db = bias == nil ? nil : (0..<outputs).map { o in
                Float((0..<batch).reduce(0.0) { $0 + Double(dy.scalars[$1 * outputs + o]) })
            }
        }
        var gradients = [(key: "\(name).weight", gradient: Tensor(shape: weight.shape, scalars: dw))]
        if let db { gradients.append((key: "\(name).bias", gradient: Tensor(shape: [outputs], scalars: db))) }
        return NodeGradient(inputs: [dx], parameters: gradients)
    }

    /// The weight `[O, F]`, optional bias `[O]`, and for a map input the geometry of the
    /// equivalent 1x1 conv (nil for a vector input `[N, F]`).
    private static func parameters(_ name: String, input: [Int], _ model: TrainableModel) throws -> (Tensor, Tensor?, ConvolutionGeometry?) {
        let weight = try model.parameter("\(name).weight")
        let bias = model.parameters["\(name).bias"]
        guard weight.rank == 2, weight.shape.allSatisfy({ $0 >= 1 }), input.count == 2 || input.count == 4,
              input.allSatisfy({ $0 >= 1 }), input[1] == weight.shape[1], bias.map({ $0.count == weight.shape[0] }) ?? true else {
            throw TrainingError.shapeMismatch("\(name): linear weight \(weight.shape) (bias \(bias?.shape ?? [])) does not fit the input \(input) ([N, F] or [N, F, H, W])")
        }
        guard input.count == 4 else { return (weight, bias, nil) }
        return (weight, bias, try ConvolutionGeometry(name, input: input, weight: weight.shape + [1, 1], Conv2dAttributes()))
    }
}
