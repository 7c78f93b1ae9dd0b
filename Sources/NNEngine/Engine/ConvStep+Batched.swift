// ConvStep+Batched: an ungrouped conv on a small map (fewer than `batchedPositions` outputs a
// plane: 4x4 and below), where the direct kernels' 16- and 32-position panels would be mostly
// empty: im2col of all the lane's samples side by side, one GEMM
// `P [out, n·oh·ow] = W [out, in·kh·kw] · cols [in·kh·kw, n·oh·ow]`, then bias and ReLU while
// scattering P back into NCHW. Dense only: on such maps sparsity buys next to nothing. A 1x1
// conv on a 1x1 map (squeeze-excite's) is a linear layer and runs as one (`LinearStep.product`:
// no im2col, the bias stored first, a single image's GEMV split over the threads).

import CKernels
import COpenBLAS

extension ConvStep {
    /// Output planes with fewer positions than this run batched.
    static let batchedPositions = 32

    /// Scratch: the columns and the product of a lane's samples.
    var batchedScratchSize: Int { (inC * kh * kw + outC) * outH * outW * capacity }

    func runBatched(batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        if inputSize == inC && convSize == outC && kh * kw == 1 { return runOnVectors(batch: batch, x: x, y: y) }
        let positions = outH * outW, k = inC * kh * kw, width = batch * positions
        let columns = scratch, product = scratch + k * width
        for n in 0..<batch {
            shears_im2col(x + n * inputSize, columns + n * positions, Int64(width), Int32(inC), 0, Int32(outH), window)
        }
        weight.withUnsafeBufferPointer { w in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outC), Int32(width), Int32(k),
                        1, w.baseAddress!, Int32(k), columns, Int32(width), 0, product, Int32(width))
        }
        for n in 0..<batch { storeWithBias(product + n * positions, rowStride: width, into: y + n * convSize) }
    }

    /// A 1x1 conv on 1x1 maps: `y[n, o] = Σ_i W[o, i] · x[n, i] + b[o]`, ReLU when fused.
    private func runOnVectors(batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
        bias.withUnsafeBufferPointer { b in
            for n in 0..<batch { (y + n * outC).update(from: b.baseAddress!, count: outC) }
        }
        weight.withUnsafeBufferPointer { w in
            LinearStep.product(x, w.baseAddress!, y, batch: batch, inFeatures: inC, outFeatures: outC, pool: threads)
        }
        if reluFlag == 1 { for k in 0..<(batch * outC) { y[k] = max(y[k], 0) } }
    }
}
