// ResizeCoefficients: Pillow's per-axis bilinear filter taps in 22-bit fixed point
// (`precompute_coeffs` + `normalize_coeffs_8bpc` in Resample.c, docs/FORMATS.md §4.2), and the
// rounding that turns an accumulated sum back into a byte. Maths in Float64 in Pillow's order.

/// The taps of one axis: output `i` reads inputs `first[i] ..< first[i] + count[i]`.
import NNCore

struct ResizeCoefficients {
    /// `PRECISION_BITS = 32 - 8 - 2`.
    static let precisionBits: Int32 = 22
    /// The rounding bias every sum starts from, `2^21`.
    static let half: Int32 = 1 << (precisionBits - 1)

    let outputSize: Int
    /// Stride between the weight rows of consecutive outputs (`ksize` in Pillow).
    let taps: Int
    /// First input index of each output (`xmin`).
    let first: [Int]
    /// Number of inputs of each output (`xmax - xmin`).
    let count: [Int]
    /// `[outputSize, taps]` fixed-point weights, zero past `count`.
    let weights: [Int32]

    /// Coefficients for resizing `inputSize` samples to `outputSize` (both >= 1).
    ///
    /// scale = in/out, filterscale = max(scale, 1), support = filterscale;
    /// center = (i + 0.5) * scale, xmin = trunc(center - support + 0.5) clamped to >= 0,
    /// xmax = trunc(center + support + 0.5) clamped to <= in;
    /// w_j = max(0, 1 - |(xmin + j - center + 0.5) / filterscale|), normalised by Σ w,
    /// then k_j = trunc(w_j * 2^22 ± 0.5).
    init(inputSize: Int, outputSize: Int) {
        let scale = Double(Float(inputSize)) / Double(outputSize)
        let filterscale = max(scale, 1.0)
        let support = 1.0 * filterscale
        let taps = Int(support.rounded(.up)) * 2 + 1
        let inverse = 1.0 / filterscale
        var first = [Int](repeating: 0, count: outputSize)
        var count = [Int](repeating: 0, count: outputSize)
        var weights = [Int32](repeating: 0, count: outputSize * taps)
        var raw = [Double](repeating: 0, count: taps)
        for i in 0..<outputSize {
            let center = (Double(i) + 0.5) * scale
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center + support + 0.5), inputSize)
            var sum = 0.0
            for j in 0..<(xmax - xmin) {
                let w = Self.triangle((Double(j + xmin) - center + 0.5) * inverse)
                raw[j] = w
                sum += w
            }
            for j in 0..<(xmax - xmin) {
                let w = sum != 0 ? raw[j] / sum : raw[j]
                let scaled = w * Double(1 << Self.precisionBits)
                weights[i * taps + j] = Int32(w < 0 ? scaled - 0.5 : scaled + 0.5)
            }
            first[i] = xmin
            count[i] = xmax - xmin
        }
        self.outputSize = outputSize
        self.taps = taps
        self.first = first
        self.count = count
        self.weights = weights
    }

    /// Pillow's `bilinear_filter`: 1 - |x| inside (-1, 1), else 0.
    static func triangle(_ x: Double) -> Double {
        let a = abs(x)
        return a < 1.0 ? 1.0 - a : 0.0
    }

    /// Pillow's `clip8`: `sum >> 22` (arithmetic) clamped to 0...255.
    @inline(__always)
    static func clip8(_ sum: Int32) -> UInt8 {
        UInt8(clamping: sum >> precisionBits)
    }
}
