// ConvStep: 2-D convolution for one plan step. Ungrouped convs: im2col of a chunk of c
// samples into scratch `[cin·kh·kw, c·oh·ow]` (a gather through a table of input offsets
// built once), one `cblas_sgemm` with the weights `[cout, cin·kh·kw]` into `[cout, c·oh·ow]`,
// then a scatter (plus bias) into NCHW — one large GEMM instead of many small ones when
// feature maps are small. Grouped convs run per sample and group (a 1x1 stride-1 unpadded
// conv then multiplies the input directly); a depthwise conv (groups == in == out channels)
// uses a direct loop.

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
    /// `windowOffsets` of this conv: the input-plane offset each tap reads at each output
    /// position, −1 for padding (the im2col gather and the depthwise loop read through it).
    private let taps: [Int32]

    init(name: String, attributes: Conv2dAttributes, weight: Tensor, bias: Tensor?, input: [Int], output: [Int],
         source: Int, destination: Int) {
        self.name = name
        self.attributes = attributes
        self.weight = weight.scalars
        self.bias = bias?.scalars ?? [Float](repeating: 0, count: weight.shape[0])
        (inC, inH, inW) = (input[0], input[1], input[2])
        (outC, outH, outW) = (output[0], output[1], output[2])
        (kh, kw) = (weight.shape[2], weight.shape[3])
        self.source = source
        self.destination = destination
        taps = windowOffsets(kernel: Size2(kh, kw), stride: attributes.stride, padding: attributes.padding,
                             dilation: attributes.dilation, input: Size2(inH, inW), output: Size2(outH, outW))
    }

    /// Folds a following BatchNorm: `w'[o] = w[o] · scale[o]`, `b'[o] = b[o] · scale[o] + shift[o]`.
    mutating func fold(_ bn: ChannelAffine) {
        let perOutput = weight.count / outC
        for o in 0..<outC {
            for k in 0..<perOutput { weight[o * perOutput + k] *= bn.scale[o] }
            bias[o] = bias[o] * bn.scale[o] + bn.shift[o]
        }
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

    /// Floats of scratch this conv needs for batches of up to `maxBatch`.
    func scratchSize(maxBatch: Int) -> Int {
        if isDepthwise { return 0 }
        if groups == 1 { return (inC * kh * kw + outC) * outH * outW * chunk(maxBatch) }
        return isPointwise ? 0 : (inC / groups) * kh * kw * outH * outW
    }

    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>) {
        if groups == 1 { return runBatched(batch: batch, buffers: buffers, scratch: scratch) }
        let x = buffers[source], y = buffers[destination]
        let positions = outH * outW
        weight.withUnsafeBufferPointer { w in
            for n in 0..<batch {
                let xn = x + n * inC * inH * inW
                let yn = y + n * outC * positions
                if isDepthwise {
                    depthwise(xn, yn, w.baseAddress!)
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
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(coutG), Int32(positions), Int32(k),
                                    1, w.baseAddress! + g * coutG * k, Int32(k), columns, Int32(positions),
                                    0, yn + g * coutG * positions, Int32(positions))
                    }
                }
                for o in 0..<outC {
                    let b = bias[o]
                    let row = yn + o * positions
                    for p in 0..<positions { row[p] += b }
                }
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
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outC), Int32(width), Int32(k),
                            1, w.baseAddress!, Int32(k), columns, Int32(width), 0, product, Int32(width))
                for s in 0..<count {
                    let yn = y + (first + s) * outC * positions
                    for o in 0..<outC {
                        let b = bias[o]
                        let from = product + o * width + s * positions, to = yn + o * positions
                        for p in 0..<positions { to[p] = from[p] + b }
                    }
                }
                first += count
            }
        }
    }

    /// `cols[(c·kh + i)·kw + j][oy·outW + ox] = x[c, oy·s − p + i·d, ox·s − p + j·d]` (0 outside),
    /// gathered through `taps`; rows are `rowStride` floats apart.
    private func im2col(_ x: UnsafeMutablePointer<Float>, channels: Int, into cols: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let positions = outH * outW, tapCount = kh * kw
        let stride = rowStride ?? positions
        taps.withUnsafeBufferPointer { table in
            let table = table.baseAddress!
            for c in 0..<channels {
                let plane = x + c * inH * inW
                for t in 0..<tapCount {
                    let row = cols + (c * tapCount + t) * stride
                    let offsets = table + t * positions
                    for p in 0..<positions {
                        let offset = offsets[p]
                        row[p] = offset >= 0 ? plane[Int(offset)] : 0
                    }
                }
            }
        }
    }

    /// `y[c, oy, ox] = Σ_{i,j} w[c, 0, i, j] · x[c, oy·s − p + i·d, ox·s − p + j·d]` over the taps
    /// that read inside the input (bias added by the caller), accumulated tap by tap through
    /// `taps`: each output gets the same terms in the same (i, j) order as a per-output loop.
    private func depthwise(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>) {
        let positions = outH * outW, tapCount = kh * kw
        taps.withUnsafeBufferPointer { table in
            let table = table.baseAddress!
            for c in 0..<inC {
                let plane = x + c * inH * inW
                let out = y + c * positions
                let kernel = w + c * tapCount
                out.update(repeating: 0, count: positions)
                for t in 0..<tapCount {
                    let weight = kernel[t], offsets = table + t * positions
                    for p in 0..<positions {
                        let offset = offsets[p]
                        if offset >= 0 { out[p] += weight * plane[Int(offset)] }
                    }
                }
            }
        }
    }
}
