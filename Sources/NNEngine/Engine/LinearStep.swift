// LinearStep: `nn.Linear` over a batch, `Y[N, out] = X[N, in] · Wᵀ + b`: the bias (or 0) is
// stored into Y first and the product added to it (BLAS's beta = 1, no second pass; beta = 0
// would leave a NaN already in Y to OpenBLAS's scal). A single image
// is a GEMV, its output rows split over the lane's threads (each streams its share of W); a
// batch one sgemm. On feature maps (acting on the channels at each of P positions) one sgemm
// per sample, `Y[out, P] = W[out, in] · X[in, P] + b`.

import NNCore
import COpenBLAS

/// A compiled `nn.Linear`; weight `[out, in]`, bias `[out]`; `positions` 1 on vectors, H·W on
/// `[in, H, W]` maps.
struct LinearStep {
    let weight: Tensor
    let bias: Tensor?
    let positions: Int
    let source: Int, destination: Int

    /// Runs `batch` samples; the output rows split over `pool` when given.
    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>], pool: WorkerPool?) {
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        let x = buffers[source], y = buffers[destination]
        weight.scalars.withUnsafeBufferPointer { w in
            for row in 0..<(batch * outFeatures) {
                (y + row * positions).update(repeating: bias?.scalars[row % outFeatures] ?? 0, count: positions)
            }
            if positions == 1 {
                Self.product(x, w.baseAddress!, y, batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, pool: pool)
            } else {
                for n in 0..<batch {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outFeatures), Int32(positions), Int32(inFeatures),
                                1, w.baseAddress!, Int32(inFeatures), x + n * inFeatures * positions, Int32(positions),
                                1, y + n * outFeatures * positions, Int32(positions))
                }
            }
        }
    }

    /// `Y[N, out] += X[N, in] · W[out, in]ᵀ`, the output features split into ranges over `pool`'s
    /// threads: a GEMV per range for one sample, else an sgemm.
    static func product(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int,
                        inFeatures: Int, outFeatures: Int, pool: WorkerPool?) {
        func share(_ range: Range<Int>) {
            let (first, rows) = (range.lowerBound, Int32(range.count))
            if batch == 1 {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, Int32(inFeatures), 1, w + first * inFeatures, Int32(inFeatures),
                            x, 1, 1, y + first, 1)
            } else {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(batch), rows, Int32(inFeatures),
                            1, x, Int32(inFeatures), w + first * inFeatures, Int32(inFeatures), 1, y + first, Int32(outFeatures))
            }
        }
        Step.forRanges(outFeatures, itemSize: inFeatures * batch, pool: pool, share)
    }
}
