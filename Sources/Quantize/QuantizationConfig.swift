// QuantizationConfig: what `Quantizer.quantize` does to a state dict (bit width, ranges
// per tensor or per output channel, which tensors). It holds settings only, no arithmetic.

/// Settings for min-max quantization of a state dict.
public struct QuantizationConfig: Equatable, Sendable {
    /// Bits per code, 2...8 (`QuantizeError.invalidBits` otherwise); 8 is the seed's uint8.
    public var bits: Int
    /// One min/max per output channel (dim 0) of tensors of rank ≥ 2, instead of one per tensor.
    /// Rank-1 tensors (biases, BatchNorm vectors) always use one range.
    public var perChannel: Bool
    /// Quantize only `*.weight` tensors of rank ≥ 2 (convolution and linear weights);
    /// every other tensor is stored as raw float32.
    public var onlyWeights: Bool

    public init(bits: Int = 8, perChannel: Bool = false, onlyWeights: Bool = false) {
        self.bits = bits
        self.perChannel = perChannel
        self.onlyWeights = onlyWeights
    }

    /// Throws `QuantizeError.invalidBits` unless `bits` is in 2...8.
    public func validate() throws {
        guard (2...8).contains(bits) else { throw QuantizeError.invalidBits(bits) }
    }
}
