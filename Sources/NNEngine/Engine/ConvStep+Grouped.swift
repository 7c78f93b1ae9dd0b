// ConvStep+Grouped: a grouped conv that is not depthwise, per sample and group g:
// `Y_g [out/g, oh·ow] = W_g [out/g, in/g·kh·kw] · cols_g` with cols_g the im2col of the
// group's input planes (`shears_im2col`; a 1x1 stride-1 unpadded conv multiplies the planes
// themselves), then the bias and ReLU in one pass (`storeWithBias`).

import NNCore
import CKernels
import COpenBLAS

extension ConvStep {
    private var isPointwise: Bool {
        kh == 1 && kw == 1 && attributes.stride == Size2(1) && attributes.padding == Size2(0)
    }

    /// Scratch: one group's im2col columns.
    var groupedScratchSize: Int { isPointwise ? 0 : (inC / groups) * kh * kw * outH * outW }

    func runGrouped(batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let positions = outH * outW
        let cinG = inC / groups, coutG = outC / groups, k = cinG * kh * kw
        weight.withUnsafeBufferPointer { w in
            for n in 0..<batch {
                let xn = x + n * inputSize, yn = y + n * convSize
                for g in 0..<groups {
                    let xg = xn + g * cinG * inH * inW
                    if !isPointwise { shears_im2col(xg, scratch, Int64(positions), Int32(cinG), 0, Int32(outH), window) }
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(coutG), Int32(positions), Int32(k),
                                1, w.baseAddress! + g * coutG * k, Int32(k), isPointwise ? xg : scratch, Int32(positions),
                                0, yn + g * coutG * positions, Int32(positions))
                }
                storeWithBias(yn, rowStride: positions, into: yn)
            }
        }
    }
}
