// ConvStep: 2-D convolution for one plan step, with its bias and any fused activation
// applied in one pass at the end. An ungrouped conv with sparse enough weights (unstructured
// pruning) multiplies through SparseWeight instead of OpenBLAS; a dense stride-1 3x3 one on a
// large map runs as Winograd F(2x2, 3x3) (2.25x fewer multiplies) when the plan allows. A 1x1 stride-1 unpadded conv with a large map (or grouped)
// multiplies the input directly, per sample and group: `Y[o, p] = Σ_c W[o, c] · X[c, p]`,
// no copy. Other ungrouped convs with large maps (≥ 1024 positions) run per sample in tiles of output rows:
// im2col of the tile (`shears_im2col`, about 1 MB, so it stays in cache) and one
// `cblas_sgemm` straight into the output. With small maps: im2col of a chunk of c samples
// into scratch `[cin·kh·kw, c·oh·ow]`, one GEMM with the weights `[cout, cin·kh·kw]` into
// `[cout, c·oh·ow]`, then a scatter (plus bias) into NCHW — one large GEMM instead of many
// small ones. Other grouped convs run per sample and group; a
// depthwise conv (groups == in == out channels) is `shears_depthwise_conv`.

import NNCore
import CKernels
import COpenBLAS

/// A compiled `nn.Conv2d` (possibly with a BatchNorm folded in).
struct ConvStep {
    let name: String
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
    private let window: shears_window
    /// An activation applied to every output with the bias (a fused ReLU after the conv).
    let epilogue: Activation?
    /// The weights in CSR form when an ungrouped conv is sparse enough (`selectKernel`).
    private var sparse: SparseWeight?
    /// Winograd-transformed filters `[16][out][in]` when the conv runs as F(2x2, 3x3).
    private var winogradFilters: [Float]?

    init(name: String, attributes: Conv2dAttributes, weight: Tensor, bias: Tensor?, input: [Int], output: [Int],
         source: Int, destination: Int, epilogue: Activation? = nil) {
        self.epilogue = epilogue
        self.name = name
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

    /// Output tiles of Winograd F(2x2, 3x3) per sample.
    private var winogradTiles: Int { ((outH + 1) / 2) * ((outW + 1) / 2) }

    /// Whether Winograd F(2x2, 3x3) may run: ungrouped, 3x3, stride 1, undilated, and at
    /// least 64 output tiles (its 16 GEMMs per sample are too small below that).
    private var winogradEligible: Bool {
        groups == 1 && kh == 3 && kw == 3 && attributes.stride == Size2(1) && attributes.dilation == Size2(1) && winogradTiles >= 64
    }

    /// Chooses the kernel once the (folded) weights are final: the sparse one for an ungrouped
    /// conv with at most `densityLimit` of nonzero weights (half that where Winograd would run:
    /// it is about twice as fast as the im2col GEMM the limit was measured against), else
    /// Winograd F(2x2, 3x3) where `winograd` allows and the conv is eligible, else the dense
    /// GEMM paths.
    mutating func selectKernel(densityLimit: Double, winograd: Bool) {
        guard groups == 1, !isDepthwise else { return }
        if densityLimit > 0 {
            let candidate = SparseWeight(dense: weight, rows: outC, columns: weight.count / outC)
            let limit = winograd && winogradEligible && densityLimit < 1 ? densityLimit / 2 : densityLimit
            if candidate.density <= limit { sparse = candidate; return }
        }
        if winograd && winogradEligible {
            var u = [Float](repeating: 0, count: 16 * outC * inC)
            weight.withUnsafeBufferPointer { w in u.withUnsafeMutableBufferPointer { shears_winograd_filter(w.baseAddress!, Int32(outC), Int32(inC), $0.baseAddress!) } }
            winogradFilters = u
        }
    }

    /// Whether the sparse kernel runs.
    var usesSparseKernel: Bool { sparse != nil }

    /// `c[o, 0 ..< n] = Σ_k W[o, k] · b[k, 0 ..< n]` for an ungrouped conv: sparse or OpenBLAS.
    private func multiply(_ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>, ldb: Int, n: Int, k: Int,
                          into c: UnsafeMutablePointer<Float>, ldc: Int) {
        if let sparse { return sparse.multiply(b, ldb: ldb, n: n, into: c, ldc: ldc) }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outC), Int32(n), Int32(k),
                    1, w, Int32(k), b, Int32(ldb), 0, c, Int32(ldc))
    }

    private var groups: Int { attributes.groups }
    private var isDepthwise: Bool { groups == inC && groups == outC && groups > 1 }
    private var isPointwise: Bool {
        kh == 1 && kw == 1 && attributes.stride == Size2(1) && attributes.padding == Size2(0)
    }

    /// Largest scratch (floats) a batched chunk may use: 16 M floats, 64 MB.
    static let chunkScratchLimit = 16 << 20

    /// Samples per batched GEMM: as many as fit `chunkScratchLimit`, at least 1.
    private func chunk(_ batch: Int) -> Int {
        let perSample = (inC * kh * kw + outC) * outH * outW
        return max(1, min(batch, Self.chunkScratchLimit / max(perSample, 1)))
    }

    /// Output maps of at least this many positions run per sample in row tiles.
    static let tiledPositions = 1024
    /// Floats of im2col columns per tile (1 MB: the tile stays in L2 for the GEMM).
    static let tileFloats = 1 << 18

    /// Whether an ungrouped conv runs per sample in row tiles (large maps) rather than batched.
    private var isTiled: Bool { groups == 1 && outH * outW >= Self.tiledPositions }

    /// Output rows per tile: about `tileFloats` floats of columns, at least one row.
    private var tileRows: Int { max(1, min(outH, Self.tileFloats / max(inC * kh * kw * outW, 1))) }

    /// Floats of scratch this conv needs for batches of up to `maxBatch`.
    func scratchSize(maxBatch: Int) -> Int {
        if winogradFilters != nil { return 16 * (inC + outC) * winogradTiles }
        if isDepthwise { return Int(shears_padded_plane_size(window)) }
        if isPointwise && (isTiled || groups > 1) { return 0 }
        if isTiled { return inC * kh * kw * tileRows * outW }
        if groups == 1 { return (inC * kh * kw + outC) * outH * outW * chunk(maxBatch) }
        return (inC / groups) * kh * kw * outH * outW
    }

    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>) {
        if let winogradFilters { return runWinograd(winogradFilters, batch: batch, buffers: buffers, scratch: scratch) }
        if groups == 1 && !(isPointwise && isTiled) {
            return isTiled ? runTiled(batch: batch, buffers: buffers, scratch: scratch) : runBatched(batch: batch, buffers: buffers, scratch: scratch)
        }
        let x = buffers[source], y = buffers[destination]
        let positions = outH * outW
        weight.withUnsafeBufferPointer { w in
            for n in 0..<batch {
                let xn = x + n * inC * inH * inW
                let yn = y + n * outC * positions
                if isDepthwise {
                    bias.withUnsafeBufferPointer { b in
                        shears_depthwise_conv(xn, w.baseAddress!, b.baseAddress!, yn, Int32(inC), window, epilogue == .relu ? 1 : 0, scratch)
                    }
                    if epilogue != nil && epilogue != .relu { finish(yn, from: yn, positions: positions, rowStride: positions, addBias: false) }
                    continue
                } else {
                    let cinG = inC / groups, coutG = outC / groups, k = cinG * kh * kw
                    for g in 0..<groups {
                        let xg = xn + g * cinG * inH * inW
                        let columns: UnsafePointer<Float>
                        if isPointwise {
                            columns = UnsafePointer(xg)
                        } else {
                            im2col(xg, channels: cinG, into: scratch)
                            columns = UnsafePointer(scratch)
                        }
                        if groups == 1 {
                            multiply(w.baseAddress!, columns, ldb: positions, n: positions, k: k, into: yn, ldc: positions)
                        } else {
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(coutG), Int32(positions), Int32(k),
                                        1, w.baseAddress! + g * coutG * k, Int32(k), columns, Int32(positions),
                                        0, yn + g * coutG * positions, Int32(positions))
                        }
                    }
                }
                finish(yn, from: yn, positions: positions, rowStride: positions, addBias: true)
            }
        }
    }

    /// Winograd F(2x2, 3x3) per sample: input transform into `V[16][in][tiles]`, 16 GEMMs
    /// `M[ξ] = U[ξ] · V[ξ]` into `M[16][out][tiles]`, output transform (plus bias) into y.
    private func runWinograd(_ u: [Float], batch: Int, buffers: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>) {
        let x = buffers[source], y = buffers[destination]
        let tiles = winogradTiles, positions = outH * outW
        let v = scratch, m = scratch + 16 * inC * tiles
        u.withUnsafeBufferPointer { u in
            bias.withUnsafeBufferPointer { b in
                for n in 0..<batch {
                    let yn = y + n * outC * positions
                    shears_winograd_input(x + n * inC * inH * inW, Int32(inC), window, v, Int64(tiles))
                    for xi in 0..<16 {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outC), Int32(tiles), Int32(inC),
                                    1, u.baseAddress! + xi * outC * inC, Int32(inC), v + xi * inC * tiles, Int32(tiles),
                                    0, m + xi * outC * tiles, Int32(tiles))
                    }
                    shears_winograd_output(m, Int32(outC), window, Int64(tiles), b.baseAddress!, yn)
                    if epilogue != nil { finish(yn, from: yn, positions: positions, rowStride: positions, addBias: false) }
                }
            }
        }
    }

    /// Ungrouped conv per sample, `tileRows` output rows at a time: im2col of the tile's
    /// columns, then `Y[o, tile] = W · cols` straight into the output (row stride oh·ow).
    private func runTiled(batch: Int, buffers: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>) {
        let x = buffers[source], y = buffers[destination]
        let positions = outH * outW, k = inC * kh * kw, step = tileRows
        weight.withUnsafeBufferPointer { w in
            for n in 0..<batch {
                let xn = x + n * inC * inH * inW, yn = y + n * outC * positions
                var row = 0
                while row < outH {
                    let rows = min(step, outH - row), width = rows * outW
                    shears_im2col(xn, scratch, Int64(width), Int32(inC), Int32(row), Int32(rows), window)
                    multiply(w.baseAddress!, scratch, ldb: width, n: width, k: k, into: yn + row * outW, ldc: positions)
                    row += rows
                }
                finish(yn, from: yn, positions: positions, rowStride: positions, addBias: true)
            }
        }
    }

    /// Ungrouped conv over chunks of samples: `Y[o, (n, p)] = Σ_k W[o, k] · cols[k, (n, p)]`.
    private func runBatched(batch: Int, buffers: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>) {
        let x = buffers[source], y = buffers[destination]
        let positions = outH * outW, k = inC * kh * kw
        let step = chunk(batch)
        weight.withUnsafeBufferPointer { w in
            var first = 0
            while first < batch {
                let count = min(step, batch - first)
                let width = count * positions
                let columns = scratch, product = scratch + k * width
                for s in 0..<count {
                    im2col(x + (first + s) * inC * inH * inW, channels: inC, into: columns + s * positions, rowStride: width)
                }
                multiply(w.baseAddress!, columns, ldb: width, n: width, k: k, into: product, ldc: width)
                for s in 0..<count {
                    finish(y + (first + s) * outC * positions, from: product + s * positions, positions: positions, rowStride: width, addBias: true)
                }
                first += count
            }
        }
    }

    /// `y[o, p] = epilogue(from[o·rowStride + p] + bias[o])` for every output channel (the bias
    /// only when `addBias`; `from` may be `y` itself).
    private func finish(_ y: UnsafeMutablePointer<Float>, from: UnsafeMutablePointer<Float>, positions: Int, rowStride: Int, addBias: Bool) {
        for o in 0..<outC {
            let b = addBias ? bias[o] : 0, source = from + o * rowStride, plane = y + o * positions
            switch epilogue {
            case nil: for p in 0..<positions { plane[p] = source[p] + b }
            case .relu?: for p in 0..<positions { plane[p] = max(source[p] + b, 0) }
            case let activation?: for p in 0..<positions { plane[p] = activation.apply(source[p] + b) }
            }
        }
    }

    /// `cols[(c·kh + i)·kw + j][oy·outW + ox] = x[c, oy·s − p + i·d, ox·s − p + j·d]` (0 outside);
    /// rows are `rowStride` floats apart.
    private func im2col(_ x: UnsafeMutablePointer<Float>, channels: Int, into cols: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        shears_im2col(x, cols, Int64(rowStride ?? outH * outW), Int32(channels), 0, Int32(outH), window)
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
