// PoolLayer: max, average and adaptive average pooling over [N, C, H, W], forward and
// backward with torch's window rules: max pooling routes each output's gradient to the first
// largest tap of its window (a NaN wins), accumulating where windows overlap; average pooling
// spreads it over the window's taps, divided as torch divides (padding and ceil-mode rules).

import CKernels
import NNCore

enum PoolLayer {
    /// `nn.MaxPool2d` (padding never wins: −inf; the engine's `shears_max_pool`), `nn.AvgPool2d`
    /// or `nn.AdaptiveAvgPool2d` of `x`.
    static func forward(_ node: Node, _ x: Tensor) throws -> Tensor {
        let windows = try PoolWindows(node, x.shape)
        let count = windows.planes * windows.outH * windows.outW
        let result = x.scalars.withUnsafeBufferPointer { input in
            [Float](unsafeUninitializedCapacity: count) { output, initialized in
                guard let x = input.baseAddress, let y = output.baseAddress else { return }
                if let window = windows.maxWindow {
                    let scratch = Int(shears_padded_plane_size(window))
                    windows.forEachPlaneRange { planes in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { scratch in
                            shears_max_pool(x + planes.lowerBound * windows.inPlane, y + planes.lowerBound * windows.outPlane,
                                            Int32(planes.count), window, scratch.baseAddress!)
                        }
                    }
                } else {
                    windows.forEach { plane, output, row, column in y[output] = windows.average(x + plane, row, column) }
                }
                initialized = count
            }
        }
        return Tensor(shape: [x.shape[0], x.shape[1], windows.outH, windows.outW], scalars: result)
    }

    /// `∂L/∂x`: max pooling adds each output's gradient at its window's argmax (torch's
    /// `max_pool2d_with_indices_backward`, CKernels' `shears_max_pool_backward`); average pooling adds `g / divisor` at every tap of
    /// the window (`avg_pool2d_backward`, `adaptive_avg_pool2d_backward`).
    static func backward(_ context: BackwardContext) throws -> NodeGradient {
        guard context.needsInputGradient.first == true else { return NodeGradient(inputs: [nil]) }
        let x = context.inputs[0], g = context.gradient
        let windows = try PoolWindows(context.node, x.shape)
        guard g.shape == [x.shape[0], x.shape[1], windows.outH, windows.outW], context.output.shape == g.shape else {
            throw TrainingError.shapeMismatch("\(context.node.name): the gradient at the output is \(g.shape), the output \(context.output.shape)")
        }
        var dx = Tensor(shape: x.shape)
        x.scalars.withUnsafeBufferPointer { input in
            g.scalars.withUnsafeBufferPointer { gradient in
                dx.scalars.withUnsafeMutableBufferPointer { result in
                    guard let x = input.baseAddress, let g = gradient.baseAddress, let d = result.baseAddress else { return }
                    if let window = windows.maxWindow {
                        context.output.scalars.withUnsafeBufferPointer { output in
                            windows.forEachPlaneRange { planes in
                                shears_max_pool_backward(x + planes.lowerBound * windows.inPlane, output.baseAddress! + planes.lowerBound * windows.outPlane,
                                                         g + planes.lowerBound * windows.outPlane, d + planes.lowerBound * windows.inPlane,
                                                         Int32(planes.count), window)
                            }
                        }
                    } else {
                        windows.forEach { plane, output, row, column in windows.spread(g[output], d + plane, row, column) }
                    }
                }
            }
        }
        return NodeGradient(inputs: [dx])
    }
}

/// The windows of one pooling node over one input shape: a max pool's window as CKernels takes
/// it, or an average pool's input range per output row and column (`lower ..< upper`) and the
/// extent torch divides by.
private struct PoolWindows {
    /// A max pool's window (nil for average pooling).
    let maxWindow: shears_window?
    let planes: Int, inH: Int, inW: Int, outH: Int, outW: Int
    /// Average pooling's windows (empty for a max pool).
    let rows: [Span], columns: [Span]
    /// Average pooling: whether the divisor is the window's extent (padding included) rather than its taps in the input.
    let countIncludePad: Bool

    /// One output position's window along one axis: the taps `lower ..< upper` inside the input
    /// and the extent torch divides by with `count_include_pad`.
    struct Span {
        let lower: Int, upper: Int, extent: Int

        /// `nn.AvgPool2d`: the window `start ..< start + k` with its end clipped to input + end padding (the
        /// extent), then both ends to the input (the taps), as torch's `avg_pool2d` clips.
        static func average(_ size: Int, outputs: Int, kernel: Int, stride: Int, padding: Int, paddingEnd: Int) -> [Span] {
            (0..<outputs).map { o in
                let start = o * stride - padding, end = Swift.min(start + kernel, size + paddingEnd)
                return Span(lower: Swift.max(start, 0), upper: Swift.min(end, size), extent: end - start)
            }
        }

        /// `nn.AdaptiveAvgPool2d`: bin `i` is `⌊i·in/out⌋ ..< ⌈(i+1)·in/out⌉`.
        static func adaptive(_ size: Int, outputs: Int) -> [Span] {
            (0..<outputs).map { i in
                let lower = i * size / outputs, upper = ((i + 1) * size + outputs - 1) / outputs
                return Span(lower: lower, upper: upper, extent: upper - lower)
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
            (window, outH, outW, countIncludePad) = (a, oh, ow, a.countIncludePad)
        case .adaptiveAvgPool(let size):
            guard (1...ShapeInference.maximumDimension).contains(size.h), (1...ShapeInference.maximumDimension).contains(size.w) else {
                throw fail("output size \(size) must be from 1 to \(ShapeInference.maximumDimension)")
            }
            (window, outH, outW, countIncludePad) = (Pool2dAttributes(kernel: Size2(1)), size.h, size.w, true)
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
            maxWindow = shears_window(in_h: Int32(inH), in_w: Int32(inW), out_h: Int32(outH), out_w: Int32(outW),
                                      kernel_h: Int32(a.kernel.h), kernel_w: Int32(a.kernel.w), stride_h: Int32(a.stride.h),
                                      stride_w: Int32(a.stride.w), pad_h: Int32(a.padding.h), pad_w: Int32(a.padding.w),
                                      dilation_h: Int32(a.dilation.h), dilation_w: Int32(a.dilation.w))
            (rows, columns) = ([], [])
        case .avgPool:
            guard a.dilation == Size2(1) else {
                throw TrainingError.unsupportedOp(node: node.name, op: "a dilated average pool (dilation \(a.dilation))",
                                                  wayOut: "torch's AvgPool2d has no dilation; export the model without it")
            }
            maxWindow = nil
            rows = Span.average(inH, outputs: outH, kernel: a.kernel.h, stride: a.stride.h, padding: a.padding.h, paddingEnd: a.paddingEnd.h)
            columns = Span.average(inW, outputs: outW, kernel: a.kernel.w, stride: a.stride.w, padding: a.padding.w, paddingEnd: a.paddingEnd.w)
        default:
            maxWindow = nil
            rows = Span.adaptive(inH, outputs: outH)
            columns = Span.adaptive(inW, outputs: outW)
        }
    }

    var inPlane: Int { inH * inW }
    var outPlane: Int { outH * outW }

    /// Runs `body(planes)` over the planes cut into ranges, spread over the cores.
    func forEachPlaneRange(_ body: (Range<Int>) -> Void) {
        forEachRangeInParallel(planes, work: inPlane + outPlane * 4, body)
    }

    /// Calls `body(plane, output, row, column)` for every output of every plane, the planes
    /// spread over the cores (each plane's outputs in order, on one thread): `plane` the plane's
    /// first input index, `output` the output's index in the batch.
    @inline(__always)
    func forEach(_ body: (_ plane: Int, _ output: Int, _ row: Span, _ column: Span) -> Void) {
        rows.withUnsafeBufferPointer { rows in
            columns.withUnsafeBufferPointer { columns in
                forEachRangeInParallel(planes, work: inH * inW + outH * outW) { range in
                    for planeIndex in range {
                        let plane = planeIndex * inH * inW
                        var output = planeIndex * outH * outW
                        for row in rows {
                            for column in columns {
                                body(plane, output, row, column)
                                output += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// What an output divides its window's sum by (0 for a window with no tap in the input).
    @inline(__always)
    func divisor(_ row: Span, _ column: Span) -> Int {
        guard row.upper > row.lower, column.upper > column.lower else { return 0 }
        return countIncludePad ? row.extent * column.extent : (row.upper - row.lower) * (column.upper - column.lower)
    }

    /// The window's mean as torch divides it; 0 for a window with no tap in the input.
    @inline(__always)
    func average(_ xp: UnsafePointer<Float>, _ row: Span, _ column: Span) -> Float {
        let divisor = divisor(row, column)
        guard divisor > 0 else { return 0 }
        var sum: Float = 0
        for iy in row.lower..<row.upper {
            for ix in column.lower..<column.upper { sum += xp[iy * inW + ix] }
        }
        return sum / Float(divisor)
    }

    /// Adds `g / divisor` at every tap of the window (nothing for a window with no tap).
    @inline(__always)
    func spread(_ g: Float, _ dp: UnsafeMutablePointer<Float>, _ row: Span, _ column: Span) {
        let divisor = divisor(row, column)
        guard divisor > 0 else { return }
        let share = g / Float(divisor)
        for iy in row.lower..<row.upper {
            for ix in column.lower..<column.upper { dp[iy * inW + ix] += share }
        }
    }
}
