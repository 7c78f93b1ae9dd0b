// PILResize: Pillow's `Image.resize((w, h), Image.BILINEAR)` on 8-bit RGB, bit-exact
// (Pillow src/libImaging/Resample.c, docs/FORMATS.md §4.2). The triangle filter stretched by the
// downscale factor (antialiasing), 22-bit fixed-point weights, a horizontal pass then a
// vertical pass, each rounded and clamped to 8 bits, and only the passes whose size changes.
// Pillow 13 runs the vertical pass first when the height shrinks by more than twice what the
// width does (`verticalFirst`); the 8-bit intermediate makes the order show in the result.
// Pillow 12 and older always ran the horizontal pass first; this follows Pillow 13.
// Not a general resampler: no other filters, no box argument, no other modes.

/// Pillow's bilinear resize of an RGB image.
import NNCore

public enum PILResize {
    /// Resizes `image` to `width` x `height` as `Image.resize(size, BILINEAR)` does.
    ///
    /// [h, w, 3] -> [height, width, 3]; the same size gives a copy. Sizes must be >= 1.
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        resize(image, width: width, height: height, columns: 0..<width, rows: 0..<height)
    }

    /// The pixels `columns` x `rows` of the `width` x `height` resize, computed alone.
    ///
    /// Every output pixel depends only on its own taps, so these are exactly the values of the
    /// full resize; a centre crop then costs only the pixels it keeps. -> [rows, columns, 3]
    public static func resize(_ image: RGBImage, width: Int, height: Int, columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        precondition(width >= 1 && height >= 1 && image.width >= 1 && image.height >= 1,
                     "PILResize: sizes must be positive")
        precondition(columns.lowerBound >= 0 && columns.upperBound <= width && !columns.isEmpty
                     && rows.lowerBound >= 0 && rows.upperBound <= height && !rows.isEmpty,
                     "PILResize: region \(columns) x \(rows) outside \(width)x\(height)")
        let vertical = ResizeCoefficients(inputSize: image.height, outputSize: height)
        let needVertical = height != image.height
        if width != image.width && needVertical && verticalFirst(from: (image.width, image.height), to: (width, height)) {
            // Vertical pass over the source columns the horizontal taps of `columns` read.
            let horizontal = ResizeCoefficients(inputSize: image.width, outputSize: width)
            let sourceColumns = horizontal.first[columns.lowerBound]
                ..< horizontal.first[columns.upperBound - 1] + horizontal.count[columns.upperBound - 1]
            let current = verticalPass(image, columns: sourceColumns, outputs: rows, vertical, rowOffset: 0)
            return horizontalPass(current, rows: 0..<rows.count, outputs: columns, horizontal, columnOffset: sourceColumns.lowerBound)
        }
        // Source rows the vertical pass reads (all of `rows` when there is no vertical pass).
        let sourceRows = needVertical
            ? vertical.first[rows.lowerBound] ..< vertical.first[rows.upperBound - 1] + vertical.count[rows.upperBound - 1]
            : rows
        var current = image, currentColumns = columns, firstRow = 0
        if width != image.width {
            let horizontal = ResizeCoefficients(inputSize: image.width, outputSize: width)
            current = horizontalPass(image, rows: sourceRows, outputs: columns, horizontal)
            currentColumns = 0..<columns.count
            firstRow = sourceRows.lowerBound
        }
        if needVertical {
            return verticalPass(current, columns: currentColumns, outputs: rows, vertical, rowOffset: firstRow)
        }
        return copy(current, columns: currentColumns, rows: (sourceRows.lowerBound - firstRow) ..< (sourceRows.upperBound - firstRow))
    }

    /// Pillow 13's pass order (`ImagingResampleInner`): the vertical pass first when the
    /// height shrinks and by more than twice the width's shrink, `Δh > 0 && Δh > 2 · Δw`
    /// with `Δ = input − output` (Δw may be negative).
    static func verticalFirst(from input: (width: Int, height: Int), to output: (width: Int, height: Int)) -> Bool {
        let shrinkHeight = input.height - output.height, shrinkWidth = input.width - output.width
        return shrinkHeight > 0 && shrinkHeight > 2 * shrinkWidth
    }

    /// One output row per source row in `rows`, each pixel x in `outputs` being
    /// `Σ_j in[first[x] - columnOffset + j] * k_j` over its taps (`image` starting at source
    /// column `columnOffset`).
    static func horizontalPass(_ image: RGBImage, rows: Range<Int>, outputs: Range<Int>,
                               _ coefficients: ResizeCoefficients, columnOffset: Int = 0) -> RGBImage {
        let outWidth = outputs.count, inRowBytes = image.width * 3
        var out = [UInt8](repeating: 0, count: rows.count * outWidth * 3)
        image.pixels.withUnsafeBufferPointer { src in
            coefficients.weights.withUnsafeBufferPointer { weights in
                coefficients.first.withUnsafeBufferPointer { first in
                    coefficients.count.withUnsafeBufferPointer { count in
                        out.withUnsafeMutableBufferPointer { dst in
                            let taps = coefficients.taps
                            var o = 0
                            for y in rows {
                                let rowStart = y * inRowBytes
                                for x in outputs {
                                    var r = ResizeCoefficients.half, g = r, b = r
                                    var s = rowStart + (first[x] - columnOffset) * 3
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

    /// Output row y in `outputs` is `Σ_j in[first[y] - rowOffset + j] * k_j` over the pixels
    /// `columns`, accumulated row by row (integer sums: the order does not change the result).
    static func verticalPass(_ image: RGBImage, columns: Range<Int>, outputs: Range<Int>,
                             _ coefficients: ResizeCoefficients, rowOffset: Int) -> RGBImage {
        let rowBytes = columns.count * 3, inRowBytes = image.width * 3, columnStart = columns.lowerBound * 3
        var out = [UInt8](repeating: 0, count: outputs.count * rowBytes)
        var accumulator = [Int32](repeating: 0, count: rowBytes)
        image.pixels.withUnsafeBufferPointer { src in
            coefficients.weights.withUnsafeBufferPointer { weights in
                out.withUnsafeMutableBufferPointer { dst in
                    accumulator.withUnsafeMutableBufferPointer { acc in
                        let taps = coefficients.taps
                        for (outRow, y) in outputs.enumerated() {
                            for i in 0..<rowBytes { acc[i] = ResizeCoefficients.half }
                            let firstRow = coefficients.first[y] - rowOffset
                            for j in 0..<coefficients.count[y] {
                                let w = weights[y * taps + j]
                                let row = (firstRow + j) * inRowBytes + columnStart
                                for i in 0..<rowBytes { acc[i] &+= Int32(src[row + i]) &* w }
                            }
                            let o = outRow * rowBytes
                            for i in 0..<rowBytes { dst[o + i] = ResizeCoefficients.clip8(acc[i]) }
                        }
                    }
                }
            }
        }
        return RGBImage(width: columns.count, height: outputs.count, pixels: out)
    }

    /// The pixels `columns` x `rows` of `image` (the whole image when that is all of it).
    static func copy(_ image: RGBImage, columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        if columns == 0..<image.width && rows == 0..<image.height { return image }
        var out: [UInt8] = []
        out.reserveCapacity(columns.count * rows.count * 3)
        for y in rows {
            let start = (y * image.width + columns.lowerBound) * 3
            out += image.pixels[start ..< start + columns.count * 3]
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: out)
    }
}
