// LinearStep: `nn.Linear` over a batch, `Y[N, out] = X[N, in] · Wᵀ + b` with one sgemm.

import NNCore
import COpenBLAS

/// A compiled `nn.Linear`; weight `[out, in]`, bias `[out]`.
struct LinearStep {
    let weight: Tensor
    let bias: Tensor?
    let source: Int, destination: Int

    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>]) {
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        let x = buffers[source], y = buffers[destination]
        weight.scalars.withUnsafeBufferPointer { w in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(batch), Int32(outFeatures), Int32(inFeatures),
                        1, x, Int32(inFeatures), w.baseAddress!, Int32(inFeatures), 0, y, Int32(outFeatures))
        }
        if let bias {
            for n in 0..<batch { for o in 0..<outFeatures { y[n * outFeatures + o] += bias.scalars[o] } }
        }
    }
}
