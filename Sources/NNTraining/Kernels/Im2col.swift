// Im2col: one group's input planes unrolled into the matrix a conv multiplies its weight by
// (im2col), and the transpose that scatters such a matrix's gradient back onto the planes (col2im).

extension ConvolutionGeometry {
    /// `cols[(c·kh·kw + tap), oy·outW + ox] = x[c, oy·sh + i·dh − ph, ox·sw + j·dw − pw]`
    /// (zero where that is padding) for the `C/groups` planes at `x`; `cols` holds
    /// `columnRows · outPlane` floats.
    func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>) {
        let positions = outPlane, taps = kh * kw, strideW = attributes.stride.w
        cols.update(repeating: 0, count: columnRows * positions)
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
    /// from (`dx += col2im(cols)`), padding entries dropped.
    func col2im(_ cols: UnsafePointer<Float>, addingInto dx: UnsafeMutablePointer<Float>) {
        let positions = outPlane, taps = kh * kw, strideW = attributes.stride.w
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
