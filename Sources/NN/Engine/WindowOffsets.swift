// WindowOffsets: for a sliding window (convolution or pooling) over one input plane, the
// plane offset each kernel tap reads at each output position, computed once at compile time
// so that kernels gather through it instead of testing bounds per element.

/// `[kh·kw, outH·outW]`, row-major: `table[(i·kw + j)·outH·outW + oy·outW + ox] = iy·inW + ix`
/// with `iy = oy·sh − ph + i·dh` and `ix = ox·sw − pw + j·dw`, or −1 where `(iy, ix)` lies
/// outside the `inH × inW` input (padding).
func windowOffsets(kernel: Size2, stride: Size2, padding: Size2, dilation: Size2, input: Size2, output: Size2) -> [Int32] {
    var table: [Int32] = []
    table.reserveCapacity(kernel.h * kernel.w * output.h * output.w)
    for i in 0..<kernel.h {
        for j in 0..<kernel.w {
            for oy in 0..<output.h {
                let iy = oy * stride.h - padding.h + i * dilation.h
                for ox in 0..<output.w {
                    let ix = ox * stride.w - padding.w + j * dilation.w
                    let inside = iy >= 0 && iy < input.h && ix >= 0 && ix < input.w
                    table.append(inside ? Int32(iy * input.w + ix) : -1)
                }
            }
        }
    }
    return table
}
