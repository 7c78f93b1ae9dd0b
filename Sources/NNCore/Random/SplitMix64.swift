// SplitMix64: the small seeded random number generator behind every reproducible draw in
// Shears (random pruning's scores, the latency benchmark's input batch, the crossover
// benchmark's weights, test data). Same seed, same numbers, on every platform and Swift
// version (the standard library's generator is neither seedable nor stable).

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; Vigna's `splitmix64.c`): a 64-bit Weyl sequence scrambled by a mix function.
///
/// Per call, with `γ = 0x9E3779B97F4A7C15` (2⁶⁴ / φ, odd) and wrapping arithmetic mod 2⁶⁴:
///
///     state += γ
///     z = (state ^ (state >> 30)) · 0xBF58476D1CE4E5B9
///     z = (z ^ (z >> 27)) · 0x94D049BB133111EB
///     return z ^ (z >> 31)
///
/// The period is 2⁶⁴; every seed (0 included) is valid. Not for cryptography.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose first output is the mix of `seed + γ`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1): the top 53 bits of `next()` over 2⁵³ (every value a multiple of 2⁻⁵³).
    public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
