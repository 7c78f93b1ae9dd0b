// Im2col: one group's input planes unrolled into the matrix a conv multiplies its weight by
// (im2col), the transpose that scatters such a matrix's gradient back onto the planes (col2im),
// (CKernels' training_columns), and the gathers and scatters that lay several samples' planes
// side by side for one GEMM.

import CKernels

extension ConvolutionGeometry {
    /// Floats of scratch `im2col` and `col2im` need: one padded plane (the engine's layout).
    var columnScratch: Int { Int(shears_padded_plane_size(window)) }

    /// `cols[(c·live + k), oy·outW + ox] = x[c, oy·sh + i·dh − ph, ox·sw + j·dw − pw]` for the
    /// live tap `liveTaps[k] = i·kw + j` (0 in the padding) and the `C/groups` planes at `x`, the rows of `cols` `rowLength`
    /// floats apart (`outPlane` for one sample; a run of samples side by side has
    /// `count · outPlane`); `scratch` holds `columnScratch` floats.
    func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>, rowLength: Int, scratch: UnsafeMutablePointer<Float>) {
        shears_im2col_padded(x, cols, Int64(rowLength), Int32(groupInChannels), window, liveTaps, Int32(liveTaps.count), scratch)
    }

    /// The transpose of `im2col`: adds every entry of `cols` to the input element it was read
    /// from (`dx += col2im(cols)`), padding entries dropped; rows `rowLength` floats apart.
    func col2im(_ cols: UnsafePointer<Float>, rowLength: Int, addingInto dx: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        shears_col2im_padded(cols, dx, Int64(rowLength), Int32(groupInChannels), window, liveTaps, Int32(liveTaps.count), scratch)
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
