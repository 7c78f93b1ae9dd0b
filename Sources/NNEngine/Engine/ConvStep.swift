// ConvStep: 2-D convolution for one plan step, with its bias and any fused activation. The
// kernel is chosen once the (folded) weights are final (`selectKernel`), per conv:
// - depthwise (groups == in == out channels): `shears_depthwise_conv`, by rows of wide maps
//   and by blocks of eight channels on narrow ones, with every activation but GELU fused;
// - other grouped convs: the grouped kernel, all groups' weights packed once
//   (ConvStep+GroupedGrid); per group, the direct kernel on stride-1 maps of 28x28 and more with
//   64 channels a group or more (ConvStep+GroupedDirect); per sample and group, im2col and one
//   GEMM where an output has more taps than the grouped kernel takes (ConvStep+Grouped);
// - an ungrouped conv on a map of fewer than 32 positions: one GEMM of Shears' own over all the
//   lane's samples and the taps that read the input, the whole epilogue in its store
//   (ConvStep+Batched); a dense one with a window on an 8x8 map or smaller and few input and
//   output channels too;
// - an ungrouped conv whose weights are sparse enough (unstructured pruning, density at or
//   below the measured crossover of its kind, `SparseCrossover`): the direct sparse kernel;
// - a dense 1x1, stride-1, unpadded conv on a map of 64 positions or more: a GEMM on the
//   NCHW planes with the whole epilogue in its store (ConvStep+Pointwise);
// - a dense stride-1 3x3 conv: Winograd F(4x4, 3x3), tiles of all the lane's samples in
//   chunks that stay in cache, 36 GEMMs per chunk (ConvStep+Winograd);
// - a dense stride-2 7x7 conv (a stem): Winograd F(4x4, 4x4) over its four stride phases
//   (ConvStep+Polyphase);
// - any other ungrouped conv: the register-blocked direct kernel (ConvStep+Direct).
// ReLU runs in the kernels' stores (the depthwise, pointwise and batched kernels': every
// activation but GELU); another fused activation in one pass after them. A max pool that only reads the conv
// runs in the step too (ConvStep+Pool): in the direct and polyphase kernels' stores, else on
// each sample's conv output in scratch. A fused residual add (`skip`, before the activation)
// runs in the pointwise and batched kernels' stores, in the pass after the others (which then
// leave the ReLU to it). A fused squeeze-excite gate scales the input's channels first
// (ConvStep+Gate).

import NNCore
import CKernels

/// A compiled `nn.Conv2d` (possibly with a BatchNorm folded in).
struct ConvStep {
    /// The computation a conv runs, fixed by `selectKernel`.
    enum Kernel {
        /// `shears_depthwise_conv`.
        case depthwise
        /// Per group: im2col and `W_g [out/g, in/g·kh·kw] · cols`.
        case grouped
        /// Per group: the direct kernel with that group's weights packed by `shears_direct_pack`.
        case groupedDirect([Float])
        /// The grouped kernel with all groups' weights packed by `shears_grouped_pack`.
        case groupedGrid([Float])
        /// One GEMM over all samples and the live taps (small maps) with these weights; nil: a
        /// 1x1 conv on 1x1 maps, run as a linear layer.
        case batched(SmallConvWeights?)
        /// Winograd F(4x4, 3x3) with transformed filters `[36][out][in]`.
        case winograd([Float])
        /// Polyphase Winograd F(4x4, 4x4) with filters from `shears_polyphase_filter`.
        case polyphase([Float])
        /// The pointwise kernel with weights packed by `shears_pointwise_pack`.
        case pointwise([Float])
        /// The direct kernel with weights packed by `shears_direct_pack`.
        case direct([Float])
        /// The direct sparse kernel with the weights in CSR form.
        case sparse(SparseWeight)
    }

    let attributes: Conv2dAttributes
    /// `[out, in/groups · kh · kw]`, row-major.
    private(set) var weight: [Float]
    /// `[out]` (zeros when the conv has none).
    private(set) var bias: [Float]
    let inC: Int, inH: Int, inW: Int
    let outC: Int, outH: Int, outW: Int
    let kh: Int, kw: Int
    let source: Int, destination: Int
    /// The window over one input plane, as the C kernels take it.
    let window: shears_window
    /// An activation applied to every output with the bias (a fused ReLU after the conv).
    let epilogue: Activation?
    /// A max pool applied after the epilogue; the step stores only its output.
    let pool: FusedPool?
    /// The buffer of a residual added before the epilogue (`y = epilogue(conv(x) + skip)`;
    /// shaped as the output), or nil.
    let skip: Int?
    /// The buffer of per-sample, per-input-channel factors the input is multiplied by first
    /// (`y = conv(x · gate)`, a squeeze-excite gate; `[inC]` per sample), or nil.
    let gate: Int?
    private(set) var kernel = Kernel.grouped
    /// Samples per lane the step runs on at most (Winograd's chunks span them).
    private(set) var capacity = 1
    /// Threads that share a single image's output channels (the direct kernels).
    private(set) var outputSplits = 1
    /// The lane's threads a single image's `outputSplits` shares and fused activation run on
    /// (nil: one after the other).
    var threads: WorkerPool?

    init(attributes: Conv2dAttributes, weight: Tensor, bias: Tensor?, input: [Int], output: [Int],
         source: Int, destination: Int, epilogue: Activation? = nil, pool: (Pool2dAttributes, [Int])? = nil, skip: Int? = nil,
         gate: Int? = nil) {
        self.epilogue = epilogue
        self.skip = skip
        self.gate = gate
        self.pool = pool.map { FusedPool(attributes: $0.0, conv: output, output: $0.1) }
        self.attributes = attributes
        self.weight = weight.scalars
        self.bias = bias?.scalars ?? [Float](repeating: 0, count: weight.shape[0])
        (inC, inH, inW) = (input[0], input[1], input[2])
        (outC, outH, outW) = (output[0], output[1], output[2])
        (kh, kw) = (weight.shape[2], weight.shape[3])
        self.source = source
        self.destination = destination
        window = shears_window(attributes: attributes, kernel: Size2(kh, kw), input: Size2(inH, inW), output: Size2(outH, outW))
    }

    /// Folds a following BatchNorm: `w'[o] = w[o] · scale[o]`, `b'[o] = b[o] · scale[o] + shift[o]`.
    mutating func fold(_ bn: ChannelAffine) {
        let perOutput = weight.count / outC
        for o in 0..<outC {
            for k in 0..<perOutput { weight[o * perOutput + k] *= bn.scale[o] }
            bias[o] = bias[o] * bn.scale[o] + bn.shift[o]
        }
    }

    var groups: Int { attributes.groups }
    private var isDepthwise: Bool { groups == inC && groups == outC && groups > 1 }
    var inputSize: Int { inC * inH * inW }
    /// Floats of the conv's own output per sample.
    var convSize: Int { outC * outH * outW }
    /// Multiply-adds per sample: `outC · (inC / groups) · kh · kw · outH · outW`.
    var macs: Int { outC * (inC / groups) * kh * kw * outH * outW }

    /// Multiply-adds a single image's conv must have to be split over threads: ~5 µs of work
    /// on one core, against a WorkerPool hand-out of ~0.5-1 µs.
    static let splitWork = 1 << 18

    /// Whether Winograd F(4x4, 3x3) applies: ungrouped, 3x3, stride 1, undilated.
    private var winogradEligible: Bool {
        groups == 1 && kh == 3 && kw == 3 && attributes.stride == Size2(1) && attributes.dilation == Size2(1)
    }

    /// Chooses the kernel once the weights are final, for lanes of up to `capacity` samples.
    ///
    /// - Parameters:
    ///   - outputSplits: threads a single image's output channels are split over (1 when
    ///     several lanes run).
    ///   - densityLimit: an ungrouped conv with at most this fraction of nonzero weights runs
    ///     on the sparse kernel; nil: the measured crossover of its kind (`SparseCrossover`).
    ///   - winograd: let dense stride-1 3x3 convs run as Winograd F(4x4, 3x3), and dense
    ///     stride-2 7x7 ones as F(4x4, 4x4) over their stride phases.
    mutating func selectKernel(densityLimit: Double?, winograd: Bool, capacity: Int, outputSplits: Int) {
        self.capacity = capacity
        // A single image's conv is shared by the threads only when it has work enough (a
        // quarter of a million multiply-adds) to pay for handing it out.
        self.outputSplits = macs >= Self.splitWork ? outputSplits : 1
        if isDepthwise { kernel = .depthwise; return }
        guard groups == 1 else { kernel = groupedKernel(); return }
        let density = weight.isEmpty ? 1 : Double(weight.lazy.filter { $0 != 0 }.count) / Double(weight.count)
        // Winograd where a lane's chunk has tiles enough (or its filters are small: a 7x7 map's
        // four tiles then pay too; tiny maps stay batched), its tiles are at least half outputs (a
        // 5x5 map fills 25 of four tiles' 64 outputs) and the channels are enough to pay for the
        // transforms (16-channel convs run faster direct).
        let useWinograd = winograd && winogradEligible
            && (winogradTiles * capacity >= Self.winogradMinimumTiles
                || 36 * inC * outC <= Self.winogradSmallFilters && outH * outW >= Self.batchedPositions)
            && 2 * outH * outW >= 16 * winogradTiles && min(inC, outC) >= Self.winogradMinimumChannels
        let usePolyphase = winograd && polyphaseEligible
        let kind: SparseCrossover.Kind = useWinograd || usePolyphase ? .winograd : kh == 1 && kw == 1 ? .pointwise : .direct
        if outH * outW < Self.batchedPositions && !useWinograd {
            kernel = .batched(batchedWeights())
        } else if density <= densityLimit ?? SparseCrossover.density(kind) {
            kernel = .sparse(SparseWeight(dense: weight, rows: outC, columns: weight.count / outC))
        } else if useWinograd {
            kernel = .winograd(winogradFilters())
        } else if usePolyphase {
            kernel = .polyphase(polyphaseFilters())
        } else if batchedWindowEligible {
            kernel = .batched(batchedWeights())
        } else if pointwiseEligible && pool == nil && outH * outW >= Self.pointwiseMinimumPositions {
            kernel = .pointwise(pointwisePackedWeights())
        } else {
            kernel = .direct(packedWeights())
        }
    }

    /// Floats of scratch this conv needs for a lane of `capacity` samples.
    var scratchSize: Int {
        if let pool { return pooledScratchSize(pool) }
        return gateScratchSize + kernelScratchSize
    }

    /// Floats of scratch the conv kernel itself needs.
    var kernelScratchSize: Int {
        switch kernel {
        case .depthwise: return Int(shears_depthwise_scratch_size(window)) * outputSplits
        case .grouped: return groupedScratchSize
        case .groupedDirect: return groupedDirectScratchSize
        case .groupedGrid: return groupedGridScratchSize
        case .batched: return batchedScratchSize
        case .winograd: return winogradScratchSize
        case .polyphase: return polyphaseScratchSize(pool: nil)
        case .pointwise: return pointwiseScratchSize
        case .direct, .sparse: return directScratchSize(pool: nil)
        }
    }

    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>) {
        if let pool { return runPooled(pool, batch: batch, x: buffers[source], y: buffers[destination], scratch: scratch) }
        let skip = skip.map { UnsafePointer(buffers[$0]) }, x = buffers[source], y = buffers[destination]
        let gate = gate.map { UnsafePointer(buffers[$0]) }
        if let gate, !gatesWeights {
            gateInputs(batch: batch, x: x, gate: gate, into: scratch)
            return runConv(batch: batch, x: scratch, y: y, skip: skip, scratch: scratch + gateScratchSize)
        }
        runConv(batch: batch, x: x, y: y, skip: skip, gate: gate, scratch: scratch)
    }

    /// The conv of `batch` samples into y (`convSize` floats each), the skip added and the
    /// epilogue applied; x's channels multiplied by `gate` first (only where `gatesWeights`).
    func runConv(batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, skip: UnsafePointer<Float>? = nil,
                 gate: UnsafePointer<Float>? = nil, scratch: UnsafeMutablePointer<Float>) {
        switch kernel {
        case .depthwise:
            // A single image's channels split over the threads in blocks of eight, each with its own scratch.
            let plane = inH * inW, outPlane = outH * outW, padded = Int(shears_depthwise_scratch_size(window)), taps = kh * kw
            let activation = storeActivation
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    forEachSample(batch: batch, alignment: 8, prepare: { _ in }, part: { n, part, first, end in
                        let (c, count) = (Int(first), end - first)
                        shears_depthwise_conv(x + n * inputSize + c * plane, w.baseAddress! + c * taps, b.baseAddress! + c,
                                              y + n * convSize + c * outPlane, count, window, activation, scratch + part * padded)
                    })
                }
            }
        case .grouped: runGrouped(batch: batch, x: x, y: y, scratch: scratch)
        case .groupedDirect(let packed): runGroupedDirect(packed, batch: batch, x: x, y: y, scratch: scratch)
        case .groupedGrid(let packed): runGroupedGrid(packed, batch: batch, x: x, y: y, scratch: scratch)
        case .batched(let weights): runBatched(weights, batch: batch, x: x, y: y, skip: skip, scratch: scratch)
        case .winograd(let filters): runWinograd(filters, batch: batch, x: x, y: y, scratch: scratch)
        case .polyphase(let filters): runPolyphase(filters, pool: nil, batch: batch, x: x, y: y, scratch: scratch)
        case .pointwise(let packed): runPointwise(packed, batch: batch, x: x, y: y, skip: skip, gate: gate, scratch: scratch)
        case .direct(let packed): runDirect(.dense(packed, pool: nil), batch: batch, x: x, y: y, scratch: scratch)
        case .sparse(let weights): runDirect(.sparse(weights), batch: batch, x: x, y: y, scratch: scratch)
        }
        applyEpilogue(y, skip: skip, count: batch * convSize)
    }

    /// The C kernels' `relu` argument: 1 when the fused activation is a ReLU and no skip comes
    /// before it.
    var reluFlag: Int32 { epilogue == .relu && skip == nil ? 1 : 0 }

    /// `y[o, p] = max(from[o·rowStride + p] + bias[o], 0)` (ReLU epilogue) or `… + bias[o]`
    /// for every output channel o and each of the `oh·ow` positions p of one sample; `from`
    /// may be `y` itself (rowStride `oh·ow`).
    func storeWithBias(_ from: UnsafePointer<Float>, rowStride: Int, into y: UnsafeMutablePointer<Float>) {
        let positions = outH * outW, relu = reluFlag == 1
        for o in 0..<outC {
            let b = bias[o], row = from + o * rowStride, plane = y + o * positions
            if relu { for p in 0..<positions { plane[p] = max(row[p] + b, 0) } } else { for p in 0..<positions { plane[p] = row[p] + b } }
        }
    }

    /// `y = epilogue(y + skip)` for what the kernels do not apply themselves: the skip and
    /// every activation but ReLU (ReLU too after a skip); the depthwise, pointwise and batched
    /// kernels apply every activation but GELU (the pointwise and batched kernels the skip too;
    /// a depthwise conv has none), except a batched linear layer.
    private func applyEpilogue(_ y: UnsafeMutablePointer<Float>, skip: UnsafePointer<Float>?, count: Int) {
        switch kernel {
        case .depthwise, .pointwise, .batched(.some):
            guard let epilogue, epilogue.kernelActivation == nil else { return }
            epilogue.apply(y, y, count: count, pool: threads)
        default:
            if let skip {
                Step.add(y, skip, y, count: count, epilogue: epilogue, pool: threads)
            } else if let epilogue, epilogue != .relu {
                epilogue.apply(y, y, count: count, pool: threads)
            }
        }
    }
}

extension shears_window {
    /// The window of a conv or pool with `attributes`' stride, top/left padding and dilation.
    init(stride: Size2, padding: Size2, dilation: Size2, kernel: Size2, input: Size2, output: Size2) {
        self.init(in_h: Int32(input.h), in_w: Int32(input.w), out_h: Int32(output.h), out_w: Int32(output.w),
                  kernel_h: Int32(kernel.h), kernel_w: Int32(kernel.w), stride_h: Int32(stride.h), stride_w: Int32(stride.w),
                  pad_h: Int32(padding.h), pad_w: Int32(padding.w), dilation_h: Int32(dilation.h), dilation_w: Int32(dilation.w))
    }

    init(attributes a: Conv2dAttributes, kernel: Size2, input: Size2, output: Size2) {
        self.init(stride: a.stride, padding: a.padding, dilation: a.dilation, kernel: kernel, input: input, output: output)
    }
}
