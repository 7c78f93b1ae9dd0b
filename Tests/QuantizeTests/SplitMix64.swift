// SplitMix64: a small seeded random generator for the Quantize tests' data.

/// SplitMix64 (Steele, Lea, Flood 2014): deterministic for a given seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` floats uniform in `-scale..<scale`.
    mutating func floats(_ count: Int, scale: Float) -> [Float] {
        (0..<count).map { _ in Float.random(in: -scale..<scale, using: &self) }
    }
}
