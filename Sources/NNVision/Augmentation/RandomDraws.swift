// RandomDraws: the two kinds of random draw torchvision's transforms make, in torch's forms
// (a float32 uniform in [low, high), an integer in 0..<bound), behind a protocol so the
// augmentations run on Shears' seeded SplitMix64 and the tests can replay the very draws
// torch made. The values differ from torch's generator; the distributions are the same.

import NNCore

/// A source of the draws RandomResizedCrop, RandomHorizontalFlip and the shuffle need.
public protocol RandomDraws {
    /// `torch.empty(1).uniform_(low, high).item()`: a float32 in [low, high) (`low <= high`).
    mutating func uniform(_ low: Float, _ high: Float) -> Float
    /// `torch.randint(0, bound, (1,)).item()`: an integer in `0..<bound` (`bound >= 1`).
    mutating func integer(below bound: Int) -> Int
}

extension SplitMix64: RandomDraws {
    /// torch's float recipe on SplitMix64's bits: `x = (next() >> 40) / 2²⁴` (24 random bits,
    /// a multiple of 2⁻²⁴ in [0, 1)), then `Float(x · (high − low) + low)` computed in Double.
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        let x = Double(next() >> 40) * 0x1p-24
        return Float(x * (Double(high) - Double(low)) + Double(low))
    }

    /// Lemire's unbiased multiply-shift ("Fast random integer generation in an interval",
    /// 2019): the high 64 bits of `next() · bound`, redrawn while the low 64 bits fall below
    /// `2⁶⁴ mod bound`. A bound of 1 (or less) gives 0 without drawing.
    public mutating func integer(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let n = UInt64(bound)
        var product = next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold { product = next().multipliedFullWidth(by: n) }
        }
        return Int(product.high)
    }
}
