// Test data from NN's seeded SplitMix64.

import NN

extension SplitMix64 {
    /// `count` floats uniform in `-scale..<scale`.
    mutating func floats(_ count: Int, scale: Float) -> [Float] {
        (0..<count).map { _ in Float.random(in: -scale..<scale, using: &self) }
    }
}
