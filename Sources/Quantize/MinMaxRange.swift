// MinMaxRange: the min-max quantizer arithmetic for one range of values (a whole tensor
// or one output channel). The operations are float32, in the order numpy evaluates them
// on float32 arrays, so codes and dequantized values match numpy bit for bit:
//   q  = clamp(roundHalfToEven((w - min) / (max - min) * levels), 0, levels)
//   w' = q / levels * (max - min) + min
// with levels = 2^b - 1. A constant range (min == max) gives code 0 and w' = min exactly.
// It is not the bit packing (BitPacking) nor the choice of tensors (Quantizer).

/// The float32 minimum and maximum of a run of values, and the codes they define.
public struct MinMaxRange: Equatable, Sendable {
    public let min: Float
    public let max: Float

    /// A range from its bounds; `min <= max`, both finite (callers validate input).
    init(min: Float, max: Float) {
        self.min = min
        self.max = max
    }

    /// The range of `values` (non-empty, finite).
    init(of values: ArraySlice<Float>) {
        var lo = values[values.startIndex]
        var hi = lo
        for v in values {
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        self.init(min: lo, max: hi)
    }

    /// `levels = 2^bits - 1` as float32.
    static func levels(bits: Int) -> Float { Float((1 << bits) - 1) }

    /// Appends the codes of `values` to `codes`.
    ///
    /// `q = clamp(roundHalfToEven((w - min) / (max - min) * levels), 0, levels)`, float32 ops.
    func appendCodes(of values: ArraySlice<Float>, levels: Float, to codes: inout [UInt8]) {
        if min == max {
            codes.append(contentsOf: repeatElement(0, count: values.count))
            return
        }
        let range = max - min
        for w in values {
            let scaled: Float = (w - min) / range * levels
            let q = Swift.min(Swift.max(scaled.rounded(.toNearestOrEven), 0), levels)
            codes.append(UInt8(q))
        }
    }

    /// Appends the dequantized values of `codes` to `values`.
    ///
    /// `w' = q / levels * (max - min) + min`, float32 ops (no fused multiply-add).
    func appendValues(of codes: ArraySlice<UInt8>, levels: Float, to values: inout [Float]) {
        if min == max {
            values.append(contentsOf: repeatElement(min, count: codes.count))
            return
        }
        let range = max - min
        for q in codes {
            let scaled: Float = Float(q) / levels
            let spread: Float = scaled * range
            values.append(spread + min)
        }
    }
}
