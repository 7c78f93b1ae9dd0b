// PoolLayer: max, average and adaptive average pooling over [N, C, H, W], forward and
// backward with torch's window rules: max pooling routes each output's gradient to the first
// largest tap of its window (a NaN wins), accumulating where windows overlap; average pooling
// spreads it over the window's taps, divided as torch divides (padding and ceil-mode rules).

import NNCore

enum PoolLayer {
    /// `nn.MaxPool2d` (padding never wins: −inf), `nn.AvgPool2d` or `nn.AdaptiveAvgPool2d` of `x`.
    static func forward(_ node: Node, _ x: Tensor) throws -> Tensor {
        let windows = try PoolWindows(node, x.shape)
        return x.scalars.withUnsafeBufferPointer { input in
            let planes = windows.planes, outSize = windows.outH * windows.outW, inSize = windows.inH * windows.inW
            let result = [Float](unsafeUninitializedCapacity: planes * outSize) { output, initialized in
                guard let x = input.baseAddress, let y = output.baseAddress else { return }
                for plane in 0..<planes {
                    let xp = x + plane * inSize, yp = y + plane * outSize
                    for oy in 0..<windows.outH {
                        for ox in 0..<windows.outW {
                            yp[oy * windows.outW + ox] = windows.isMax ? xp[windows.argmax(xp, oy, ox)] : windows.average(xp, oy, ox)
                        }
                    }
                }
                initialized = planes * outSize
            }
            return Tensor(shape: [x.shape[0], x.shape[1], windows.outH, windows.outW], scalars: result)
        }
    }

    /// `∂L/∂x`: max pooling adds each output's gradient at its window's argmax (torch's
    /// `max_pool2d_with_indices_backward`); average pooling adds `g / divisor` at every tap of
    /// the window (`avg_pool2d_backward`, `adaptive_avg_pool2d_backward`).
    static func backward(_ context: BackwardContext) throws -> NodeGradient {
        guard context.needsInputGradient.first == true else { return NodeGradient(inputs: [nil]) }
        let x = context.inputs[0], g = context.gradient
        let windows = try PoolWindows(context.node, x.shape)
        let outSize = windows.outH * windows.outW, inSize = windows.inH * windows.inW
        guard g.shape == [x.shape[0], x.shape[1], windows.outH, windows.outW] else {
            throw TrainingError.shapeMismatch("\(context.node.name): the gradient at the output is \(g.shape), the output \(context.output.shape)")
        }
        var dx = Tensor(shape: x.shape)
        x.scalars.withUnsafeBufferPointer { input in
            g.scalars.withUnsafeBufferPointer { gradient in
                dx.scalars.withUnsafeMutableBufferPointer { result in
                    guard let x = input.baseAddress, let g = gradient.baseAddress, let d = result.baseAddress else { return }
                    for plane in 0..<windows.planes {
                        let xp = x + plane * inSize, gp = g + plane * outSize, dp = d + plane * inSize
                        for oy in 0..<windows.outH {
                            for ox in 0..<windows.outW {
                                let value = gp[oy * windows.outW + ox]
                                if windows.isMax { dp[windows.argmax(xp, oy, ox)] += value } else { windows.spread(value, dp, oy, ox) }
                            }
                        }
                    }
                }
            }
        }
        return NodeGradient(inputs: [dx])
    }
}

/// The windows of one pooling node over one input shape: per output row and column, the
/// input range its window reads (`lower ..< upper`, every `step`-th for a dilated max pool)
/// and, for average pooling, the extent torch divides by.
private struct PoolWindows {
    let isMax: Bool
    let planes: Int, inH: Int, inW: Int, outH: Int, outW: Int
    let stepH: Int, stepW: Int
    let rows: Axis, columns: Axis
    /// Average pooling: whether the divisor is the window's extent (padding included) rather than its taps in the input.
    let countIncludePad: Bool

    /// One pooled axis, per output position.
    struct Axis {
        var lower: [Int] = [], upper: [Int] = [], extent: [Int] = []

        /// `nn.MaxPool2d`: the first tap inside the input (`start + d·⌈−start/d⌉`) up to the last tap's end, clipped.
        init(max size: Int, outputs: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) {
            for o in 0..<outputs {
                let start = o * stride - padding
                lower.append(start >= 0 ? start : start + dilation * ((-start + dilation - 1) / dilation))
                upper.append(min(start + (kernel - 1) * dilation + 1, size))
            }
        }

        /// `nn.AvgPool2d`: the window `start ..< start + k` with its end clipped to input + end padding (the
        /// extent), then both ends to the input (the taps), as torch's `avg_pool2d` clips.
        init(average size: Int, outputs: Int, kernel: Int, stride: Int, padding: Int, paddingEnd: Int) {
            for o in 0..<outputs {
                let start = o * stride - padding, end = min(start + kernel, size + paddingEnd)
                extent.append(end - start)
                lower.append(max(start, 0))
                upper.append(min(end, size))
            }
        }

        /// `nn.AdaptiveAvgPool2d`: bin `i` is `⌊i·in/out⌋ ..< ⌈(i+1)·in/out⌉`.
        init(adaptive size: Int, outputs: Int) {
            for i in 0..<outputs {
                lower.append(i * size / outputs)
                upper.append(((i + 1) * size + outputs - 1) / outputs)
                extent.append(upper[i] - lower[i])
            }
        }
    }

    /// The windows of `node` over `shape` (`[N, C, H, W]`); throws naming the node when the
    /// input is not a batch of feature maps, the window does not fit, a max window lies wholly
    /// in padding, the output is over the memory budget, or an average pool is dilated.
    init(_ node: Node, _ shape: [Int]) throws {
        func fail(_ reason: String) -> TrainingError { .shapeMismatch("\(node.name): \(reason)") }
        guard shape.count == 4, shape.allSatisfy({ (1...ShapeInference.maximumDimension).contains($0) }) else {
            throw fail("pools a batch of feature maps [N, C, H, W], got \(shape)")
        }
        (planes, inH, inW) = (shape[0] * shape[1], shape[2], shape[3])
        let window: Pool2dAttributes
        switch node.op {
        case .maxPool(let a), .avgPool(let a):
            let limit = ShapeInference.maximumWindow
            guard [a.kernel, a.stride, a.dilation, a.padding, a.paddingEnd].allSatisfy({ $0.h <= limit && $0.w <= limit }),
                  let oh = ShapeInference.windowOutput(inH, kernel: a.kernel.h, stride: a.stride.h, padding: a.padding.h,
                                                       paddingEnd: a.paddingEnd.h, dilation: a.dilation.h, ceilMode: a.ceilMode),
                  let ow = ShapeInference.windowOutput(inW, kernel: a.kernel.w, stride: a.stride.w, padding: a.padding.w,
                                                       paddingEnd: a.paddingEnd.w, dilation: a.dilation.w, ceilMode: a.ceilMode) else {
                throw fail("pooling window \(a.kernel) (stride \(a.stride), padding \(a.padding), \(a.paddingEnd), dilation \(a.dilation)) does not fit the \(inH)x\(inW) input")
            }
            (window, isMax, outH, outW, countIncludePad) = (a, node.op == .maxPool(a), oh, ow, a.countIncludePad)
        case .adaptiveAvgPool(let size):
            guard (1...ShapeInference.maximumDimension).contains(size.h), (1...ShapeInference.maximumDimension).contains(size.w) else {
                throw fail("output size \(size) must be from 1 to \(ShapeInference.maximumDimension)")
            }
            (window, isMax, outH, outW, countIncludePad) = (Pool2dAttributes(kernel: Size2(1)), false, size.h, size.w, true)
        default:
            throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "it is not a pooling op")
        }
        try MemoryBudget.check(elements: [shape[0], shape[1], outH, outW].checkedProduct ?? Int.max, of: MemoryLayout<Float>.size,
                               for: "its output for the batch", path: "layer '\(node.name)'")
        let a = window
        switch node.op {
        case .maxPool:
            guard !ShapeInference.windowInPadding(inH, outputs: outH, kernel: a.kernel.h, stride: a.stride.h, padding: a.padding.h, dilation: a.dilation.h),
                  !ShapeInference.windowInPadding(inW, outputs: outW, kernel: a.kernel.w, stride: a.stride.w, padding: a.padding.w, dilation: a.dilation.w) else {
                throw fail("a pooling window \(a.kernel) (padding \(a.padding), dilation \(a.dilation)) lies wholly in the padding of the \(inH)x\(inW) input")
            }
            (stepH, stepW) = (a.dilation.h, a.dilation.w)
            rows = Axis(max: inH, outputs: outH, kernel: a.kernel.h, stride: a.stride.h, padding: a.padding.h, dilation: a.dilation.h)
            columns = Axis(max: inW, outputs: outW, kernel: a.kernel.w, stride: a.stride.w, padding: a.padding.w, dilation: a.dilation.w)
        case .avgPool:
            guard a.dilation == Size2(1) else {
                throw TrainingError.unsupportedOp(node: node.name, op: "a dilated average pool (dilation \(a.dilation))",
                                                  wayOut: "torch's AvgPool2d has no dilation; export the model without it")
            }
            (stepH, stepW) = (1, 1)
            rows = Axis(average: inH, outputs: outH, kernel: a.kernel.h, stride: a.stride.h, padding: a.padding.h, paddingEnd: a.paddingEnd.h)
            columns = Axis(average: inW, outputs: outW, kernel: a.kernel.w, stride: a.stride.w, padding: a.padding.w, paddingEnd: a.paddingEnd.w)
        default:
            (stepH, stepW) = (1, 1)
            rows = Axis(adaptive: inH, outputs: outH)
            columns = Axis(adaptive: inW, outputs: outW)
        }
    }

    /// The plane index of the window's largest tap, torch's scan: rows then columns, a tap
    /// replaces the best when larger or NaN, starting from −inf at the window's first tap.
    @inline(__always)
    func argmax(_ xp: UnsafePointer<Float>, _ oy: Int, _ ox: Int) -> Int {
        let (y0, y1, x0, x1) = (rows.lower[oy], rows.upper[oy], columns.lower[ox], columns.upper[ox])
        var best = y0 * inW + x0, largest = -Float.infinity
        var iy = y0
        while iy < y1 {
            var ix = x0
            while ix < x1 {
                let value = xp[iy * inW + ix]
                if value > largest || value.isNaN { largest = value; best = iy * inW + ix }
                ix += stepW
            }
            iy += stepH
        }
        return best
    }

    /// What an output divides its window's sum by (0 for a window with no tap in the input).
    @inline(__always)
    func divisor(_ oy: Int, _ ox: Int) -> Int {
        let taps = (rows.upper[oy] - rows.lower[oy]) * (columns.upper[ox] - columns.lower[ox])
        guard rows.upper[oy] > rows.lower[oy], columns.upper[ox] > columns.lower[ox] else { return 0 }
        return countIncludePad ? rows.extent[oy] * columns.extent[ox] : taps
    }

    /// The window's mean as torch divides it; 0 for a window with no tap in the input.
    @inline(__always)
    func average(_ xp: UnsafePointer<Float>, _ oy: Int, _ ox: Int) -> Float {
        let divisor = divisor(oy, ox)
        guard divisor > 0 else { return 0 }
        var sum: Float = 0
        for iy in rows.lower[oy]..<rows.upper[oy] {
            for ix in columns.lower[ox]..<columns.upper[ox] { sum += xp[iy * inW + ix] }
        }
        return sum / Float(divisor)
    }

    /// Adds `g / divisor` at every tap of the window (nothing for a window with no tap).
    @inline(__always)
    func spread(_ g: Float, _ dp: UnsafeMutablePointer<Float>, _ oy: Int, _ ox: Int) {
        let divisor = divisor(oy, ox)
        guard divisor > 0 else { return }
        let share = g / Float(divisor)
        for iy in rows.lower[oy]..<rows.upper[oy] {
            for ix in columns.lower[ox]..<columns.upper[ox] { dp[iy * inW + ix] += share }
        }
    }
}
