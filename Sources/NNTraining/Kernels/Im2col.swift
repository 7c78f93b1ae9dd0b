// Im2col: one group's input planes unrolled into the matrix a conv multiplies its weight by
// (im2col), the transpose that scatters such a matrix's gradient back onto the planes (col2im),
// and the gathers and scatters that lay several samples' planes side by side for one GEMM.

extension ConvolutionGeometry {
    /// `cols[(c·kh·kw + tap), oy·outW + ox] = x[c, oy·sh + i·dh − ph, ox·sw + j·dw − pw]`
    /// for the `C/groups` planes at `x`, the rows of `cols` `rowLength` floats apart (`outPlane`
    /// for one sample; a run of samples side by side has `count · outPlane`). Only the in-bounds
    /// entries are written: the caller zeroes the matrix first when the conv pads
    /// (`isPadded`), since its padding entries must read zero.
    func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>, rowLength: Int) {
        let positions = rowLength, taps = kh * kw, strideW = attributes.stride.w
        for c in 0..<groupInChannels {
            let plane = x + c * inPlane, rows = cols + c * taps * positions
            forEachInBoundsStretch { tap, outputOffset, inputOffset, count in
                let dst = rows + tap * positions + outputOffset, src = plane + inputOffset
                if strideW == 1 {
                    dst.update(from: src, count: count)
                } else {
                    for k in 0..<count { dst[k] = src[k * strideW] }
                }
            }
        }
    }

    /// The transpose of `im2col`: adds every entry of `cols` to the input element it was read
    /// from (`dx += col2im(cols)`), padding entries dropped; rows `rowLength` floats apart.
    func col2im(_ cols: UnsafePointer<Float>, rowLength: Int, addingInto dx: UnsafeMutablePointer<Float>) {
        let positions = rowLength, taps = kh * kw, strideW = attributes.stride.w
        for c in 0..<groupInChannels {
            let plane = dx + c * inPlane, rows = cols + c * taps * positions
            forEachInBoundsStretch { tap, outputOffset, inputOffset, count in
                let src = rows + tap * positions + outputOffset, dst = plane + inputOffset
                if strideW == 1 {
                    for k in 0..<count { dst[k] += src[k] }
                } else {
                    for k in 0..<count { dst[k * strideW] += src[k] }
                }
            }
        }
    }
}

/// `dst[c, i·plane + p] = src[i·sampleStride + c·plane + p]`: the `channels` planes of `samples`
/// samples (`sampleStride` floats apart) laid side by side, one `[channels, samples·plane]` matrix.
func gatherPlanes(_ src: UnsafePointer<Float>, channels: Int, samples: Int, sampleStride: Int, plane: Int,
                  into dst: UnsafeMutablePointer<Float>) {
    for c in 0..<channels {
        for i in 0..<samples {
            (dst + (c * samples + i) * plane).update(from: src + i * sampleStride + c * plane, count: plane)
        }
    }
}

/// The inverse of `gatherPlanes`: `dst[i·sampleStride + c·plane + p] = src[c, i·plane + p]`.
func scatterPlanes(_ src: UnsafePointer<Float>, channels: Int, samples: Int, sampleStride: Int, plane: Int,
                   into dst: UnsafeMutablePointer<Float>) {
    for c in 0..<channels {
        for i in 0..<samples {
            (dst + i * sampleStride + c * plane).update(from: src + (c * samples + i) * plane, count: plane)
        }
    }
}
