// QuantizedCodes: one quantized tensor's b-bit codes (one per element, unpacked) and the
// min-max ranges they refer to: one range per tensor, or one per output channel (dim 0).
// Packing into bytes is BitPacking's; the arithmetic is MinMaxRange's.

/// Min-max codes of a tensor, row-major, with their ranges.
public struct QuantizedCodes: Equatable, Sendable {
    /// Bits per code, 2...8.
    public let bits: Int
    /// One code per element, each in `0...2^bits - 1`, row-major.
    public let codes: [UInt8]
    /// One range (per tensor) or one per slice of dim 0 (per channel), in channel order.
    public let ranges: [MinMaxRange]
    /// True when `ranges` holds one range per output channel.
    public let perChannel: Bool

    /// Codes and ranges already validated by the caller (quantizer or blob decoder).
    init(bits: Int, codes: [UInt8], ranges: [MinMaxRange], perChannel: Bool) {
        self.bits = bits
        self.codes = codes
        self.ranges = ranges
        self.perChannel = perChannel
    }

    /// The ranges of `values`: one for the tensor, or one per slice of dim 0 (`channels` of them,
    /// dividing `values.count`). `values` must be non-empty.
    static func ranges(of values: [Float], channels: Int) -> [MinMaxRange] {
        slices(count: values.count, channels: channels).map { MinMaxRange(of: values[$0]) }
    }

    /// Quantizes `values` with `bits` bits against `ranges` (one per tensor, or per slice of dim 0).
    ///
    /// `values` must be finite and lie in their range, and every range's `max - min` finite.
    init(quantizing values: [Float], ranges: [MinMaxRange], bits: Int, perChannel: Bool) {
        let levels = MinMaxRange.levels(bits: bits)
        var codes = [UInt8]()
        codes.reserveCapacity(values.count)
        for (range, slice) in zip(ranges, Self.slices(count: values.count, channels: ranges.count)) {
            range.appendCodes(of: values[slice], levels: levels, to: &codes)
        }
        self.init(bits: bits, codes: codes, ranges: ranges, perChannel: perChannel)
    }

    /// The float32 value of every code: `q / levels * (max - min) + min`, per range.
    public func dequantized() -> [Float] {
        let levels = MinMaxRange.levels(bits: bits)
        var values = [Float]()
        values.reserveCapacity(codes.count)
        for (range, slice) in zip(ranges, Self.slices(count: codes.count, channels: ranges.count)) {
            range.appendValues(of: codes[slice], levels: levels, to: &values)
        }
        return values
    }

    /// Smallest minimum and largest maximum over all ranges.
    public var overall: MinMaxRange {
        MinMaxRange(min: ranges.map(\.min).min() ?? 0, max: ranges.map(\.max).max() ?? 0)
    }

    /// Index ranges of `channels` equal consecutive slices of `count` elements.
    static func slices(count: Int, channels: Int) -> [Range<Int>] {
        let size = channels == 0 ? 0 : count / channels
        return (0..<channels).map { $0 * size ..< ($0 + 1) * size }
    }
}
