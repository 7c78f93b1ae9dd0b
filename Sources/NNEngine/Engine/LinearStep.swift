// LinearStep: `nn.Linear` over a batch, `Y[N, out] = X[N, in] · Wᵀ + b` with one sgemm; on
// feature maps (acting on the channels at each of P positions) one sgemm per sample,
// `Y[out, P] = W[out, in] · X[in, P]`.

import NNCore
import COpenBLAS

/// A compiled `nn.Linear`; weight `[out, in]`, bias `[out]`; `positions` 1 on vectors, H·W on
/// `[in, H, W]` maps.
struct LinearStep {
    let weight: Tensor
    let bias: Tensor?
    let positions: Int
    let source: Int, destination: Int

    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>]) {
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        let x = buffers[source], y = buffers[destination]
        weight.scalars.withUnsafeBufferPointer { w in
            if positions == 1 {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(batch), Int32(outFeatures), Int32(inFeatures),
                            1, x, Int32(inFeatures), w.baseAddress!, Int32(inFeatures), 0, y, Int32(outFeatures))
            } else {
                for n in 0..<batch {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outFeatures), Int32(positions), Int32(inFeatures),
                                1, w.baseAddress!, Int32(inFeatures), x + n * inFeatures * positions, Int32(positions),
                                0, y + n * outFeatures * positions, Int32(positions))
                }
            }
        }
        if let bias {
            for row in 0..<(batch * outFeatures) {
                let b = bias.scalars[row % outFeatures], base = row * positions
                for p in 0..<positions { y[base + p] += b }
            }
        }
    }
}
