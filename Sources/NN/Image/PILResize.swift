// PILResize: Pillow's `Image.resize((w, h), Image.BILINEAR)` on 8-bit RGB, bit-exact
// (Pillow src/libImaging/Resample.c, FORMATS.md §4.2). The triangle filter stretched by the
// downscale factor (antialiasing), 22-bit fixed-point weights, a horizontal pass then a
// vertical pass, each rounded and clamped to 8 bits, and only the passes whose size changes.
// Not a general resampler: no other filters, no box argument, no other modes.

/// Pillow's bilinear resize of an RGB image.
public enum PILResize {
    /// Resizes `image` to `width` x `height` as `Image.resize(size, BILINEAR)` does.
    ///
    /// [h, w, 3] -> [height, width, 3]; the same size gives a copy. Sizes must be >= 1.
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        precondition(width >= 1 && height >= 1 && image.width >= 1 && image.height >= 1,
                     "PILResize: sizes must be positive")
        let vertical = ResizeCoefficients(inputSize: image.height, outputSize: height)
        var current = image
        if width != image.width {
            // Only the source rows the vertical pass reads: [first tap of row 0, last tap of the last row).
            let firstRow = vertical.first[0]
            let endRow = vertical.first[height - 1] + vertical.count[height - 1]
            let horizontal = ResizeCoefficients(inputSize: image.width, outputSize: width)
            current = horizontalPass(image, rows: firstRow..<endRow, horizontal)
            if height != image.height {
                return verticalPass(current, vertical, rowOffset: firstRow)
            }
            return current
        }
        if height != image.height {
            return verticalPass(current, vertical, rowOffset: 0)
        }
        return current
    }

    /// One output row per source row in `rows`, each pixel `Σ_j in[xmin + j] * k_j` over taps.
    static func horizontalPass(_ image: RGBImage, rows: Range<Int>, _ coefficients: ResizeCoefficients) -> RGBImage {
        let outWidth = coefficients.outputSize, inRowBytes = image.width * 3
        var out = [UInt8](repeating: 0, count: rows.count * outWidth * 3)
        image.pixels.withUnsafeBufferPointer { src in
            coefficients.weights.withUnsafeBufferPointer { weights in
                coefficients.first.withUnsafeBufferPointer { first in
                    coefficients.count.withUnsafeBufferPointer { count in
                        out.withUnsafeMutableBufferPointer { dst in
                            let taps = coefficients.taps
                            for (outRow, y) in rows.enumerated() {
                                let rowStart = y * inRowBytes
                                var o = outRow * outWidth * 3
                                for x in 0..<outWidth {
                                    var r = ResizeCoefficients.half, g = r, b = r
                                    var s = rowStart + first[x] * 3
                                    let k = x * taps
                                    for j in 0..<count[x] {
                                        let w = weights[k + j]
                                        r &+= Int32(src[s]) &* w
                                        g &+= Int32(src[s + 1]) &* w
                                        b &+= Int32(src[s + 2]) &* w
                                        s += 3
                                    }
                                    dst[o] = ResizeCoefficients.clip8(r)
                                    dst[o + 1] = ResizeCoefficients.clip8(g)
                                    dst[o + 2] = ResizeCoefficients.clip8(b)
                                    o += 3
                                }
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: rows.count, pixels: out)
    }

    /// Output row y is `Σ_j in[first[y] - rowOffset + j] * k_j`, accumulated row by row
    /// (integer sums: the order does not change the result).
    static func verticalPass(_ image: RGBImage, _ coefficients: ResizeCoefficients, rowOffset: Int) -> RGBImage {
        let outHeight = coefficients.outputSize, rowBytes = image.width * 3
        var out = [UInt8](repeating: 0, count: outHeight * rowBytes)
        var accumulator = [Int32](repeating: 0, count: rowBytes)
        image.pixels.withUnsafeBufferPointer { src in
            coefficients.weights.withUnsafeBufferPointer { weights in
                out.withUnsafeMutableBufferPointer { dst in
                    accumulator.withUnsafeMutableBufferPointer { acc in
                        let taps = coefficients.taps
                        for y in 0..<outHeight {
                            for i in 0..<rowBytes { acc[i] = ResizeCoefficients.half }
                            let firstRow = coefficients.first[y] - rowOffset
                            for j in 0..<coefficients.count[y] {
                                let w = weights[y * taps + j]
                                let row = (firstRow + j) * rowBytes
                                for i in 0..<rowBytes { acc[i] &+= Int32(src[row + i]) &* w }
                            }
                            let o = y * rowBytes
                            for i in 0..<rowBytes { dst[o + i] = ResizeCoefficients.clip8(acc[i]) }
                        }
                    }
                }
            }
        }
        return RGBImage(width: image.width, height: outHeight, pixels: out)
    }
}
