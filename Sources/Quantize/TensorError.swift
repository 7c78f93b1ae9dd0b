// TensorError: how far dequantized values are from the originals, for one tensor or a
// sum over tensors: RMSE and signal-to-quantization-noise ratio, accumulated in Double.
// It is a measurement, not a thrown error (those are QuantizeError).

import Foundation

/// Quantization error of one tensor (or of several, combined with `total`).
///
/// `rmse = sqrt(Σ(w - w')² / n)`, `sqnrDB = 10·log10(Σw² / Σ(w - w')²)` (+inf when exact).
public struct TensorError: Equatable, Sendable {
    /// Tensor name (or a label such as "total").
    public let name: String
    /// Number of elements compared.
    public let count: Int
    /// `Σw²` over the original values.
    public let signalEnergy: Double
    /// `Σ(w - w')²`.
    public let errorEnergy: Double

    public init(name: String, count: Int, signalEnergy: Double, errorEnergy: Double) {
        self.name = name
        self.count = count
        self.signalEnergy = signalEnergy
        self.errorEnergy = errorEnergy
    }

    /// Compares `original` with `dequantized` element-wise (equal counts).
    public init(name: String, original: [Float], dequantized: [Float]) {
        var signal = 0.0, error = 0.0
        for (w, v) in zip(original, dequantized) {
            let a = Double(w), d = Double(w) - Double(v)
            signal += a * a
            error += d * d
        }
        self.init(name: name, count: original.count, signalEnergy: signal, errorEnergy: error)
    }

    /// Root-mean-square error; 0 for no elements.
    public var rmse: Double { count == 0 ? 0 : (errorEnergy / Double(count)).squareRoot() }

    /// Signal-to-quantization-noise ratio in dB; +inf when the values are exact.
    public var sqnrDB: Double { errorEnergy == 0 ? .infinity : 10 * log10(signalEnergy / errorEnergy) }

    /// All `errors` as one: energies and counts summed.
    public static func total(_ errors: [TensorError], name: String = "total") -> TensorError {
        TensorError(name: name, count: errors.reduce(0) { $0 + $1.count },
                    signalEnergy: errors.reduce(0) { $0 + $1.signalEnergy },
                    errorEnergy: errors.reduce(0) { $0 + $1.errorEnergy })
    }
}
