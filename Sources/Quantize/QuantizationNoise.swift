// QuantizationNoise: how far dequantized values are from the originals, for one tensor or a
// sum over tensors: RMSE and signal-to-quantization-noise ratio, accumulated in Double.
// A measurement (thrown errors are QuantizeError).

import Foundation

/// Quantization noise of one tensor (or of several, combined with `total`).
///
/// `rmse = sqrt(Σ(w - w')² / n)`, `sqnrDB = 10·log10(Σw² / Σ(w - w')²)` (+inf when exact).
public struct QuantizationNoise: Equatable, Sendable {
    /// Tensor name (or a label such as "total").
    public let name: String
    /// Number of elements compared.
    public let count: Int
    /// `Σw²` over the original values.
    public let signalEnergy: Double
    /// `Σ(w - w')²`, the noise.
    public let noiseEnergy: Double

    public init(name: String, count: Int, signalEnergy: Double, noiseEnergy: Double) {
        self.name = name
        self.count = count
        self.signalEnergy = signalEnergy
        self.noiseEnergy = noiseEnergy
    }

    /// Compares `original` with `dequantized` element-wise (equal counts).
    public init(name: String, original: [Float], dequantized: [Float]) {
        var signal = 0.0, noise = 0.0
        for (w, v) in zip(original, dequantized) {
            let a = Double(w), d = Double(w) - Double(v)
            signal += a * a
            noise += d * d
        }
        self.init(name: name, count: original.count, signalEnergy: signal, noiseEnergy: noise)
    }

    /// Root-mean-square error; 0 for no elements.
    public var rmse: Double { count == 0 ? 0 : (noiseEnergy / Double(count)).squareRoot() }

    /// Signal-to-quantization-noise ratio in dB; +inf when the values are exact.
    public var sqnrDB: Double { noiseEnergy == 0 ? .infinity : 10 * log10(signalEnergy / noiseEnergy) }

    /// All `parts` as one: energies and counts summed.
    public static func total(_ parts: [QuantizationNoise], name: String = "total") -> QuantizationNoise {
        QuantizationNoise(name: name, count: parts.reduce(0) { $0 + $1.count },
                          signalEnergy: parts.reduce(0) { $0 + $1.signalEnergy },
                          noiseEnergy: parts.reduce(0) { $0 + $1.noiseEnergy })
    }
}
